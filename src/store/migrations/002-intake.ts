import type { Migration } from '../migrate';

// Signed bodies that could not be used are kept for inspection: nothing signed is thrown away silently.
export const intakeMigration: Migration = {
  id: 2,
  name: 'intake-dead-letters',
  sql: `
    CREATE TABLE IF NOT EXISTS intake_dead_letters (
      id bigserial PRIMARY KEY,
      received_at timestamptz NOT NULL DEFAULT now(),
      reason text NOT NULL,
      detail text,
      content_type text,
      raw_body bytea NOT NULL
    );
  `,
};
