// The SQL executor port: the same SQL runs on embedded PGlite and on a Postgres server via `pg`.
export interface SqlResult<Row> {
  readonly rows: Row[];
  readonly affectedRows: number;
}

/** One statement of a batch; `expectRows` makes the batch fail (and roll back) when it affects another count. */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
  readonly expectRows?: number;
}

export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** Runs fn in one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs the statements in order in one transaction (inside the current one, for a transaction's Sql), all
   * or nothing. A store on another thread or server gets them in one round trip and holds no lock while the
   * caller is busy: write-only transactions use this.
   */
  batch(statements: readonly Statement[]): Promise<SqlResult<Record<string, unknown>>[]>;
}

/** A batch statement affected another number of rows than it expected; the batch was rolled back. */
export class BatchExpectationError extends Error {
  constructor(
    readonly index: number,
    readonly affectedRows: number,
  ) {
    super(`batch statement ${index} affected ${affectedRows} rows, not the expected count`);
    this.name = 'BatchExpectationError';
  }
}

/** The batch on a store that runs it statement by statement (in-process PGlite, a server connection). */
export async function runBatch(
  tx: Pick<Sql, 'query'>,
  statements: readonly Statement[],
): Promise<SqlResult<Record<string, unknown>>[]> {
  const results: SqlResult<Record<string, unknown>>[] = [];
  for (const [i, s] of statements.entries()) {
    const r = await tx.query(s.text, s.params);
    if (s.expectRows !== undefined && r.affectedRows !== s.expectRows)
      throw new BatchExpectationError(i, r.affectedRows);
    results.push(r);
  }
  return results;
}

export interface Database extends Sql {
  close(): Promise<void>;
}
