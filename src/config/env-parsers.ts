// Small, strict readers for environment values. Each failure names the variable and the expected form,
// because the operator reading the boot error has nothing else to go on.
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    received?: string,
  ) {
    super(
      received === undefined
        ? `${variable} is required: expected ${expected}`
        : `${variable} is invalid: expected ${expected}, got ${JSON.stringify(received)}`,
    );
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

export function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `an integer between ${min} and ${max}`, raw);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `an integer between ${min} and ${max}`, raw);
  return n;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(name, `one of ${allowed.join(' | ')}`, raw);
  return raw as T;
}

export function list(env: Env, name: string): string[] {
  const raw = optional(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function url(env: Env, name: string, protocols: readonly string[]): URL | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `an absolute URL (${protocols.join(' or ')})`, raw);
  }
  if (!protocols.includes(parsed.protocol))
    throw new ConfigError(name, `a URL with scheme ${protocols.join(' or ')}`, raw);
  if (parsed.hash) throw new ConfigError(name, 'a URL without a #fragment', raw);
  return parsed;
}

/** Express `trust proxy`: false, true, a hop count, or a list of addresses/subnets. */
export function trustProxy(env: Env, name: string): boolean | number | string {
  const raw = optional(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^[\w.:/, -]+$/.test(raw)) return raw;
  throw new ConfigError(name, 'false, true, a hop count, or comma-separated addresses/subnets', raw);
}
