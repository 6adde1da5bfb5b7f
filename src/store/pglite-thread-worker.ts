// The PGlite thread's side (src/store/pglite-thread.ts): one PGlite, queries run in arrival order, and a
// transaction holds PGlite (as in-process) until the event loop sends its end.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { preparedQueries } from './pglite-prepared';
import { type Reply, type Request, type ThreadData, toWireError } from './pglite-thread-protocol';

const ROLLBACK = Symbol('rollback');

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pglite-thread-worker runs as a worker thread');
  const { dataDir } = workerData as ThreadData;
  const pg = await PGlite.create(dataDir);
  const prepared = preparedQueries(pg);
  // Statements for a transaction wait for it to start (PGlite runs one at a time), then run in arrival order.
  const open = new Map<
    number,
    { ready: Promise<Transaction>; end: (commit: boolean) => void; done: Promise<void> }
  >();
  const reply = (r: Reply): void => port.postMessage(r);
  const settle = (id: number, work: Promise<unknown>): void => {
    work.then(
      (value) => reply({ id, ok: true, value }),
      (err: unknown) => reply({ id, ok: false, error: toWireError(err) }),
    );
  };

  port.on('message', (m: Request) => {
    switch (m.op) {
      case 'query': {
        const run = (target: PGlite | Transaction) => prepared.run(target, m.text, m.params);
        if (m.tx === undefined) return settle(m.id, run(pg));
        const entry = open.get(m.tx);
        if (!entry)
          return reply({ id: m.id, ok: false, error: toWireError(new Error('no such transaction')) });
        return settle(m.id, entry.ready.then(run));
      }
      case 'begin': {
        let started: (tx: Transaction) => void = () => undefined;
        let failed: (err: unknown) => void = () => undefined;
        let end: (commit: boolean) => void = () => undefined;
        const ready = new Promise<Transaction>((resolve, reject) => {
          started = resolve;
          failed = reject;
        });
        ready.catch(() => undefined);
        const done = pg
          .transaction(
            (tx) =>
              new Promise<void>((resolve, reject) => {
                end = (commit) => (commit ? resolve() : reject(ROLLBACK));
                started(tx);
              }),
          )
          .catch((err: unknown) => {
            if (err === ROLLBACK) return;
            failed(err); // BEGIN failed: the statements waiting for it fail too (no-op once started)
            throw err;
          });
        // A failed BEGIN or COMMIT is reported to whoever ends the transaction; never an unhandled rejection.
        done.catch(() => undefined);
        open.set(m.tx, { ready, end: (commit) => void ready.then(() => end(commit)), done });
        return reply({ id: m.id, ok: true, value: m.tx });
      }
      case 'end': {
        const entry = open.get(m.tx);
        open.delete(m.tx);
        if (!entry)
          return reply({ id: m.id, ok: false, error: toWireError(new Error('no such transaction')) });
        entry.end(m.commit);
        // transaction() settles once PGlite has run the COMMIT (or ROLLBACK).
        return settle(m.id, entry.done);
      }
      case 'batch':
        // The whole transaction on this thread: PGlite is never held waiting for the event loop.
        return settle(m.id, prepared.batch(m.statements));
      case 'close':
        return settle(m.id, pg.close());
    }
  });
  reply({ id: 0, ok: true, value: 'ready' });
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ id: 0, ok: false, error: toWireError(err) } satisfies Reply);
});
