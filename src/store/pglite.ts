// Embedded Postgres (PGlite, WASM: no native build). A data directory survives kill -9; `memory://` for tests.
import { readFileSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { preparedQueries } from './pglite-prepared';
import { type Database, runBatch, type Sql, type SqlResult } from './sql';

// Test runs only: an initialised data directory (a tar from PGlite's dumpDataDir) that `memory://` stores start
// from instead of running initdb each time (test/support/pglite-template-setup.js writes it once per run).
let memoryTemplate: Blob | undefined;
function memoryOptions(): { loadDataDir: Blob } | undefined {
  const file = process.env.CHECKIN_TEST_PGLITE_TEMPLATE;
  if (!file) return undefined;
  memoryTemplate ??= new Blob([readFileSync(file)]);
  return { loadDataDir: memoryTemplate };
}

export async function openPglite(dataDir: string): Promise<Database> {
  const pg = dataDir === 'memory://' ? await PGlite.create(memoryOptions()) : await PGlite.create(dataDir);
  const prepared = preparedQueries(pg);
  const executor =
    (target: PGlite | Transaction): Sql['query'] =>
    <Row>(text: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> =>
      prepared.run<Row>(target, text, params);
  const query = executor(pg);
  return {
    query,
    // PGlite runs one statement at a time, so an in-process transaction is exclusive.
    transaction: <T>(fn: (tx: Sql) => Promise<T>): Promise<T> =>
      pg.transaction(async (tx) => {
        const txSql: Sql = {
          query: executor(tx),
          transaction: (inner) => inner(txSql),
          batch: (statements) => runBatch(txSql, statements),
        };
        return fn(txSql);
      }),
    batch: (statements) => prepared.batch(statements),
    close: () => pg.close(),
  };
}
