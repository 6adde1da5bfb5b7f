// The usual hooks for a test file on one PGlite: opened before its tests, emptied before each, closed at the end.
import type { Database } from '../../src/store/sql';
import { openTestDatabase, truncateAll } from './db';

/**
 * Registers the file's database hooks; `set` receives the opened database. Call it before the file's own
 * beforeEach hooks, which then run on the emptied tables.
 */
export function useTestDatabase(set: (db: Database) => void): void {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
    set(db);
  }, 120_000);
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await truncateAll(db);
  });
}
