import type { Migration } from '../migrate';

// Owned by the settlement (src/settlement/, architecture §2 "Settlement: the money after the session").
// settlements: one row per payment whose session ended, keyed by the ePayment reference. `data` is the
//   Settlement JSON; status, reason, next_attempt_at and version are columns too (the columns win on read), so
//   a late event can re-open a settled one with a plain UPDATE and the runner finds due work by index.
//   lease_until: a runner working on it (several `work` tasks in the AWS profile).
// payment_calls: append-only record of every ePayment call made for a payment and Vipps's answer (status,
//   error code, traceId) — `payments show` prints it. Never a token or a secret.
export const settlementsMigration: Migration = {
  id: 6,
  name: 'settlements',
  sql: `DO $migration$ BEGIN
    CREATE TABLE IF NOT EXISTS settlements (
      reference text PRIMARY KEY,
      session_id text NOT NULL UNIQUE,
      lane_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'settled', 'needs-attention')),
      reason text,
      data jsonb NOT NULL,
      next_attempt_at timestamptz,
      lease_until timestamptz,
      version integer NOT NULL CHECK (version >= 1),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS settlements_due_idx ON settlements (next_attempt_at) WHERE status = 'open';
    CREATE INDEX IF NOT EXISTS settlements_created_idx ON settlements (created_at);
    CREATE INDEX IF NOT EXISTS settlements_lane_idx ON settlements (lane_id, created_at);
    CREATE INDEX IF NOT EXISTS settlements_not_settled_idx ON settlements (created_at) WHERE status <> 'settled';

    CREATE TABLE IF NOT EXISTS payment_calls (
      id bigserial PRIMARY KEY,
      reference text NOT NULL,
      at timestamptz NOT NULL,
      source text NOT NULL,
      operation text NOT NULL,
      outcome text NOT NULL,
      amount bigint,
      status integer,
      code text,
      trace_id text,
      idempotency_key text
    );
    CREATE INDEX IF NOT EXISTS payment_calls_reference_idx ON payment_calls (reference, id);
  END $migration$`,
};
