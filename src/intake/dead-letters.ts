// Signed bodies the gateway cannot use are kept for inspection (migration 002): nothing signed is thrown away
// silently. Read them with `SELECT reason, detail, convert_from(raw_body, 'UTF8') FROM intake_dead_letters`.
import type { Sql } from '../store/sql';

export interface DeadLetter {
  readonly reason: string;
  readonly detail: string;
  readonly contentType: string | undefined;
  readonly rawBody: Buffer;
}

export async function recordDeadLetter(sql: Sql, letter: DeadLetter): Promise<void> {
  await sql.query(
    'INSERT INTO intake_dead_letters (reason, detail, content_type, raw_body) VALUES ($1, $2, $3, $4)',
    [letter.reason, letter.detail, letter.contentType ?? null, letter.rawBody],
  );
}
