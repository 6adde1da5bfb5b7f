// Lane messages given up on (outbox rows with failed_at: the controller refused them for good, or their lane
// left the lanes file; src/sessions/outbox-dispatcher.ts). A replay makes the message pending and due now:
// it goes back into its lane's order by its original seq, ahead of the lane's later pending messages, and the
// controller deduplicates it by its stable id. Lane messages never carry a customer token.
import type { Sql } from '../store/sql';
import {
  type KindListQuery,
  type KindRow,
  listKindRows,
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

const KIND = 'lane-message';

interface Row extends KindRow {
  last_error: string | null;
  lane_id: string;
  type: string | null;
  attempts: number;
}

/** The dispatcher's words for a lane that left the lanes file (outbox-dispatcher.ts). */
const LANE_GONE = 'the lane is no longer in the lanes file';

export async function listFailedLaneMessages(db: Sql, q: KindListQuery): Promise<Sorted[]> {
  const rows = await listKindRows<Row>(
    db,
    KIND,
    q,
    `SELECT o.id AS key, date_trunc('milliseconds', o.failed_at) AS at, o.last_error, o.lane_id,
       o.message->>'type' AS type, o.attempts, ${stateSql('o.failed_at')} AS state, r.at AS resolved_at,
       r.operator AS resolved_by
     FROM outbox o LEFT JOIN dead_letter_resolutions r ON r.letter_id = 'lane-message-' || o.id
     WHERE o.failed_at IS NOT NULL AND ($1::text IS NULL OR o.lane_id = $1)`,
  );
  return rows.map((r) =>
    sortedLetter(KIND, r, {
      reason: r.last_error === LANE_GONE ? 'lane_removed' : 'delivery_refused',
      detail: r.last_error,
      laneId: r.lane_id,
      eventType: r.type,
      qr: null,
      attempts: Number(r.attempts),
      replayableUntil: null,
    }),
  );
}

async function failedAt(db: Sql, key: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ failed_at: Date }>(
    'SELECT failed_at FROM outbox WHERE id = $1 AND failed_at IS NOT NULL',
    [key],
  );
  const r = rows[0];
  return r ? new Date(r.failed_at) : undefined;
}

async function current(db: Sql, id: string, key: string) {
  const failed = await failedAt(db, key);
  return { failed, covered: await coveringResolution(db, id, failed) };
}

export async function replayLaneMessage(
  db: Sql,
  id: string,
  key: string,
  operator: string,
  now: Date,
  wakeOutbox: () => void,
): Promise<ReplayResult> {
  const { failed, covered } = await current(db, id, key);
  if (covered) return alreadyResolved(id, covered);
  if (!failed) return { id, outcome: 'not_found' };
  const r = await db.query(
    `UPDATE outbox SET failed_at = NULL, next_attempt_at = $2, lease_until = NULL
     WHERE id = $1 AND failed_at IS NOT NULL`,
    [key, now],
  );
  if (r.affectedRows !== 1) return { id, outcome: 'not_found' };
  await resolve(db, { id, kind: KIND }, 'replayed', operator, now, undefined, failed);
  wakeOutbox();
  return { id, outcome: 'replayed' };
}

export async function discardLaneMessage(
  db: Sql,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<DiscardResult> {
  return discardLetter(db, { id, kind: KIND }, await failedAt(db, key), operator, now);
}
