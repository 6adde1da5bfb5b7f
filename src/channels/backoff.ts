// Waiting between a channel's attempts (the pacing itself is src/backoff.ts).

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
