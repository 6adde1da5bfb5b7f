// Dead jobs of the postgres queue (jobs rows in state 'dead', src/queue/postgres-job-store.ts). A replay puts
// the job back through the queue's own replayDead (a fresh delivery, attempts start over, consumers woken):
// the lane machine then applies it as it would a live one, and every effect is idempotent (derived ids). A
// dead check-in job lost its customer token when it died (erase-customer-token.ts): it can never pay, so it is
// recorded stale and left dead rather than queued. With the SQS queue, dead jobs are in the SQS DLQ:
// dead-letters-sqs.ts.
import { holdsCustomerToken } from '../queue/erase-customer-token';
import type { DeadLetters } from '../queue/queue';
import type { Sql } from '../store/sql';
import {
  type KindListQuery,
  type KindRow,
  listKindRows,
  qrOfRow,
  type Sorted,
  sortedLetter,
} from './dead-letters-page';
import {
  alreadyResolved,
  coveringResolution,
  discardLetter,
  resolve,
  stateSql,
} from './dead-letters-resolutions';
import type { DiscardResult, ReplayResult } from './dead-letters-types';

const KIND = 'job';

interface Row extends KindRow {
  last_error: string | null;
  grp: string;
  type: string;
  attempt: number;
  msn: string | null;
  merchant_qr_id: string | null;
}

export async function listDeadJobLetters(db: Sql, q: KindListQuery): Promise<Sorted[]> {
  const rows = await listKindRows<Row>(
    db,
    KIND,
    q,
    `SELECT j.id::text AS key, date_trunc('milliseconds', j.dead_at) AS at, j.last_error, j.grp, j.type, j.attempt,
       j.payload->>'msn' AS msn, j.payload->>'merchantQrId' AS merchant_qr_id,
       ${stateSql('j.dead_at')} AS state, r.at AS resolved_at, r.operator AS resolved_by
     FROM jobs j LEFT JOIN dead_letter_resolutions r ON r.letter_id = 'job-' || j.id::text
     WHERE j.state = 'dead' AND ($1::text IS NULL OR j.grp = $1)`,
  );
  return rows.map((r) =>
    sortedLetter(KIND, r, {
      reason: 'job_dead',
      detail: r.last_error,
      laneId: r.grp,
      eventType: r.type,
      qr: qrOfRow(r),
      attempts: Number(r.attempt),
      replayableUntil: null,
    }),
  );
}

interface DeadRow {
  type: string;
  payload: unknown;
  dead_at: Date;
}

async function loadDead(db: Sql, key: string): Promise<DeadRow | undefined> {
  const { rows } = await db.query<DeadRow>(
    `SELECT type, payload, dead_at FROM jobs WHERE id = $1::bigint AND state = 'dead'`,
    [key],
  );
  return rows[0];
}

/** The dead row and the resolution that still covers it, if any. */
async function current(db: Sql, id: string, key: string) {
  const dead = await loadDead(db, key);
  const covered = await coveringResolution(db, id, dead ? new Date(dead.dead_at) : undefined);
  return { dead, covered };
}

export async function replayDeadJob(
  db: Sql,
  queue: Partial<DeadLetters>,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<ReplayResult> {
  const { dead, covered } = await current(db, id, key);
  if (covered) return alreadyResolved(id, covered);
  if (!dead || !queue.replayDead) return { id, outcome: 'not_found' };
  const letter = { id, kind: KIND } as const;
  const diedAt = new Date(dead.dead_at);
  if (dead.type === 'checkin' && !holdsCustomerToken(dead.payload)) {
    await resolve(db, letter, 'stale', operator, now, 'a dead check-in keeps no customer token', diedAt);
    return { id, outcome: 'stale' };
  }
  if (!(await queue.replayDead(key))) return { id, outcome: 'not_found' };
  await resolve(db, letter, 'replayed', operator, now, undefined, diedAt);
  return { id, outcome: 'replayed', jobId: key };
}

export async function discardDeadJob(
  db: Sql,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<DiscardResult> {
  const dead = await loadDead(db, key);
  return discardLetter(db, { id, kind: KIND }, dead ? new Date(dead.dead_at) : undefined, operator, now);
}
