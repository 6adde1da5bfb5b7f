// Dead letters of every kind, for operators (issue 14): list and count them, replay them safely, discard them.
// Kinds and what a replay does: dead-letters-intake.ts (intake drops: through intake again, same dedup and
// staleness rules as a live delivery), dead-letters-jobs.ts (dead queue jobs), dead-letters-lane-messages.ts
// (lane messages given up on). Acting twice does nothing twice: a resolved letter answers `already_<what>`,
// and an intake replay is the same queue job as any other delivery of the event (its dedup key).
// Every replay and discard is audited (audit.ts): operator label, action, target id, outcome. Nothing here
// lists, returns, logs or audits a customer token.
import type { Clock } from '../clock';
import type { IntakeDeps } from '../intake/intake';
import type { LaneRegistry } from '../lanes/lane';
import type { DeadLetters, Queue } from '../queue/queue';
import { isDlqDeadLetters } from '../queue/sqs-dead-letters';
import type { Sql } from '../store/sql';
import { audit, type AuditContext } from './audit';
import { discardIntakeLetter, listIntakeLetters, replayIntakeLetter } from './dead-letters-intake';
import { discardDeadJob, listDeadJobLetters, replayDeadJob } from './dead-letters-jobs';
import { discardSqsDeadJob, isSqsJobKey, listSqsDeadJobLetters, replaySqsDeadJob } from './dead-letters-sqs';
import { discardLaneMessage, listFailedLaneMessages, replayLaneMessage } from './dead-letters-lane-messages';
import { type Cursor, decodeCursor, mergePage, type Sorted } from './dead-letters-page';
import { eraseExpiredDeadLetterTokens } from './dead-letters-token-sweep';
import {
  DEAD_LETTER_KINDS,
  type DeadLetterCounts,
  type DeadLetterKind,
  type DeadLetterPage,
  type DeadLetterQuery,
  type DiscardResult,
  type ReplayResult,
} from './dead-letters-types';

export interface DeadLetterDeps {
  readonly db: Sql;
  readonly clock: Clock;
  readonly lanes: () => LaneRegistry;
  /** The postgres queue offers replayDead; the SQS queue its dead-letter queue (dead-letters-sqs.ts). */
  readonly queue: Queue & Partial<DeadLetters>;
  /** CHECKIN_MAX_AGE_S: a replayed check-in meets the same cutoff as a live one. */
  readonly checkinMaxAgeS: number;
  readonly resolveReference: IntakeDeps['resolveReference'];
  readonly audit: AuditContext;
  /** Wakes the in-process outbox dispatcher (absent in a `serve` process: the workers poll). */
  readonly wakeOutbox?: () => void;
}

export interface DeadLetterService {
  list(q?: DeadLetterQuery): Promise<DeadLetterPage>;
  /** Open letters per kind. */
  counts(): Promise<DeadLetterCounts>;
  replay(ids: readonly string[], operator: string): Promise<ReplayResult[]>;
  discard(ids: readonly string[], operator: string): Promise<DiscardResult[]>;
}

/** A query the service refuses: the route answers 400 with `code`. */
export class DeadLetterQueryError extends Error {
  constructor(
    readonly code: 'invalid_cursor' | 'invalid_dead_letter_id',
    message: string,
  ) {
    super(message);
    this.name = 'DeadLetterQueryError';
  }
}

const ID_PATTERNS: readonly [DeadLetterKind, RegExp][] = [
  ['intake', /^intake-([1-9][0-9]{0,17})$/],
  ['job', /^job-([1-9][0-9]{0,17})$/],
  ['job', /^job-(sqs-[A-Za-z0-9-]{1,100})$/],
  ['lane-message', /^lane-message-([A-Za-z0-9._:-]{1,200})$/],
];

/** The kind and the id within it, or undefined for text that is no dead-letter id. */
export function parseDeadLetterId(id: string): { kind: DeadLetterKind; key: string } | undefined {
  for (const [kind, pattern] of ID_PATTERNS) {
    const key = pattern.exec(id)?.[1];
    if (key !== undefined) return { kind, key };
  }
  return undefined;
}

/**
 * Open dead letters per kind (checkin_dead_letters{kind}: an alarm on it clears once the operator replayed
 * or discarded them), and how many dead rows the jobs table holds at all: none with the SQS queue, whose
 * dead-letter queue is counted by the queue itself (scrape-gauges.ts).
 */
export async function countOpenDeadLetters(db: Sql): Promise<DeadLetterCounts & { deadJobRows: number }> {
  const { rows } = await db.query<{
    intake: number;
    job: number;
    lane_message: number;
    dead_job_rows: number;
  }>(
    `SELECT
       (SELECT count(*) FROM intake_dead_letters d
          WHERE NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.letter_id = 'intake-' || d.id::text))::int AS intake,
       (SELECT count(*) FROM jobs j
          WHERE j.state = 'dead' AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r
            WHERE r.letter_id = 'job-' || j.id::text AND r.died_at = j.dead_at))::int AS job,
       (SELECT count(*) FROM outbox o
          WHERE o.failed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r
            WHERE r.letter_id = 'lane-message-' || o.id AND r.died_at = o.failed_at))::int AS lane_message,
       (SELECT count(*) FROM jobs WHERE state = 'dead')::int AS dead_job_rows`,
  );
  const r = rows[0];
  return {
    intake: Number(r?.intake ?? 0),
    job: Number(r?.job ?? 0),
    'lane-message': Number(r?.lane_message ?? 0),
    deadJobRows: Number(r?.dead_job_rows ?? 0),
  };
}

export const MAX_IDS_PER_CALL = 100;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export function createDeadLetterService(deps: DeadLetterDeps): DeadLetterService {
  const { db, clock } = deps;
  const maxAgeS = (qr: { msn: string; merchantQrId: string }): number =>
    deps.lanes().byQr(qr.msn, qr.merchantQrId)?.checkinMaxAgeS ?? deps.checkinMaxAgeS;

  const dlq = isDlqDeadLetters(deps.queue) ? deps.queue : undefined;

  async function listKind(kind: DeadLetterKind, q: ListArgs, partial: { on: boolean }): Promise<Sorted[]> {
    if (kind === 'intake') return listIntakeLetters(db, q, maxAgeS, clock.now());
    if (kind === 'job' && dlq) {
      const listed = await listSqsDeadJobLetters(db, dlq, q);
      partial.on = listed.partial;
      return listed.rows;
    }
    if (kind === 'job') return listDeadJobLetters(db, q);
    return listFailedLaneMessages(db, q);
  }

  async function act<R extends { outcome: string }>(
    ids: readonly string[],
    operator: string,
    action: 'dead-letter.replay' | 'dead-letter.discard',
    one: (id: string, kind: DeadLetterKind, key: string) => Promise<R>,
  ): Promise<R[]> {
    const parsed = ids.map((id) => ({ id, ref: parseDeadLetterId(id) }));
    const bad = parsed.find((p) => !p.ref);
    if (bad)
      throw new DeadLetterQueryError(
        'invalid_dead_letter_id',
        `not a dead-letter id: ${JSON.stringify(bad.id.slice(0, 80))}`,
      );
    await eraseExpiredDeadLetterTokens(db, clock.now());
    const results: R[] = [];
    // One at a time, in the order given: two ids of one lane are replayed in the operator's order.
    for (const { id, ref } of parsed) {
      if (!ref) continue;
      const r = await one(id, ref.kind, ref.key);
      await audit(deps.audit, {
        operator,
        action,
        target: id,
        outcome: r.outcome,
        detail: { kind: ref.kind },
      });
      results.push(r);
    }
    return results;
  }

  return {
    async list(q = {}) {
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && !cursor)
        throw new DeadLetterQueryError('invalid_cursor', 'cursor is not a nextCursor this gateway returned');
      await eraseExpiredDeadLetterTokens(db, clock.now());
      const limit = Math.min(Math.max(Math.floor(q.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
      const args: ListArgs = { laneId: q.laneId, state: q.state ?? 'open', limit, cursor };
      const kinds = q.kind ? [q.kind] : DEAD_LETTER_KINDS;
      const partial = { on: false };
      const page = mergePage(await Promise.all(kinds.map((k) => listKind(k, args, partial))), limit);
      return partial.on ? { ...page, partial: true } : page;
    },

    async counts() {
      const { intake, job, 'lane-message': laneMessage } = await countOpenDeadLetters(db);
      // With SQS every message in the dead-letter queue is open (a resolved one is deleted); SQS's count.
      const jobs = dlq ? (await deps.queue.stats()).dead : job;
      return { intake, job: jobs, 'lane-message': laneMessage };
    },

    replay(ids, operator) {
      return act(ids, operator, 'dead-letter.replay', (id, kind, key) => {
        const now = clock.now();
        if (kind === 'intake') return replayIntakeLetter(deps, id, key, operator);
        if (kind === 'job' && isSqsJobKey(key))
          return dlq ? replaySqsDeadJob(db, dlq, id, key, operator, now) : notFound(id);
        if (kind === 'job') return replayDeadJob(db, deps.queue, id, key, operator, now);
        return replayLaneMessage(db, id, key, operator, now, deps.wakeOutbox ?? (() => undefined));
      });
    },

    discard(ids, operator) {
      return act(ids, operator, 'dead-letter.discard', (id, kind, key) => {
        const now = clock.now();
        if (kind === 'intake') return discardIntakeLetter(db, id, key, operator, now);
        if (kind === 'job' && isSqsJobKey(key))
          return dlq ? discardSqsDeadJob(db, dlq, id, key, operator, now) : notFound(id);
        if (kind === 'job') return discardDeadJob(db, id, key, operator, now);
        return discardLaneMessage(db, id, key, operator, now);
      });
    },
  };
}

/** A `job-sqs-…` id on a gateway whose queue is not SQS. */
async function notFound(id: string): Promise<{ id: string; outcome: 'not_found' }> {
  return { id, outcome: 'not_found' };
}

interface ListArgs {
  readonly laneId: string | undefined;
  readonly state: NonNullable<DeadLetterQuery['state']>;
  readonly limit: number;
  readonly cursor: Cursor | undefined;
}
