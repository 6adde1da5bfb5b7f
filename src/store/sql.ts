// The SQL executor port: the same SQL runs on embedded PGlite and on a Postgres server via `pg`.
export interface SqlResult<Row> {
  readonly rows: Row[];
  readonly affectedRows: number;
}

export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** Runs fn in one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface Database extends Sql {
  close(): Promise<void>;
}
