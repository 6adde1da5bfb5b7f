// Dead jobs of the postgres queue (jobs rows in state 'dead', src/queue/postgres-job-store.ts). A replay puts
// the job back through the queue's own replayDead (a fresh delivery, attempts start over, consumers woken):
// the lane machine then applies it as it would a live one, and every effect is idempotent (derived ids). A
// dead check-in job lost its customer token when it died (erase-customer-token.ts): it can never pay, so it is
// recorded stale and left dead rather than queued. With the SQS queue, dead jobs are in the SQS DLQ, which
// this list does not read (see README-C: "SQS").
import { holdsCustomerToken } from '../queue/erase-customer-token';
import type { DeadLetters } from '../queue/queue';
import type { Sql } from '../store/sql';
import { afterCursorSql, type Cursor, type Sorted } from './dead-letters-page';
import { alreadyResolved, resolutionOf, resolve, stateSql } from './dead-letters-resolutions';
import type { DeadLetter, DeadLetterState, DiscardResult, ReplayResult } from './dead-letters-types';

const KIND = 'job';

export interface JobListQuery {
  readonly laneId: string | undefined;
  readonly state: DeadLetterState | 'all';
  readonly limit: number;
  readonly cursor: Cursor | undefined;
}

interface Row {
  key: string;
  at: Date;
  last_error: string | null;
  grp: string;
  type: string;
  attempt: number;
  msn: string | null;
  merchant_qr_id: string | null;
  state: DeadLetterState;
  resolved_at: Date | null;
  resolved_by: string | null;
}

export async function listDeadJobLetters(db: Sql, q: JobListQuery): Promise<Sorted[]> {
  const params: unknown[] = [q.laneId ?? null, q.state];
  const after = afterCursorSql(KIND, 'x.at', 'x.num', q.cursor, params, 'bigint');
  params.push(q.limit + 1);
  const { rows } = await db.query<Row>(
    `SELECT * FROM (
       SELECT j.id::text AS key, j.id AS num, date_trunc('milliseconds', j.dead_at) AS at, j.last_error, j.grp,
         j.type, j.attempt, j.payload->>'msn' AS msn, j.payload->>'merchantQrId' AS merchant_qr_id,
         ${stateSql('j.dead_at')} AS state, r.at AS resolved_at, r.operator AS resolved_by
       FROM jobs j LEFT JOIN dead_letter_resolutions r ON r.letter_id = 'job-' || j.id::text
       WHERE j.state = 'dead' AND ($1::text IS NULL OR j.grp = $1)
     ) x WHERE ($2::text = 'all' OR x.state = $2::text) AND ${after}
     ORDER BY x.at DESC, x.num DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => {
    const letter: DeadLetter = {
      id: `job-${r.key}`,
      kind: KIND,
      at: new Date(r.at).toISOString(),
      reason: 'job_dead',
      detail: r.last_error,
      laneId: r.grp,
      eventType: r.type,
      qr: r.msn !== null && r.merchant_qr_id !== null ? { msn: r.msn, merchantQrId: r.merchant_qr_id } : null,
      attempts: Number(r.attempt),
      state: r.state,
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
      resolvedBy: r.resolved_by,
      replayableUntil: null,
    };
    return { letter, atMs: new Date(r.at).getTime(), key: r.key };
  });
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

/** The dead row and whether an earlier resolution still covers it (it did not die again since). */
async function current(db: Sql, id: string, key: string) {
  const dead = await loadDead(db, key);
  const done = await resolutionOf(db, id);
  const covered = done && (!dead || new Date(dead.dead_at).getTime() <= done.at.getTime()) ? done : undefined;
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
  if (dead.type === 'checkin' && !holdsCustomerToken(dead.payload)) {
    await resolve(db, letter, 'stale', operator, now, 'a dead check-in keeps no customer token');
    return { id, outcome: 'stale' };
  }
  if (!(await queue.replayDead(key))) return { id, outcome: 'not_found' };
  await resolve(db, letter, 'replayed', operator, now);
  return { id, outcome: 'replayed', jobId: key };
}

export async function discardDeadJob(
  db: Sql,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<DiscardResult> {
  const { dead, covered } = await current(db, id, key);
  if (covered) return alreadyResolved(id, covered);
  if (!dead) return { id, outcome: 'not_found' };
  await resolve(db, { id, kind: KIND }, 'discarded', operator, now);
  return { id, outcome: 'discarded' };
}
