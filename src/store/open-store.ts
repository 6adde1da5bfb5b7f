// The composition root's one call for the Store port (architecture §4): `pglite` opens the embedded data
// directory (locked to this process), `postgres` a pool on DATABASE_URL. Both come back migrated; on a server
// several instances starting together apply each migration once (migrate.ts takes an advisory lock).
import type { DataDirLock, DataDirLockOptions } from './data-dir-lock';
import { migrate } from './migrate';
import { openEmbeddedStore } from './open-embedded';
import { openPostgres, type PostgresOptions } from './pg';
import type { Database } from './sql';

export type StoreKind = 'pglite' | 'postgres';

export interface StoreSettings {
  readonly store: StoreKind;
  /** The embedded data directory (or `memory://`); used by `pglite` only. */
  readonly dataDir: string;
  /** postgres://user:password@host:port/database; required by `postgres`. */
  readonly databaseUrl?: string | undefined;
  readonly postgres?: PostgresOptions;
  readonly dataDirLock?: DataDirLockOptions;
}

export interface OpenedStore {
  readonly db: Database;
  /** The embedded data directory's lock (for its adminUrl); a server needs none. */
  readonly lock?: DataDirLock;
  close(): Promise<void>;
}

export class StoreSettingsError extends Error {
  readonly code = 'STORE_DATABASE_URL_MISSING';
  constructor() {
    super('STORE=postgres needs DATABASE_URL (postgres://user:password@host:port/database)');
    this.name = 'StoreSettingsError';
  }
}

export async function openStore(settings: StoreSettings): Promise<OpenedStore> {
  if (settings.store === 'pglite') return openEmbeddedStore(settings.dataDir, settings.dataDirLock);
  if (!settings.databaseUrl) throw new StoreSettingsError();
  const db = await openPostgres(settings.databaseUrl, settings.postgres);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, close: () => db.close() };
}
