// The stores the SQL suites run on (architecture §3: one SQL on embedded PGlite and on a Postgres server):
// - `pglite`: PGlite in-process (src/store/pglite.ts);
// - `pglite-thread`: PGlite on a worker thread (src/store/pglite-thread.ts), the embedded profile's store;
// - `pglite-socket`: PGlite served over the Postgres wire protocol (@electric-sql/pglite-socket) and reached
//   through the `pg` adapter (src/store/pg.ts). The socket server serves ONE connection at a time (PGlite is a
//   single session), so its pool has max 1;
// - `postgres`: a real Postgres server at TEST_DATABASE_URL (`.ci/run` starts one); each test file gets a
//   database of its own there, so files running in parallel never truncate each other's tables.
// Every target opens migrated; useStore truncates the tables before each test.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { migrate } from '../../src/store/migrate';
import { openPostgres, type PostgresOptions } from '../../src/store/pg';
import { openPglite } from '../../src/store/pglite';
import { openPgliteThread } from '../../src/store/pglite-thread';
import type { Database } from '../../src/store/sql';
import { truncateAll } from './db';

export interface OpenedTarget {
  readonly db: Database;
  /** A URL more pools can connect to (the wire targets only). */
  readonly url?: string;
  close(): Promise<void>;
}

export interface StoreTarget {
  readonly name: string;
  /** Why the target cannot run here; undefined when it can. */
  readonly skipReason?: string;
  open(): Promise<OpenedTarget>;
}

async function migrated(opened: OpenedTarget): Promise<OpenedTarget> {
  try {
    await migrate(opened.db);
    return opened;
  } catch (err) {
    await opened.close();
    throw err;
  }
}

export const pgliteTarget: StoreTarget = {
  name: 'pglite',
  open: async () => {
    const db = await openPglite('memory://');
    return migrated({ db, close: () => db.close() });
  },
};

export const pgliteThreadTarget: StoreTarget = {
  name: 'pglite-thread',
  open: async () => {
    const db = await openPgliteThread('memory://');
    return migrated({ db, close: () => db.close() });
  },
};

export interface ServedPglite {
  readonly url: string;
  /** Replaceable, to restart the server on the same PGlite and port. */
  server: PGLiteSocketServer;
  close(): Promise<void>;
}

/** A PGlite behind a socket server on 127.0.0.1, port 0. */
export async function servePglite(): Promise<ServedPglite> {
  const pglite = await PGlite.create();
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  const served: ServedPglite = {
    url: `postgres://postgres:postgres@${server.getServerConn()}/postgres`,
    server,
    close: async () => {
      await served.server.stop();
      await pglite.close();
    },
  };
  return served;
}

export const pgliteSocketTarget: StoreTarget = {
  name: 'pglite-socket',
  open: async () => {
    const served = await servePglite();
    // Idle connections are kept: a replacement could arrive before the socket server has seen the old one go.
    const db = await openPostgres(served.url, { max: 1, idleTimeoutMs: 0 }).catch(async (err: unknown) => {
      await served.close();
      throw err;
    });
    return migrated({
      db,
      url: served.url,
      close: async () => {
        await db.close();
        await served.close();
      },
    });
  },
};

// Test code, not the gateway: config.ts stays the only reader of the environment in src/.
const serverUrl = process.env.TEST_DATABASE_URL || undefined;

export const postgresServerTarget: StoreTarget = {
  name: 'postgres',
  ...(serverUrl ? {} : { skipReason: 'no TEST_DATABASE_URL, skipping the Postgres server target' }),
  open: async () => {
    const scratch = await createScratchDatabase();
    const db = await openPostgres(scratch.url, { max: 10 });
    return migrated({
      db,
      url: scratch.url,
      close: async () => {
        await db.close();
        await scratch.drop();
      },
    });
  },
};

/** An empty database of its own on the TEST_DATABASE_URL server, dropped by drop(). */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('createScratchDatabase needs TEST_DATABASE_URL');
  const name = `gw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(serverUrl, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`).catch(async (err: unknown) => {
    await admin.close();
    throw err;
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.close();
      }
    },
  };
}

/** Another pool on an opened wire target (e.g. a second process's), closed by the caller. */
export function openAnotherPool(opened: OpenedTarget, options: PostgresOptions = {}): Promise<Database> {
  if (!opened.url) throw new Error('only a wire target can take another pool');
  return openPostgres(opened.url, options);
}

const announced = new Set<string>();
const OPEN_TIMEOUT_MS = 120_000;

/**
 * Runs `define` in a describe block named after the target, on a database opened once for the block and
 * truncated before each test; a target that cannot run here is a describe.skip with its reason, said once.
 */
export function describeStore(
  target: StoreTarget,
  define: (db: () => Database, opened: () => OpenedTarget) => void,
): void {
  if (target.skipReason) {
    if (!announced.has(target.name)) console.info(`store suite: ${target.skipReason}`);
    announced.add(target.name);
    describe.skip(`store: ${target.name}`, () => define(unavailable, unavailable));
    return;
  }
  describe(`store: ${target.name}`, () => {
    const opened = useStore(target);
    define(() => opened().db, opened);
  });
}

function unavailable(): never {
  throw new Error('store target not opened');
}

/** Opens the target for the enclosing block (beforeAll), truncates before each test, closes afterAll. */
export function useStore(target: StoreTarget): () => OpenedTarget {
  let opened: OpenedTarget | undefined;
  // Starting PGlite takes seconds, and far longer on a loaded machine: more than jest's 30 s default seen.
  beforeAll(async () => {
    opened = await target.open();
  }, OPEN_TIMEOUT_MS);
  afterAll(async () => {
    await opened?.close();
  });
  beforeEach(async () => {
    if (opened) await truncateAll(opened.db);
  });
  return () => opened ?? unavailable();
}
