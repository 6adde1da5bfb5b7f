// The lane-message outbox: messages are written in the transaction of the step that produced them and
// delivered afterwards, in `seq` order per lane, at least once. The head of a lane (its oldest message not yet
// delivered or given up on) blocks the rest of that lane; a short lease on the head keeps two dispatchers
// (several worker processes on one Postgres) from sending a lane's messages at the same time. The holder renews
// it while it sends (src/lease-heartbeat.ts) and passes the end it last wrote (`heldUntil`) to every write: a
// row whose lease now ends elsewhere was taken over, and the write leaves it to its new holder.
import type { LaneMessage } from '../sessions/lane-message';
import type { Sql, Statement } from './sql';

export interface OutboxEntry {
  readonly id: string;
  readonly laneId: string;
  readonly seq: string;
  readonly message: LaneMessage;
  /** Delivery attempts that failed so far. */
  readonly attempts: number;
}

export interface StoredOutboxEntry extends OutboxEntry {
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date;
}

interface OutboxRow {
  id: string;
  lane_id: string;
  seq: string;
  message: LaneMessage;
  attempts: number;
}

const PENDING = 'delivered_at IS NULL AND failed_at IS NULL';

function entry(r: OutboxRow): OutboxEntry {
  return { id: r.id, laneId: r.lane_id, seq: r.seq, message: r.message, attempts: Number(r.attempts) };
}

function firstEntry(rows: OutboxRow[]): OutboxEntry | null {
  const row = rows[0];
  return row ? entry(row) : null;
}

/** Adds messages in the given order; a message id already present is left alone. Returns how many were new. */
export async function addToOutbox(sql: Sql, messages: readonly LaneMessage[], now: Date): Promise<number> {
  let added = 0;
  for (const s of addToOutboxStatements(messages, now))
    added += (await sql.query(s.text, s.params)).affectedRows;
  return added;
}

export function addToOutboxStatements(messages: readonly LaneMessage[], now: Date): Statement[] {
  return messages.map((m) => ({
    text: `INSERT INTO outbox (id, lane_id, message, next_attempt_at, created_at) VALUES ($1, $2, $3::jsonb, $4, $4)
       ON CONFLICT (id) DO NOTHING`,
    params: [m.id, m.laneId, JSON.stringify(m), now],
  }));
}

const RETURNED = 'id, lane_id, seq::text AS seq, message, attempts';

/** `AND lease_until = $n` when the caller holds a lease to fence its write with; nothing otherwise. */
function fence(heldUntil: Date | undefined, n: number): string {
  return heldUntil ? ` AND lease_until = $${n}` : '';
}

function fenceParam(heldUntil: Date | undefined): Date[] {
  return heldUntil ? [heldUntil] : [];
}

function bySeq(a: OutboxEntry, b: OutboxEntry): number {
  const d = BigInt(a.seq) - BigInt(b.seq);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * Leases the head of every lane that is due and not leased, oldest first, skipping `busyLanes`: the heads a
 * dispatcher is about to send. A head another dispatcher leased or finished meanwhile is left out.
 */
export async function claimDueHeads(
  sql: Sql,
  now: Date,
  limit: number,
  busyLanes: readonly string[],
  leaseUntil: Date,
): Promise<OutboxEntry[]> {
  const { rows } = await sql.query<OutboxRow>(
    `UPDATE outbox o SET lease_until = $4
     FROM (
       SELECT id FROM (
         SELECT DISTINCT ON (lane_id) id, lane_id, seq, next_attempt_at, lease_until
         FROM outbox WHERE ${PENDING} ORDER BY lane_id, seq
       ) heads
       WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) AND lane_id <> ALL ($3::text[])
       ORDER BY seq LIMIT $2
     ) due
     WHERE o.id = due.id AND o.delivered_at IS NULL AND o.failed_at IS NULL
       AND (o.lease_until IS NULL OR o.lease_until <= $1)
     RETURNING o.id, o.lane_id, o.seq::text AS seq, o.message, o.attempts`,
    [now, limit, [...busyLanes], leaseUntil],
  );
  return rows.map(entry).sort(bySeq);
}

/**
 * Leases a lane's head if it is due and not leased, returning it. `lane`, `now` and `until` are SQL
 * expressions (placeholders); `skip` leaves one more message out of the head's choice.
 */
function leaseLaneHeadSql(lane: string, now: string, until: string, skip = ''): string {
  return `UPDATE outbox SET lease_until = ${until}
     WHERE id = (SELECT id FROM outbox WHERE lane_id = ${lane} AND ${PENDING}${skip} ORDER BY seq LIMIT 1)
       AND next_attempt_at <= ${now} AND (lease_until IS NULL OR lease_until <= ${now})
     RETURNING ${RETURNED}`;
}

const CLAIM_LANE_HEAD = leaseLaneHeadSql('$1', '$2', '$3');
// Both parts read the table as it was before the statement, where `id` is still pending: hence `id <> $1`.
// With a fence ($4), a head whose lease was taken over is neither marked nor followed by a claim.
function markDeliveredClaimNextSql(fenced: boolean): string {
  return `WITH done AS (
       UPDATE outbox SET delivered_at = $2, lease_until = NULL WHERE id = $1${fenced ? ' AND lease_until = $4' : ''}
       RETURNING lane_id)
     ${leaseLaneHeadSql('(SELECT lane_id FROM done)', '$2', '$3', ' AND id <> $1')}`;
}
const MARK_DELIVERED_CLAIM_NEXT = markDeliveredClaimNextSql(false);
const MARK_DELIVERED_CLAIM_NEXT_FENCED = markDeliveredClaimNextSql(true);

/** The lane's head if it is due and could be leased until `leaseUntil`; null otherwise. */
export async function claimLaneHead(
  sql: Sql,
  laneId: string,
  now: Date,
  leaseUntil: Date,
): Promise<OutboxEntry | null> {
  const { rows } = await sql.query<OutboxRow>(CLAIM_LANE_HEAD, [laneId, now, leaseUntil]);
  return firstEntry(rows);
}

export async function markDelivered(sql: Sql, id: string, now: Date, heldUntil?: Date): Promise<void> {
  await sql.query(
    `UPDATE outbox SET delivered_at = $2, lease_until = NULL WHERE id = $1${fence(heldUntil, 3)}`,
    [id, now, ...fenceParam(heldUntil)],
  );
}

/**
 * markDelivered, then claimLaneHead for the same lane, in one statement: a lane with several messages waiting
 * costs one round trip per message.
 */
export async function markDeliveredClaimNext(
  sql: Sql,
  id: string,
  now: Date,
  leaseUntil: Date,
  heldUntil?: Date,
): Promise<OutboxEntry | null> {
  const { rows } = heldUntil
    ? await sql.query<OutboxRow>(MARK_DELIVERED_CLAIM_NEXT_FENCED, [id, now, leaseUntil, heldUntil])
    : await sql.query<OutboxRow>(MARK_DELIVERED_CLAIM_NEXT, [id, now, leaseUntil]);
  return firstEntry(rows);
}

/** Heartbeat: moves a head's lease from `from` to `to`. False when it no longer ends at `from` (not ours). */
export async function renewHeadLease(sql: Sql, id: string, from: Date, to: Date): Promise<boolean> {
  const r = await sql.query(
    `UPDATE outbox SET lease_until = $3 WHERE id = $1 AND lease_until = $2 AND ${PENDING}`,
    [id, from, to],
  );
  return r.affectedRows === 1;
}

/** Gives back a head leased but not sent (the dispatcher is stopping). */
export async function releaseHead(sql: Sql, id: string, heldUntil?: Date): Promise<void> {
  await sql.query(
    `UPDATE outbox SET lease_until = NULL WHERE id = $1 AND delivered_at IS NULL${fence(heldUntil, 2)}`,
    [id, ...fenceParam(heldUntil)],
  );
}

/** A failed attempt: the message stays at the head of its lane until `nextAttemptAt`. */
export async function markRetry(
  sql: Sql,
  id: string,
  nextAttemptAt: Date,
  error: string,
  heldUntil?: Date,
): Promise<void> {
  await sql.query(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3, lease_until = NULL
     WHERE id = $1${fence(heldUntil, 4)}`,
    [id, nextAttemptAt, error, ...fenceParam(heldUntil)],
  );
}

/** Given up for good (refused by the controller, or the lane is gone): kept for the record, no longer blocking. */
export async function markFailed(
  sql: Sql,
  id: string,
  now: Date,
  error: string,
  heldUntil?: Date,
): Promise<void> {
  await sql.query(
    `UPDATE outbox SET attempts = attempts + 1, failed_at = $2, last_error = $3, lease_until = NULL
     WHERE id = $1${fence(heldUntil, 4)}`,
    [id, now, error, ...fenceParam(heldUntil)],
  );
}

/** Every message of a lane (or all lanes), in delivery order: diagnostics and tests. */
export async function listOutbox(sql: Sql, laneId?: string): Promise<StoredOutboxEntry[]> {
  const { rows } = await sql.query<
    OutboxRow & {
      delivered_at: Date | null;
      failed_at: Date | null;
      last_error: string | null;
      next_attempt_at: Date;
    }
  >(
    `SELECT id, lane_id, seq::text AS seq, message, attempts, delivered_at, failed_at, last_error, next_attempt_at
     FROM outbox WHERE ($1::text IS NULL OR lane_id = $1) ORDER BY seq`,
    [laneId ?? null],
  );
  return rows.map((r) => ({
    ...entry(r),
    deliveredAt: r.delivered_at,
    failedAt: r.failed_at,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
  }));
}

/** Forgets messages delivered before `before`; returns how many. */
export async function pruneDelivered(sql: Sql, before: Date): Promise<number> {
  const r = await sql.query('DELETE FROM outbox WHERE delivered_at < $1', [before]);
  return r.affectedRows;
}

/**
 * Lanes whose oldest pending message was created before `createdBefore`, oldest first (at most
 * `limit`): /readyz names them as degraded channels (issue 13). Reads only pending rows (a partial index).
 */
export async function lanesUndeliveredSince(
  sql: Sql,
  createdBefore: Date,
  limit: number,
): Promise<{ laneId: string; oldestAt: Date }[]> {
  const { rows } = await sql.query<{ lane_id: string; oldest_at: Date }>(
    `SELECT lane_id, min(created_at) AS oldest_at FROM outbox WHERE ${PENDING}
     GROUP BY lane_id HAVING min(created_at) < $1 ORDER BY oldest_at, lane_id LIMIT $2`,
    [createdBefore, limit],
  );
  return rows.map((r) => ({ laneId: r.lane_id, oldestAt: new Date(r.oldest_at) }));
}
