// Dead jobs of the SQS queue (QUEUE=sqs): the messages in its FIFO dead-letter queue, read through the
// queue's own DLQ access (src/queue/sqs-dead-letters.ts). Ids are `job-sqs-<MessageId>` (the DLQ message's
// id, stable while it is there), so they never mix with the postgres queue's `job-<n>`.
//
// Same rules as the postgres jobs (dead-letters-jobs.ts): a replay sends the job back to the intake queue in
// its lane's group (once: a second replay answers already_replayed, and SQS deduplicates a resend within 5
// minutes); a dead check-in lost its customer token when it died, so it is recorded stale and never re-sent.
// Unlike a postgres dead row, a resolved DLQ message is deleted (replayed, stale or discarded): left there it
// would hide every later dead job of its lane from the listing (FIFO) and keep the DLQ metric up. Listing a
// FIFO DLQ can be partial (see sqs-dead-letters.ts); the page says so with `partial: true`.
import { holdsCustomerToken } from '../queue/erase-customer-token';
import type { DlqDeadLetters, SqsDeadJob } from '../queue/sqs-dead-letters';
import type { Sql } from '../store/sql';
import {
  type Cursor,
  isAfterCursor,
  type KindListQuery,
  type Sorted,
  sortedLetter,
} from './dead-letters-page';
import { alreadyResolved, coveringResolution, resolve } from './dead-letters-resolutions';
import type { DeadLetterState, DiscardResult, ReplayResult } from './dead-letters-types';

const KIND = 'job';
const KEY_PREFIX = 'sqs-';
/** The most DLQ messages one listing receives. */
const MAX_SCAN = 500;

/** Whether a job key (what follows `job-`) names an SQS DLQ message. */
export function isSqsJobKey(key: string): boolean {
  return key.startsWith(KEY_PREFIX);
}

interface ResolutionRow {
  letter_id: string;
  resolution: DeadLetterState;
  at: Date;
  operator: string;
  died_at: Date | null;
}

function qrOf(job: SqsDeadJob): { msn: string; merchantQrId: string } | null {
  const p = job.envelope?.payload as { msn?: unknown; merchantQrId?: unknown } | null | undefined;
  return typeof p?.msn === 'string' && typeof p.merchantQrId === 'string'
    ? { msn: p.msn, merchantQrId: p.merchantQrId }
    : null;
}

export async function listSqsDeadJobLetters(
  db: Sql,
  queue: DlqDeadLetters,
  q: KindListQuery,
): Promise<{ rows: Sorted[]; partial: boolean }> {
  const { jobs, partial } = await queue.listDead(MAX_SCAN);
  const mine = jobs.filter((j) => q.laneId === undefined || j.group === q.laneId);
  const ids = mine.map((j) => `job-${KEY_PREFIX}${j.id}`);
  const { rows: resolutions } = await db.query<ResolutionRow>(
    `SELECT letter_id, resolution, at, operator, died_at FROM dead_letter_resolutions WHERE letter_id = ANY($1::text[])`,
    [ids],
  );
  const byId = new Map(resolutions.map((r) => [r.letter_id, r]));
  const rows = mine
    .map((j) => {
      const r = byId.get(`job-${KEY_PREFIX}${j.id}`);
      // A resolution covers the message only if it is about this death (a delete that failed after it).
      const c = r?.died_at && new Date(r.died_at).getTime() === j.deadAt.getTime() ? r : undefined;
      return sortedLetter(
        KIND,
        {
          key: `${KEY_PREFIX}${j.id}`,
          at: j.deadAt,
          state: c ? c.resolution : 'open',
          resolved_at: c ? c.at : null,
          resolved_by: c ? c.operator : null,
        },
        {
          reason: 'job_dead',
          detail: j.lastError,
          laneId: j.group,
          eventType: j.type,
          qr: qrOf(j),
          attempts: j.attempt,
          replayableUntil: null,
        },
      );
    })
    .filter((s) => q.state === 'all' || s.letter.state === q.state)
    .filter((s) => afterCursor(s, q.cursor));
  return { rows: rows.slice(0, q.limit + 1), partial };
}

function afterCursor(s: Sorted, cursor: Cursor | undefined): boolean {
  return cursor === undefined || isAfterCursor(s, cursor);
}

/** The DLQ message behind `key`, or the answer when a resolution already covers it (replay and discard alike). */
async function findUnresolved(db: Sql, queue: DlqDeadLetters, id: string, key: string) {
  const messageId = key.slice(KEY_PREFIX.length);
  const dead = await queue.findDead(messageId);
  const covered = await coveringResolution(db, id, dead?.deadAt);
  return { messageId, dead, answered: covered ? alreadyResolved(id, covered) : undefined };
}

export async function replaySqsDeadJob(
  db: Sql,
  queue: DlqDeadLetters,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<ReplayResult> {
  const { messageId, dead, answered } = await findUnresolved(db, queue, id, key);
  if (answered) return answered;
  if (!dead) return { id, outcome: 'not_found' };
  if (dead.envelope === null) return { id, outcome: 'not_replayable' };
  const letter = { id, kind: KIND } as const;
  if (dead.type === 'checkin' && !holdsCustomerToken(dead.envelope.payload)) {
    if (!(await queue.deleteDead(messageId))) return { id, outcome: 'not_found' };
    await resolve(db, letter, 'stale', operator, now, 'a dead check-in keeps no customer token', dead.deadAt);
    return { id, outcome: 'stale' };
  }
  if (!(await queue.replayDead(messageId))) return { id, outcome: 'not_found' };
  await resolve(db, letter, 'replayed', operator, now, undefined, dead.deadAt);
  return { id, outcome: 'replayed', jobId: messageId };
}

export async function discardSqsDeadJob(
  db: Sql,
  queue: DlqDeadLetters,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<DiscardResult> {
  const { messageId, dead, answered } = await findUnresolved(db, queue, id, key);
  if (answered) return answered;
  if (!dead || !(await queue.deleteDead(messageId))) return { id, outcome: 'not_found' };
  await resolve(db, { id, kind: KIND }, 'discarded', operator, now, undefined, dead.deadAt);
  return { id, outcome: 'discarded' };
}
