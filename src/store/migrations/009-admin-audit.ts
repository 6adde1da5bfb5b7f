import type { Migration } from '../migrate';

// Owned by the admin API (src/admin/audit.ts). admin_audit: one row per mutating admin call (refund, replay,
// discard, retry, …): who (the operator token's label), what, on what, and how it ended. `detail` is JSON
// without secrets. Append-only by convention; the console lists it newest first.
// Two sessions indexes serve the admin reads (src/admin/*-query.ts): a lane's sessions by time (today's count,
// its recent sessions) and every lane's sessions by time (the sessions listing, newest first by cursor).
export const adminAuditMigration: Migration = {
  id: 9,
  name: 'admin-audit',
  sql: `DO $migration$ BEGIN
    CREATE TABLE IF NOT EXISTS admin_audit (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      operator text NOT NULL,
      action text NOT NULL,
      target text,
      outcome text NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE INDEX IF NOT EXISTS admin_audit_at_idx ON admin_audit (at, id);
    CREATE INDEX IF NOT EXISTS sessions_lane_created_idx ON sessions (lane_id, created_at, id);
    CREATE INDEX IF NOT EXISTS sessions_created_idx ON sessions (created_at, id);
  END $migration$`,
};
