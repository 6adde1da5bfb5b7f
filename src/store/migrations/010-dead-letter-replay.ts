import type { Migration } from '../migrate';

// Owned by the dead-letter operations (src/admin/dead-letters*.ts, src/intake/dead-letters-drops.ts).
//
// intake_dead_letters gains what a replay needs of an event that intake dropped (unknown QR, disabled lane,
// stale check-in, payment of unknown reference): the lane (when known), the event type, the QR's msn and
// merchantQrId, and the event's dedup key (the queue's own key: one letter per event, and a replay is the
// same job as a live delivery would have been). The raw body is still kept with its token erased.
//
// customer_token: a check-in's token, kept apart from the body and only while it can still pay — until
// token_expires_at (the check-in's initiatedAt + 15 min), or until the letter is replayed or discarded,
// whichever is first; then a sweep sets it to NULL. It is never listed, rendered, logged or audited.
//
// dead_letter_resolutions: what an operator did with a dead letter of any kind (intake-N, job-N,
// lane-message-<message id>): replayed, stale (a replay that found the token expired) or discarded, when
// and by whom. Dead jobs and lane messages live in their own tables (jobs, outbox): died_at is the dead_at /
// failed_at the resolution was about, so a job or message that dies again after its replay (a new time) is
// open again — compared for equality, never against `at`, so clocks of different processes cannot mix.
export const deadLetterReplayMigration: Migration = {
  id: 10,
  name: 'dead-letter-replay',
  sql: `DO $$ BEGIN
    ALTER TABLE intake_dead_letters
      ADD COLUMN IF NOT EXISTS lane_id text,
      ADD COLUMN IF NOT EXISTS event_type text,
      ADD COLUMN IF NOT EXISTS msn text,
      ADD COLUMN IF NOT EXISTS merchant_qr_id text,
      ADD COLUMN IF NOT EXISTS dedup_key text,
      ADD COLUMN IF NOT EXISTS customer_token text,
      ADD COLUMN IF NOT EXISTS token_expires_at timestamptz;
    CREATE UNIQUE INDEX IF NOT EXISTS intake_dead_letters_dedup_key_idx
      ON intake_dead_letters (dedup_key) WHERE dedup_key IS NOT NULL;
    CREATE INDEX IF NOT EXISTS intake_dead_letters_token_expiry_idx
      ON intake_dead_letters (token_expires_at) WHERE customer_token IS NOT NULL;
    CREATE INDEX IF NOT EXISTS intake_dead_letters_received_idx ON intake_dead_letters (received_at, id);

    CREATE TABLE IF NOT EXISTS dead_letter_resolutions (
      letter_id text PRIMARY KEY,
      kind text NOT NULL,
      resolution text NOT NULL CHECK (resolution IN ('replayed', 'stale', 'discarded')),
      at timestamptz NOT NULL,
      operator text NOT NULL,
      detail text,
      died_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS outbox_failed_idx ON outbox (failed_at, id) WHERE failed_at IS NOT NULL;
  END $$`,
};
