// Embedded Postgres on a thread of its own. PGlite runs each statement synchronously (WebAssembly) inside the
// call, so on the event loop every query stalls HTTP for its whole duration; here the event loop only posts
// the statement and parses nothing, while PGlite uses the machine's other core. Same Database port, same
// durability (a reply is sent after PGlite has run the statement or COMMIT).
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  fromWireError,
  type Reply,
  type Request,
  type ThreadData,
  type WireResult,
} from './pglite-thread-protocol';
import { type Database, runBatch, type Sql, type SqlResult } from './sql';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Call = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

// Every result PGlite parses is short-lived garbage. With 64 MB of young generation instead of V8's default,
// the thread collects less often: bench/e2e at 30/s went from 48–49 to 45–46 ms of CPU per check-in.
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 64 };

/** dist runs the compiled .js; under tsx or jest the source is .ts, which the thread loads through tsx. */
function startWorker(data: ThreadData): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `pglite-thread-worker${ext}`);
  if (ext !== '.ts') return new Worker(file, { workerData: data, resourceLimits: RESOURCE_LIMITS });
  const boot = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, workerData: data, resourceLimits: RESOURCE_LIMITS });
}

export async function openPgliteThread(dataDir: string): Promise<Database> {
  const worker = startWorker({ dataDir: dataDir === 'memory://' ? undefined : dataDir });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextTx = 1;
  let failure: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => pending.set(0, { resolve: () => resolve(), reject }));
  worker.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    // The thread keeps the process alive only while a statement is out, like a socket with a query on it.
    if (pending.size === 0) worker.unref();
    if (r.ok) p.resolve(r.value);
    else p.reject(fromWireError(r.error));
  });
  const fail = (err: Error): void => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the PGlite thread exited (code ${code})`)));

  const call = (req: Call): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id });
    });
  };
  const query =
    (tx?: number): Sql['query'] =>
    async <Row>(text: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> => {
      const r = (await call({
        op: 'query',
        text,
        params: [...params],
        ...(tx === undefined ? {} : { tx }),
      })) as WireResult;
      return { rows: r.rows as Row[], affectedRows: r.affectedRows };
    };

  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return {
    query: query(),
    // One transaction at a time holds PGlite (as in-process); a nested transaction runs inside the outer one.
    transaction: async <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
      const tx = nextTx++;
      // Not awaited: the statements queue behind BEGIN on the thread; a failed BEGIN fails them and the end.
      call({ op: 'begin', tx }).catch(() => undefined);
      const txSql: Sql = {
        query: query(tx),
        transaction: (inner) => inner(txSql),
        batch: (statements) => runBatch(txSql, statements),
      };
      let result: T;
      try {
        result = await fn(txSql);
      } catch (err) {
        await call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw err;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    batch: async (statements) =>
      (await call({ op: 'batch', statements })) as SqlResult<Record<string, unknown>>[],
    close: async () => {
      if (failure) return;
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
