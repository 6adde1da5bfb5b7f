// Embedded Postgres (PGlite, WASM: no native build). A data directory survives kill -9; `memory://` for tests.
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { preparedQueries } from './pglite-prepared';
import { type Database, runBatch, type Sql, type SqlResult } from './sql';

export async function openPglite(dataDir: string): Promise<Database> {
  const pg = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
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
