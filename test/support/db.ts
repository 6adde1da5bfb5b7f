// One PGlite per test file (opening one costs seconds); tables are truncated between tests.
import { openPglite } from '../../src/store/pglite';
import { migrate } from '../../src/store/migrate';
import type { Database } from '../../src/store/sql';

export async function openTestDatabase(): Promise<Database> {
  const db = await openPglite('memory://');
  await migrate(db);
  return db;
}

export async function truncateAll(db: Database): Promise<void> {
  const { rows } = await db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
  );
  if (rows.length > 0)
    await db.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY`);
}
