// Real timers the emulator owns (customer actions, delivery backoff), tracked so `close()` can cancel them all.
// Unref'd: a pending retry never keeps a test process or the CLI alive on its own.

export interface Timers {
  after(ms: number, fn: () => void): void;
  /** Resolves after `ms` unless the timers are cleared first (then resolves at clear time). */
  sleep(ms: number): Promise<void>;
  clear(): void;
}

export function createTimers(): Timers {
  const pending = new Map<NodeJS.Timeout, () => void>();
  const after = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      pending.delete(t);
      fn();
    }, ms);
    t.unref();
    pending.set(t, () => undefined);
  };
  return {
    after,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          pending.delete(t);
          resolve();
        }, ms);
        t.unref();
        pending.set(t, resolve);
      }),
    clear: () => {
      for (const [t, onClear] of pending) {
        clearTimeout(t);
        onClear();
      }
      pending.clear();
    },
  };
}
