import type { Migration } from '../migrate';

// Owned by the lane session store (src/store/*-repo.ts) and the worker (architecture §2, §3). Plain SQL that
// runs unchanged on embedded PGlite and on a Postgres 15+ server. Times are written from the injected clock.
//
// sessions: one row per lane session. `data` is the Session JSON *without* the customerToken: the token sits
//   in its own nullable column so that erasing it is a visible `UPDATE ... SET customer_token = NULL`.
//   `version` is the optimistic-concurrency counter; `next_deadline` (the earliest armed timer) lets the
//   sweeper find sessions whose timer job went missing.
// open_sales: at most one per lane. The controller API writes a row with `applied = false` (its reservation,
//   so a second POS sale conflicts at once) and queues a sale-opened job; the worker marks it applied when the
//   state machine takes it. Only applied rows are shown to the state machine.
// lane_status: the lane's active session and when a customer last checked in, for the controller API.
// session_history: append-only record of the steps that mattered (never a token); a trigger refuses
//   UPDATE and DELETE.
// outbox: lane messages written in the same transaction as the step that produced them, delivered in `seq`
//   order per lane by the outbox dispatcher (at least once; `id` is the stable lane message id).
// One DO block: PGlite's query() takes a single statement.
export const sessionsMigration: Migration = {
  id: 3,
  name: 'sessions',
  sql: `DO $migration$ BEGIN
    CREATE TABLE IF NOT EXISTS sessions (
      id text PRIMARY KEY,
      lane_id text NOT NULL,
      state text NOT NULL,
      reference text NOT NULL UNIQUE,
      data jsonb NOT NULL,
      customer_token text,
      version integer NOT NULL CHECK (version >= 1),
      final boolean NOT NULL,
      next_deadline timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    -- One active session per lane is the state machine's rule; this index makes finding it cheap.
    CREATE INDEX IF NOT EXISTS sessions_active_by_lane_idx ON sessions (lane_id, created_at) WHERE NOT final;
    CREATE INDEX IF NOT EXISTS sessions_due_idx ON sessions (next_deadline) WHERE NOT final;

    CREATE TABLE IF NOT EXISTS open_sales (
      lane_id text PRIMARY KEY,
      order_id text NOT NULL,
      session_id text,
      applied boolean NOT NULL,
      data jsonb NOT NULL,
      opened_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE IF NOT EXISTS lane_status (
      lane_id text PRIMARY KEY,
      active_session_id text,
      last_seen_at timestamptz,
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE IF NOT EXISTS session_history (
      id bigserial PRIMARY KEY,
      session_id text NOT NULL,
      lane_id text NOT NULL,
      at timestamptz NOT NULL,
      input_type text NOT NULL,
      from_state text,
      to_state text NOT NULL,
      outcome text NOT NULL,
      reason text,
      effects jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS session_history_session_idx ON session_history (session_id, id);
    CREATE INDEX IF NOT EXISTS session_history_lane_idx ON session_history (lane_id, id);

    CREATE OR REPLACE FUNCTION session_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'session_history is append-only';
    END
    $fn$;
    DROP TRIGGER IF EXISTS session_history_append_only_trg ON session_history;
    CREATE TRIGGER session_history_append_only_trg BEFORE UPDATE OR DELETE ON session_history
      FOR EACH ROW EXECUTE FUNCTION session_history_append_only();

    CREATE TABLE IF NOT EXISTS outbox (
      id text PRIMARY KEY,
      lane_id text NOT NULL,
      seq bigserial NOT NULL UNIQUE,
      message jsonb NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      lease_until timestamptz,
      delivered_at timestamptz,
      -- a message the controller refused for good (or whose lane is gone): kept, no longer blocking the lane
      failed_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (lane_id, seq)
      WHERE delivered_at IS NULL AND failed_at IS NULL;
    CREATE INDEX IF NOT EXISTS outbox_delivered_idx ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
  END $migration$`,
};
