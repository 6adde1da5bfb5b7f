// Fleet-wide QR operations run a few calls at a time: enough to finish 500 lanes in reasonable time, few
// enough to stay clear of Vipps rate limits (the transport still retries a 429, honouring Retry-After).
import type { Io } from './command';

export const QR_CONCURRENCY = 4;

/** Runs `fn` over `items`, at most `limit` at once; results keep the input order. `fn` must not reject. */
export async function runLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `[12/500] vend-1 created` on stderr, so stdout stays the result. */
export function progressReporter(io: Io, total: number): (text: string) => void {
  let done = 0;
  return (text) => {
    done += 1;
    io.err(`[${done}/${total}] ${text}`);
  };
}
