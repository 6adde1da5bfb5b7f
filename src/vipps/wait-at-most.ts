// Stop waiting for a shared promise (the token refresh) without cancelling it for the others who wait on it.

export function waitAtMost<T>(
  pending: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  errors: { readonly onTimeout: () => Error; readonly onAbort: () => Error },
): Promise<T> {
  pending.catch(() => undefined); // a caller that stopped waiting must not leave an unhandled rejection
  return new Promise<T>((resolve, reject) => {
    const settle = (finish: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => settle(() => reject(errors.onAbort()));
    const timer = setTimeout(() => settle(() => reject(errors.onTimeout())), ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error as Error)),
    );
  });
}
