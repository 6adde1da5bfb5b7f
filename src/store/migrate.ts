// Forward-only migrations, applied in order inside one transaction each. A session-level advisory lock
// makes concurrent starts (several instances on one Postgres server) apply each migration exactly once.
import type { Sql } from './sql';
import { migrations } from './migrations';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

const LOCK_KEY = 727_001; // arbitrary, stable: "checkin-gateway migrations"

export async function migrate(db: Sql, list: readonly Migration[] = migrations): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => Number(r.id)),
    );
    const applied: number[] = [];
    for (const m of [...list].sort((a, b) => a.id - b.id)) {
      if (done.has(m.id)) continue;
      await tx.query(m.sql);
      await tx.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      applied.push(m.id);
    }
    return applied;
  });
}
