// The Sql port on a Postgres server through a `pg` pool (the aws profile, architecture §3–§4). The same SQL,
// migrations and repositories as on embedded PGlite, with the same results: values are parsed as PGlite
// parses them (pg-parsers.ts), each session runs in UTC as PGlite does, and every statement goes through the
// extended protocol so a call holds one statement only, on both stores (PGlite's query() refuses two).
import { DatabaseError, Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import { registerSecret } from '../log';
import { type ArrayTypeRow, PgliteCompatibleTypes } from './pg-parsers';
import { type Database, runBatch, type Sql, type SqlResult } from './sql';

export interface PostgresOptions {
  /** Connections in the pool; default 10. A PGlite socket server takes one: use 1 there. */
  readonly max?: number;
  /** How long a query waits for a free connection (or a new one) before it fails, in ms; default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** An idle connection is closed after this many ms (0: never); default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Shown in pg_stat_activity; default `checkin-gateway`. */
  readonly applicationName?: string;
  /**
   * An idle pooled connection failed (server restart, network). The pool has already dropped it and
   * connects again on demand; without a listener such an error would end the process.
   */
  readonly onConnectionError?: (err: Error) => void;
}

/** DATABASE_URL is not a postgres:// URL. The message never repeats the URL: it may hold a password. */
export class DatabaseUrlError extends Error {
  readonly code = 'STORE_DATABASE_URL_INVALID';
  constructor() {
    super('DATABASE_URL must be a URL of the form postgres://user:password@host:port/database');
    this.name = 'DatabaseUrlError';
  }
}

/** The server could not be reached or refused us at open. Names where, never the password. */
export class DatabaseConnectError extends Error {
  readonly code = 'STORE_CONNECT_FAILED';
  constructor(where: string, cause: unknown) {
    // Not `instanceof Error`: errors from Node's own modules may come from another realm (test runners).
    const message = (cause as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(cause);
    super(`could not connect to the Postgres server at ${where}: ${reason}`, { cause });
    this.name = 'DatabaseConnectError';
  }
}

// PGlite counts the rows of these commands only; pg's rowCount also counts a SELECT's rows.
const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

function toResult<Row>(r: QueryResult): SqlResult<Row> {
  return { rows: r.rows as Row[], affectedRows: COUNTED.has(r.command) ? (r.rowCount ?? 0) : 0 };
}

// `queryMode` is pg's (8.12+) but not in @types/pg yet.
type Statement = QueryConfig & { readonly queryMode: 'extended' };

function statement(text: string, params: readonly unknown[]): Statement {
  return { text, values: [...params], queryMode: 'extended' };
}

function clientExecutor(client: PoolClient): Sql['query'] {
  return async <Row>(text: string, params: readonly unknown[] = []) =>
    toResult<Row>(await client.query(statement(text, params)));
}

// Not pool.query(): it discards the connection after ANY error, so every unique violation or refused trigger
// would cost a reconnect (and a PGlite socket server, one connection at a time, refuses the new one while the
// old is still closing). An error the server answered leaves the connection usable; only others break it.
function poolExecutor(pool: Pool): Sql['query'] {
  return async <Row>(text: string, params: readonly unknown[] = []) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return toResult<Row>(await client.query(statement(text, params)));
    } catch (err) {
      if (!(err instanceof DatabaseError)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  };
}

/** Opens a pool on databaseUrl and checks that the server answers. Does not migrate (see open-store.ts). */
export async function openPostgres(databaseUrl: string, options: PostgresOptions = {}): Promise<Database> {
  const where = describeUrl(databaseUrl);
  const types = new PgliteCompatibleTypes();
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    application_name: options.applicationName ?? 'checkin-gateway',
    // PGlite runs in UTC: the same zone makes now()::date, date_trunc and timestamp text agree on both.
    options: '-c TimeZone=UTC',
    types,
    keepAlive: true,
  });
  pool.on('error', (err) => options.onConnectionError?.(err));
  const query = poolExecutor(pool);
  try {
    // Also checks that the server answers, so a wrong DATABASE_URL fails at boot.
    types.learnArrayTypes((await query<ArrayTypeRow>(PgliteCompatibleTypes.ARRAY_TYPES_SQL)).rows);
  } catch (err) {
    await pool.end();
    throw new DatabaseConnectError(where, err);
  }
  return {
    query,
    transaction: (fn) => inTransaction(pool, fn),
    batch: (statements) => inTransaction(pool, (tx) => tx.batch(statements)),
    close: () => pool.end(),
  };
}

async function inTransaction<T>(pool: Pool, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const query = clientExecutor(client);
  // A transaction inside runs in this one (no savepoint), as on PGlite.
  const tx: Sql = {
    query,
    transaction: (inner) => inner(tx),
    batch: (statements) => runBatch(tx, statements),
  };
  let broken: Error | undefined;
  try {
    await query('BEGIN');
    const result = await fn(tx);
    await query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is not given back to the pool.
    broken = await query('ROLLBACK').then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    throw err;
  } finally {
    client.release(broken);
  }
}

/** `host:port/database` for messages; the password is registered as a secret so no log line shows it. */
function describeUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError();
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new DatabaseUrlError();
  try {
    registerSecret(decodeURIComponent(url.password));
  } catch {
    registerSecret(url.password); // not valid percent-encoding: pg reads it as written
  }
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  return `${host}:${url.port || '5432'}${url.pathname}`;
}
