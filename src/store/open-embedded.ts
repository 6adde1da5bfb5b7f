// The embedded profile's store: DATA_DIR locked to this process first (architecture §4: PGlite must have one
// owner), then PGlite opened on it, on a thread of its own, and migrated. `memory://` (tests, throwaway demos)
// needs no lock and runs in-process: a thread costs seconds to start and buys nothing without load.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type DataDirLock, type DataDirLockOptions, acquireDataDirLock } from './data-dir-lock';
import { migrate } from './migrate';
import { openPglite } from './pglite';
import { openPgliteThread } from './pglite-thread';
import type { Database } from './sql';

export interface EmbeddedStore {
  readonly db: Database;
  readonly lock: DataDirLock;
  /** Closes the database, then releases the lock. */
  close(): Promise<void>;
}

export async function openEmbeddedStore(
  dataDir: string,
  options: DataDirLockOptions = {},
): Promise<EmbeddedStore> {
  if (dataDir === 'memory://') return withLock(await openMigrated(dataDir), memoryLock());
  await mkdir(dataDir, { recursive: true });
  const lock = await acquireDataDirLock(dataDir, options);
  try {
    return withLock(await openMigrated(dataDir), lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function openMigrated(dataDir: string): Promise<Database> {
  const db = dataDir === 'memory://' ? await openPglite(dataDir) : await openPgliteThread(dataDir);
  try {
    await migrate(db);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

function withLock(db: Database, lock: DataDirLock): EmbeddedStore {
  return {
    db,
    lock,
    close: async () => {
      try {
        await db.close();
      } finally {
        await lock.release();
      }
    },
  };
}

function memoryLock(): DataDirLock {
  return {
    path: 'memory://',
    info: { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() },
    updateLockInfo: async () => undefined,
    release: async () => undefined,
    onLost: () => undefined, // nothing on disk to lose
  };
}
