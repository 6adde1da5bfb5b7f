// Shared by the queue tests: manual promises (to hold a handler open and release it), a bounded wait on a
// condition (never a sleep used as synchronisation), and a logger whose lines the test can read.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log';
import { waitFor as waitForCondition } from '../support/wait-for';

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls until check() is truthy; fails with `what` after timeoutMs (test/support/wait-for.ts, polled tightly). */
export function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
): Promise<NonNullable<T>> {
  return waitForCondition(check, { what, timeoutMs, intervalMs: 2 });
}

export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', stream }), lines };
}

/** Rejects with `what` if promise has not settled within ms, so a missing event fails fast instead of hanging. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
