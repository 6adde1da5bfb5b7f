// Retry pacing shared by every retry loop (channels, outbox, queue, Vipps calls): an exponential ceiling and
// a jitter under it, so many lanes retrying after one outage do not retry in lock-step, plus Retry-After.

export interface BackoffPolicy {
  /** Delay ceiling before the first retry, in ms; doubles per further retry. */
  readonly baseMs: number;
  /** Upper bound of any single delay, in ms. */
  readonly maxMs: number;
}

/** min(maxMs, baseMs·2^(retry-1)) for retry number `retry` (1 = the first retry). */
export function backoffCeilingMs(retry: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}

/** "Equal jitter": half the ceiling fixed, half random, so the delay always grows. `random` is in [0, 1). */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = backoffCeilingMs(retry, policy);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A Retry-After header (delta-seconds or HTTP-date, RFC 9110 §10.2.3) in ms from `nowMs`; else undefined. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const v = header.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
