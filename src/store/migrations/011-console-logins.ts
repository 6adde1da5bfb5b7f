import type { Migration } from '../migrate';

// Owned by the operator console (src/admin/console/console-sessions.ts). Console logins and one-time login
// codes live in the store, so every process serving the admin listener (several `serve` tasks) knows them and a
// restart keeps operators logged in. Only SHA-256 hashes of the cookie value and of the codes are stored: a
// copy of the table logs nobody in. A code is used up by the DELETE that redeems it, once across processes.
export const consoleLoginsMigration: Migration = {
  id: 11,
  name: 'console-logins',
  sql: `DO $migration$ BEGIN
    CREATE TABLE IF NOT EXISTS console_logins (
      id_hash text PRIMARY KEY,
      operator text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS console_logins_expires_idx ON console_logins (expires_at);
    CREATE TABLE IF NOT EXISTS console_login_codes (
      code_hash text PRIMARY KEY,
      operator text NOT NULL,
      expires_at timestamptz NOT NULL
    );
  END $migration$`,
};
