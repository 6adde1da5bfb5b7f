import type { Migration } from '../migrate';

// Owned by the postgres queue adapter (src/queue/postgres-queue.ts).
export const queueMigration: Migration = {
  id: 1,
  name: 'queue',
  sql: `SELECT 1`,
};
