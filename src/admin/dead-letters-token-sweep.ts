// A dropped check-in keeps its customer token (intake_dead_letters.customer_token, migration 010) only while
// the token can pay: this sweep erases every token past its token_expires_at (initiatedAt + 15 min). It runs
// every 30 s in each gateway process that serves intake or the admin API, and before every dead-letter list,
// count or replay, so an expired token is never used and lives at most one interval after it expired.
// Replay and discard erase a letter's token at once (dead-letters-intake.ts).
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Sql } from '../store/sql';

export const TOKEN_SWEEP_INTERVAL_MS = 30_000;

/** Erases the tokens expired at `now`; returns how many. */
export async function eraseExpiredDeadLetterTokens(db: Sql, now: Date): Promise<number> {
  const r = await db.query(
    `UPDATE intake_dead_letters SET customer_token = NULL
     WHERE customer_token IS NOT NULL AND token_expires_at <= $1`,
    [now],
  );
  return r.affectedRows;
}

export interface TokenSweep {
  stop(): void;
}

export function startDeadLetterTokenSweep(o: {
  readonly db: Sql;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs?: number;
}): TokenSweep {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    eraseExpiredDeadLetterTokens(o.db, o.clock.now())
      .then((n) => {
        if (n > 0) o.logger.info('expired customer tokens erased from dead letters', { erased: n });
      })
      .catch((err: unknown) => o.logger.warn('dead-letter token sweep failed; retrying', { err }))
      .finally(() => {
        running = false;
      });
  }, o.intervalMs ?? TOKEN_SWEEP_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
