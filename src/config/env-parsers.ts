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

/**
 * Every problem of one loadConfig call (two or more; a single problem is thrown as itself). A ConfigError, so
 * callers that catch one keep working; `variable` lists the variables, `problems` holds each error.
 */
export class ConfigErrors extends ConfigError {
  constructor(readonly problems: readonly ConfigError[]) {
    super(problems.map((p) => p.variable).join(', '), 'see the list');
    this.message = [
      `${problems.length} configuration errors (fix them all, then start again):`,
      ...problems.map((p) => `  - ${p.message}`),
    ].join('\n');
  }
}

// A production start used to report one missing variable per run (issue 13). While collectConfigErrors runs,
// the readers record a problem and return their fallback instead of throwing, so one run lists them all.
// loadConfig is synchronous, so one module-level list is enough.
let collecting: ConfigError[] | undefined;

/** Runs `read`, then throws every ConfigError reported meanwhile (one as itself, several as ConfigErrors). */
export function collectConfigErrors<T>(read: () => T): T {
  const outer = collecting;
  const problems: ConfigError[] = [];
  collecting = problems;
  let value: T;
  try {
    value = read();
  } catch (err) {
    // An inline `throw new ConfigError` still counts, after everything reported before it.
    if (!(err instanceof ConfigError)) throw err;
    report(err);
  } finally {
    collecting = outer;
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ConfigErrors(problems);
  return value!;
}

/** Records a problem (the first per variable) inside collectConfigErrors; throws it outside. */
export function report(error: ConfigError): void {
  if (!collecting) throw error;
  if (!collecting.some((p) => p.variable === error.variable)) collecting.push(error);
}

/** report(error), then carry on with `fallback` (never returned to a caller: loadConfig throws at the end). */
export function invalid<T>(error: ConfigError, fallback: T): T {
  report(error);
  return fallback;
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
  if (!/^-?\d+$/.test(raw.trim()))
    return invalid(new ConfigError(name, `an integer between ${min} and ${max}`, raw), fallback);
  const n = Number(raw);
  if (n < min || n > max)
    return invalid(new ConfigError(name, `an integer between ${min} and ${max}`, raw), fallback);
  return n;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    return invalid(new ConfigError(name, `one of ${allowed.join(' | ')}`, raw), fallback);
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
    return invalid(new ConfigError(name, `an absolute URL (${protocols.join(' or ')})`, raw), undefined);
  }
  if (!protocols.includes(parsed.protocol))
    return invalid(new ConfigError(name, `a URL with scheme ${protocols.join(' or ')}`, raw), undefined);
  if (parsed.hash) return invalid(new ConfigError(name, 'a URL without a #fragment', raw), undefined);
  return parsed;
}

/** Express `trust proxy`: false, true, a hop count, or a list of addresses/subnets. */
export function trustProxy(env: Env, name: string): boolean | number | string {
  const raw = optional(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^[\w.:/, -]+$/.test(raw)) return raw;
  return invalid(
    new ConfigError(name, 'false, true, a hop count, or comma-separated addresses/subnets', raw),
    false,
  );
}
