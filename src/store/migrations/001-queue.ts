import type { Migration } from '../migrate';

// Owned by the postgres queue adapter (src/queue/postgres-queue.ts). Plain SQL that runs unchanged on embedded
// PGlite and on a Postgres 15+ server (several consumers in different processes).
//
// jobs: one row per job still to run (state 'ready' or 'leased') or given up on ('dead', kept for replay).
//   An acked job is DELETED, not kept as 'done': payloads can carry a customerToken, a secret that must not
//   outlive its use (architecture §2), and a small table keeps claims cheap.
// job_keys: the dedup keys of every job enqueued, kept after the job is acked so a re-delivery of the same
//   event is still recognised as a duplicate. Vipps retries a webhook for up to 7 days, so keys are pruned
//   after a retention of 7 days by default, and only once no job row uses them any more.
// All times are written from the adapter's injected clock (never SQL now()), so every comparison uses one
// time source and tests can drive it.
// One DO block: PGlite's query() takes a single statement (extended protocol), so the DDL is wrapped.
export const queueMigration: Migration = {
  id: 1,
  name: 'queue',
  sql: `DO $$ BEGIN
    CREATE TABLE IF NOT EXISTS jobs (
      id bigserial PRIMARY KEY,
      grp text NOT NULL,
      type text NOT NULL,
      dedup_key text NOT NULL UNIQUE,
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'leased', 'dead')),
      -- deliveries so far; counted up when a job is claimed, so a job being worked on has attempt >= 1
      attempt integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL,
      lease_until timestamptz,
      leased_by text,
      last_error text,
      enqueued_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      dead_at timestamptz
    );

    -- The head of each group (the job a claim looks at): runnable jobs by group, then ready order.
    CREATE INDEX IF NOT EXISTS jobs_group_order_idx ON jobs (grp, available_at, id) WHERE state <> 'dead';
    -- One job in flight per group, enforced by the database as well as by the claim query.
    CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_leased_per_group_idx ON jobs (grp) WHERE state = 'leased';
    CREATE INDEX IF NOT EXISTS jobs_dead_idx ON jobs (dead_at, id) WHERE state = 'dead';

    CREATE TABLE IF NOT EXISTS job_keys (
      dedup_key text PRIMARY KEY,
      job_id bigint NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS job_keys_created_at_idx ON job_keys (created_at);
  END $$`,
};
