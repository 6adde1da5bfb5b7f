// Awaits a condition instead of sleeping: polls `predicate` until it returns something truthy, and fails with
// a message naming what was awaited once the deadline passes. The short pause between polls only paces the
// polling; the test's synchronisation is the condition itself.
export interface WaitForOptions {
  /** Give up after this long. Default 5 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between polls. Default 10 ms. */
  readonly intervalMs?: number;
  /** Shown in the timeout error. */
  readonly what?: string;
}

export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 5_000, intervalMs = 10, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
