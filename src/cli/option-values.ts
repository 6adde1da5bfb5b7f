// Typed readers of command-line option values (`parseArgs` gives strings): each refuses a bad value with a
// UsageError naming the option, so every command words the same mistake the same way.
import { UsageError } from './command';

/** `--name N`, an integer from 1 to max; undefined when not given. */
export function positiveInt(values: Record<string, unknown>, name: string, max: number): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max)
    throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return Number(s);
}

/** `--name INSTANT`, an ISO-8601 instant; undefined when not given. */
export function instant(values: Record<string, unknown>, name: string): Date | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const ms = Date.parse(String(v));
  if (Number.isNaN(ms))
    throw new UsageError(`--${name} must be an ISO-8601 instant, e.g. 2026-12-01T00:00:00Z`);
  return new Date(ms);
}
