// Retry timing for Vipps calls (pure). Full jitter spreads the retries of many lanes hitting the same outage;
// a Retry-After from Vipps overrides the backoff because it says when the rate limit resets (§6.6).

export interface RetryPolicy {
  /** First backoff ceiling in ms; doubles per failed attempt. */
  readonly baseMs: number;
  /** Backoff ceiling in ms (a Retry-After may ask for longer; only the deadline caps that). */
  readonly maxMs: number;
  /** Attempts in total, the first included (the one extra attempt after a 401 is not counted). */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 250, maxMs: 5_000, maxAttempts: 5 };

/** Delay before the next attempt after `failures` failed ones: uniform in [0, min(maxMs, baseMs·2^(failures-1))]. */
export function backoffMs(policy: RetryPolicy, failures: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(random() * ceiling);
}

/** `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
