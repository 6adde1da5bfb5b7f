// Retry timing for Vipps calls (pure). Full jitter spreads the retries of many lanes hitting the same outage;
// a Retry-After from Vipps overrides the backoff because it says when the rate limit resets (§6.6).

import { backoffCeilingMs } from '../backoff';

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
  return Math.round(random() * backoffCeilingMs(failures, policy));
}
