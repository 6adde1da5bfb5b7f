// Retry pacing shared by the channels: exponential backoff with "equal jitter" (half fixed, half random), so
// the delay always grows but many lanes retrying after one controller outage do not retry in lock-step.

export interface BackoffPolicy {
  /** Delay before the first retry, in ms (before jitter). */
  readonly baseMs: number;
  /** Upper bound of any single delay, in ms. */
  readonly maxMs: number;
}

/** Delay before retry number `retry` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A Retry-After header (delta-seconds or HTTP date) in ms from `now`, or undefined when absent/unparsable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. Injected so tests need not wait. */
export type Delay = (ms: number, signal?: AbortSignal) => Promise<void>;

export const abortableDelay: Delay = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
