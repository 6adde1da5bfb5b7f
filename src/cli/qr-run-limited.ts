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

const DONE: Record<string, string> = { create: 'created', update: 'updated', prune: 'deleted' };

/** One item of a `qr sync` plan after the run: `skipped` for what needed nothing (unchanged, extra). */
export type Executed<T> = T & { readonly result: 'done' | 'failed' | 'skipped'; readonly error?: string };

/**
 * Applies the create / update / prune items of a `qr sync` plan, a few at a time, with a progress line each;
 * a failure is recorded on its item (Vipps errors carry no secrets) and the others go on.
 */
export async function executePlan<T extends { readonly action: string }>(
  plan: readonly T[],
  io: Io,
  label: (item: T) => string,
  apply: (item: T) => Promise<void>,
): Promise<Executed<T>[]> {
  const todo = plan.filter((i) => i.action === 'create' || i.action === 'update' || i.action === 'prune');
  const progress = progressReporter(io, todo.length);
  const done = await runLimited(todo, QR_CONCURRENCY, async (item): Promise<Executed<T>> => {
    try {
      await apply(item);
      progress(`${label(item)} ${DONE[item.action] ?? item.action}`);
      return { ...item, result: 'done' };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      progress(`${label(item)} failed: ${error}`);
      return { ...item, result: 'failed', error };
    }
  });
  const byItem = new Map(todo.map((item, i) => [item, done[i] as Executed<T>]));
  return plan.map((item) => byItem.get(item) ?? { ...item, result: 'skipped' });
}
