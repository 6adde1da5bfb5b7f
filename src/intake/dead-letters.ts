// Signed bodies the gateway cannot use are kept for inspection (migration 002): nothing signed is thrown away
// silently. Read them with `SELECT reason, detail, convert_from(raw_body, 'UTF8') FROM intake_dead_letters`.
// A body that holds a customer token (a check-in with a bad field) is kept with the token erased
// (architecture §2; erase-customer-token.ts): the one thing kept that is not the bytes Vipps signed. Every
// other body, including bytes that are not UTF-8, is kept exactly.
import { eraseCustomerTokenInText } from '../queue/erase-customer-token';
import type { Sql } from '../store/sql';

export interface DeadLetter {
  readonly reason: string;
  readonly detail: string;
  readonly contentType: string | undefined;
  readonly rawBody: Buffer;
}

/** The body to keep: decoded, scrubbed and encoded again only when it has a token to erase. */
export function keptBody(rawBody: Buffer): Buffer {
  const text = rawBody.toString('utf8');
  const kept = eraseCustomerTokenInText(text);
  return kept === text ? rawBody : Buffer.from(kept, 'utf8');
}

export async function recordDeadLetter(sql: Sql, letter: DeadLetter): Promise<void> {
  await sql.query(
    'INSERT INTO intake_dead_letters (reason, detail, content_type, raw_body) VALUES ($1, $2, $3, $4)',
    [letter.reason, letter.detail, letter.contentType ?? null, keptBody(letter.rawBody)],
  );
}
