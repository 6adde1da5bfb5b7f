// Field checks shared by the lane and controller validators. Each returns the problem as text
// ("expected …, got …") or undefined; the caller prefixes the lane and field.
export const CURRENCIES = ['NOK', 'DKK', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];

// vipps-protocol §6.1: integer minor units, NOK ≥ 100 øre, DKK/EUR ≥ 1, spec maximum 65000000.
export const MAX_AMOUNT = 65_000_000;
const MIN_AMOUNT: Record<Currency, number> = { NOK: 100, DKK: 1, EUR: 1 };

/** Where a validator reports a problem with one field ("controller.url", "expected …"). */
export interface FieldReport {
  fail(field: string, problem: string): void;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short rendering of a value for an error message. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  return String(v);
}

/** A field name as written in the file, quoted only when it is not a plain word. */
export function fieldName(key: string): string {
  return /^[\w-]{1,64}$/.test(key) ? key : describe(key);
}

export function oneOfError(v: unknown, allowed: readonly string[]): string | undefined {
  if (typeof v === 'string' && allowed.includes(v)) return undefined;
  const list = allowed.map((a) => `"${a}"`);
  return `expected ${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}, got ${describe(v)}`;
}

export function amountError(v: unknown, currency: Currency | undefined): string | undefined {
  const min = currency ? MIN_AMOUNT[currency] : 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    return `expected an integer number of minor units ≥ ${min}${currency ? ` for ${currency}` : ''}, got ${describe(v)}`;
  if (v > MAX_AMOUNT) return `expected at most ${MAX_AMOUNT} minor units (the ePayment maximum), got ${v}`;
  return undefined;
}

export function secondsError(v: unknown, min: number, max: number): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return undefined;
  return `expected a whole number of seconds from ${min} to ${max}, got ${describe(v)}`;
}

export function patternError(v: unknown, pattern: RegExp, expected: string): string | undefined {
  return typeof v === 'string' && pattern.test(v) ? undefined : `expected ${expected}, got ${describe(v)}`;
}

/** The closest known name within two edits (catches `maxAmmount`, `merchantQRId`), for "did you mean". */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d =
      candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
