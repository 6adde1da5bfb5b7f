// Runtime validation of Vipps responses: a handful of composable checks (no schema library is installed).
// A validator returns the typed value (only the declared fields) or throws ValidationError naming the path.
// Values are never echoed: a webhook secret or token in the wrong shape must not end up in a message.

export class ValidationError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path} must be ${expected}`);
    this.name = 'ValidationError';
  }
}

export type Validator<T> = (value: unknown, path: string) => T;

/** Marks an object field that may be absent (or null, which Vipps sends for some optional fields). */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly optional: true;
}

export const string: Validator<string> = (v, path) => {
  if (typeof v !== 'string') throw new ValidationError(path, 'a string');
  return v;
};

export const nonEmptyString: Validator<string> = (v, path) => {
  if (typeof v !== 'string' || v === '') throw new ValidationError(path, 'a non-empty string');
  return v;
};

export const boolean: Validator<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new ValidationError(path, 'a boolean');
  return v;
};

export const integer: Validator<number> = (v, path) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ValidationError(path, 'an integer');
  return v;
};

export function oneOf<const T extends string>(values: readonly T[]): Validator<T> {
  return (v, path) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
      throw new ValidationError(path, `one of ${values.join(' | ')}`);
    return v as T;
  };
}

/**
 * A word Vipps sent where the API lists known ones (a payment state, an event name) that this gateway does not
 * know. Branded so it cannot reach a place that expects a known word without a check (`isKnown`).
 */
export type UnknownValue = string & { readonly __unknownVippsWord: true };

/**
 * Like `oneOf`, but a word outside the list is kept as an UnknownValue instead of failing the whole response:
 * Vipps adds states and event names over time, and a capture that succeeded must not turn into retries because
 * its answer carries a new one (issue 12). Still a non-empty string, or the body is malformed.
 */
export function oneOfOrUnknown<const T extends string>(values: readonly T[]): Validator<T | UnknownValue> {
  return (v, path) => {
    if (typeof v !== 'string' || v === '')
      throw new ValidationError(path, `one of ${values.join(' | ')} (or another non-empty word)`);
    return v as T | UnknownValue;
  };
}

export function isKnown<const T extends string>(values: readonly T[], v: string): v is T {
  return (values as readonly string[]).includes(v);
}

export function optional<T>(inner: Validator<T>): OptionalValidator<T> {
  const check = (v: unknown, path: string): T | undefined =>
    v === undefined || v === null ? undefined : inner(v, path);
  return Object.assign(check, { optional: true as const });
}

export function array<T>(item: Validator<T>): Validator<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) throw new ValidationError(path, 'an array');
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

export function record<T>(value: Validator<T>): Validator<Record<string, T>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(path, 'an object');
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) out[k] = value(x, `${path}.${k}`);
    return out;
  };
}

type Shape = Record<string, Validator<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalValidator<unknown> ? K : never;
}[keyof S];
type Out<V> = V extends Validator<infer T> ? T : never;
export type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Out<S[K]> } & {
  [K in OptionalKeys<S>]?: Exclude<Out<S[K]>, undefined>;
};

/** Checks the declared fields; unknown fields are dropped (Vipps adds fields over time). */
export function object<S extends Shape>(shape: S): Validator<ObjectOf<S>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(path, 'an object');
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const value = check(input[key], `${path}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out as ObjectOf<S>;
  };
}
