// What only the `pg` adapter and openStore do, on a PGlite served over the wire (always available here):
// bad DATABASE_URLs and unreachable servers fail at open with typed errors that never show the password,
// a connection the server drops is replaced, close() ends the pool, and openStore picks and migrates a store.
import { createServer } from 'node:net';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { scrubString } from '../../../src/log';
import { migrations } from '../../../src/store/migrations';
import { openStore } from '../../../src/store/open-store';
import { openPostgres, type PostgresOptions } from '../../../src/store/pg';
import { waitFor } from '../../queue/queue-test-helpers';
import { type ServedPglite, servePglite } from '../../support/store-targets';

let served: ServedPglite;
beforeAll(async () => {
  served = await servePglite();
});
// The socket server serves one connection at a time and sees a closed one go a moment later.
beforeEach(async () => {
  await waitFor('the socket server to be free', () => served.server.getStats().activeConnections === 0);
});
afterAll(async () => {
  await served.close();
});

const openError = (url: string, options: PostgresOptions = {}): Promise<Error> =>
  openPostgres(url, options).then(
    () => new Error('opened'),
    (err: unknown) => err as Error,
  );

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('openPostgres', () => {
  it.each([
    ['not a URL', 'hunter2-password'],
    ['mysql://gateway:hunter2-password@db.example/gateway', 'hunter2-password'],
  ])('refuses DATABASE_URL %j without repeating it', async (url, password) => {
    const err = await openError(url);
    expect(err).toMatchObject({
      name: 'DatabaseUrlError',
      code: 'STORE_DATABASE_URL_INVALID',
      message: 'DATABASE_URL must be a URL of the form postgres://user:password@host:port/database',
    });
    expect(err.message).not.toContain(password);
  });

  it('fails at open when no server answers, naming where but not the password, which is never logged', async () => {
    const port = await closedPort();
    const err = await openError(`postgres://gateway:pw-7c1e9d2a@127.0.0.1:${port}/gateway`, {
      connectionTimeoutMs: 5_000,
    });
    expect(err).toMatchObject({
      name: 'DatabaseConnectError',
      code: 'STORE_CONNECT_FAILED',
      message: `could not connect to the Postgres server at 127.0.0.1:${port}/gateway: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    expect(scrubString('connecting with pw-7c1e9d2a')).toBe('connecting with [redacted]');
  });

  it('ends the pool on close()', async () => {
    const db = await openPostgres(served.url, { max: 1 });
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow('Cannot use a pool after calling end on the pool');
  });

  it('reports a connection the server dropped and serves the next query on a new one', async () => {
    const { port } = new URL(served.url);
    const dropped: Error[] = [];
    const db = await openPostgres(served.url, { max: 1, onConnectionError: (err) => dropped.push(err) });
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await served.server.stop(); // closes the pooled (idle) connection under it
      await waitFor('the dropped connection to be reported', () => dropped.length === 1);
      expect(dropped[0]!.message).toBe('Connection terminated unexpectedly');
      served.server = new PGLiteSocketServer({ db: served.server.db, host: '127.0.0.1', port: Number(port) });
      await served.server.start();
      expect((await db.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await db.close();
    }
  });
});

describe('openStore', () => {
  it('opens a Postgres server store migrated, without a data directory lock', async () => {
    const store = await openStore({
      store: 'postgres',
      dataDir: './unused',
      databaseUrl: served.url,
      postgres: { max: 1 },
    });
    try {
      expect(store.lock).toBeUndefined();
      const { rows } = await store.db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
    } finally {
      await store.close();
    }
  });

  it('refuses STORE=postgres without DATABASE_URL', async () => {
    await expect(openStore({ store: 'postgres', dataDir: './unused' })).rejects.toMatchObject({
      code: 'STORE_DATABASE_URL_MISSING',
      message: 'STORE=postgres needs DATABASE_URL (postgres://user:password@host:port/database)',
    });
  });

  it('opens the embedded store with its data directory lock', async () => {
    const store = await openStore({ store: 'pglite', dataDir: 'memory://' });
    try {
      expect(store.lock?.path).toBe('memory://');
      const { rows } = await store.db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      expect(rows).toEqual([{ n: migrations.length }]);
    } finally {
      await store.close();
    }
  });
});
