// The SQL of the postgres queue adapter (tables: src/store/migrations/001-queue.ts). Every statement takes
// `now` from the caller's injected clock, and is written for a Postgres server with several consumers in
// several processes as much as for embedded PGlite.
import type { Sql, Statement } from '../store/sql';
import { TOKEN_ERASED_MARKER } from './erase-customer-token';
import type { DeadJob, EnqueueResult, Job, QueueStats } from './queue';

/** Identifies one delivery of a job: a consumer may only settle the lease it was given. */
export interface Lease {
  readonly id: string;
  readonly consumerId: string;
  readonly attempt: number;
}

export interface NewJob {
  readonly group: string;
  readonly type: string;
  readonly dedupKey: string;
  readonly payload: unknown;
  readonly availableAt: Date;
}

export interface ClaimRequest {
  readonly now: Date;
  readonly limit: number;
  readonly leaseUntil: Date;
  readonly consumerId: string;
  /** Jobs this consumer is still running: never claimed again by it, even if their lease ran out. */
  readonly exclude: readonly string[];
}

// Arbitrary, stable: "checkin-gateway queue claims". Claims are serialised across processes by this
// transaction-scoped advisory lock; each claim statement then runs on a snapshot taken after the previous
// claimer committed, so "one job in flight per group" holds on a multi-connection server. Claims are one
// short statement, so the serialisation costs little; enqueue, ack and retry never take it.
const CLAIM_LOCK_KEY = 727_002;

const LEASE_MATCH = `id = $1::bigint AND state = 'leased' AND leased_by = $2 AND attempt = $3`;

// One statement, so the key and the job appear together or not at all. The id is drawn up front so the key
// can point at its job. A key seen before returns the existing job's id as a duplicate.
const ENQUEUE_SQL = `
  WITH new_key AS (
    INSERT INTO job_keys (dedup_key, job_id, created_at)
    VALUES ($1::text, nextval('jobs_id_seq'::regclass), $2::timestamptz)
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING dedup_key, job_id
  ), new_job AS (
    INSERT INTO jobs (id, grp, type, dedup_key, payload, state, attempt, available_at, enqueued_at, updated_at)
    SELECT job_id, $3::text, $4::text, dedup_key, $5::json, 'ready', 0, $6::timestamptz, $2, $2 FROM new_key
    RETURNING id
  )
  SELECT id::text AS id, false AS duplicate FROM new_job
  UNION ALL
  SELECT job_id::text AS id, true AS duplicate FROM job_keys WHERE dedup_key = $1`;

// The head of a group is the job that must run next in it: a job already delivered and not finished
// (in flight, lease expired, or waiting for its retry) comes first, so a failing job blocks the later jobs
// of its lane until it succeeds or dies (FIFO per lane, like Vipps's own per-payment ordering). Otherwise it
// is the job that became ready first (available_at, then enqueue order), so a timer set for later does not
// hold up events that arrive meanwhile. A head is claimable when it is due and no live lease holds it.
// Only groups with something due can yield a claim (a ready job that is due, or an expired lease), so heads are
// looked up for those groups alone, each through the group's index: a claim's cost follows the due work, not
// the timers waiting in the table (migration 005).
const CLAIM_SQL = `
  WITH due AS (
    SELECT grp FROM jobs WHERE state = 'ready' AND available_at <= $1
    UNION ALL
    SELECT grp FROM jobs WHERE state = 'leased' AND lease_until <= $1
  ), heads AS (
    SELECT h.id
    FROM (SELECT DISTINCT grp FROM due) d
    CROSS JOIN LATERAL (
      SELECT j.id FROM jobs j
      -- Jobs not yet due and never delivered (timers) can neither run nor block their group.
      WHERE j.grp = d.grp AND j.state <> 'dead' AND (j.attempt > 0 OR j.available_at <= $1)
      ORDER BY (j.attempt > 0) DESC, j.available_at, j.id
      LIMIT 1
    ) h
  ), picked AS (
    SELECT j.id
    FROM jobs j JOIN heads h ON h.id = j.id
    WHERE ((j.state = 'ready' AND j.available_at <= $1) OR (j.state = 'leased' AND j.lease_until <= $1))
      AND j.id <> ALL ($5::bigint[])
    ORDER BY j.available_at, j.id
    LIMIT $2
    FOR UPDATE OF j SKIP LOCKED
  )
  UPDATE jobs
  SET state = 'leased', attempt = jobs.attempt + 1, lease_until = $3, leased_by = $4, updated_at = $1
  FROM picked
  WHERE jobs.id = picked.id
  RETURNING jobs.id::text AS id, jobs.grp, jobs.type, jobs.dedup_key, jobs.payload, jobs.attempt,
    jobs.enqueued_at, jobs.available_at`;

interface JobRow {
  id: string;
  grp: string;
  type: string;
  dedup_key: string;
  payload: unknown;
  attempt: number;
  enqueued_at: Date;
  available_at: Date;
}

/** The enqueue as a batch statement (its rows, the job id, are not needed there). */
export function insertJobStatement(job: NewJob, now: Date): Statement {
  const params = [
    job.dedupKey,
    now,
    job.group,
    job.type,
    JSON.stringify(job.payload ?? null),
    job.availableAt,
  ];
  return { text: ENQUEUE_SQL, params };
}

/**
 * Withdraws a job that was never delivered, with its dedup key (so the same key can be queued again later).
 * A job in flight or retrying stays: its handler sees it is stale.
 */
export function withdrawJobStatement(dedupKey: string): Statement {
  return {
    text: `WITH gone AS (DELETE FROM jobs WHERE dedup_key = $1 AND state = 'ready' AND attempt = 0 RETURNING dedup_key)
      DELETE FROM job_keys WHERE dedup_key IN (SELECT dedup_key FROM gone)`,
    params: [dedupKey],
  };
}

export async function insertJob(sql: Sql, job: NewJob, now: Date): Promise<EnqueueResult> {
  const { text, params } = insertJobStatement(job, now);
  const { rows } = await sql.query<{ id: string; duplicate: boolean }>(text, params);
  const row = rows[0];
  if (row) return { id: row.id, duplicate: row.duplicate };
  // On a server, a concurrent enqueue of the same key committed after this statement's snapshot was taken:
  // ON CONFLICT saw it, the SELECT did not. A fresh statement does.
  const again = await sql.query<{ id: string }>(
    'SELECT job_id::text AS id FROM job_keys WHERE dedup_key = $1',
    [job.dedupKey],
  );
  const existing = again.rows[0];
  if (!existing) throw new Error('enqueue wrote nothing and found no existing job for its dedup key');
  return { id: existing.id, duplicate: true };
}

export async function claimJobs(sql: Sql, req: ClaimRequest): Promise<Job[]> {
  if (req.limit < 1) return [];
  const params = [req.now, req.limit, req.leaseUntil, req.consumerId, [...req.exclude]];
  // One batch: the claim runs after the lock is held, and a store on another thread or server runs both in
  // one round trip, holding no lock while the caller is busy.
  const [, claimed] = await sql.batch([
    { text: 'SELECT pg_advisory_xact_lock($1)', params: [CLAIM_LOCK_KEY] },
    { text: CLAIM_SQL, params },
  ]);
  const rows = (claimed?.rows ?? []) as unknown as JobRow[];
  return rows
    .sort((a, b) => a.available_at.getTime() - b.available_at.getTime() || Number(a.id) - Number(b.id))
    .map((r) => ({
      id: r.id,
      group: r.grp,
      type: r.type,
      dedupKey: r.dedup_key,
      payload: r.payload,
      attempt: Number(r.attempt),
      enqueuedAt: r.enqueued_at,
    }));
}

function leaseParams(lease: Lease): unknown[] {
  return [lease.id, lease.consumerId, lease.attempt];
}

/**
 * Done: the job row goes (its payload with it); its dedup key stays in job_keys. `acked` is false if the lease
 * was lost. `groupHasDue` tells the consumer whether the job's group has another job due now, which the job
 * held back (one in flight per group): the only reason to claim at once after an ack.
 */
export async function ackJob(
  sql: Sql,
  lease: Lease,
  now: Date,
): Promise<{ acked: boolean; groupHasDue: boolean }> {
  const { rows } = await sql.query<{ acked: number; more: boolean }>(
    `WITH done AS (DELETE FROM jobs WHERE ${LEASE_MATCH} RETURNING grp)
     SELECT (SELECT count(*) FROM done)::int AS acked,
       EXISTS (SELECT 1 FROM jobs j WHERE j.grp IN (SELECT grp FROM done) AND j.id <> $1::bigint
         AND j.state = 'ready' AND j.available_at <= $4) AS more`,
    [...leaseParams(lease), now],
  );
  return { acked: Number(rows[0]?.acked) === 1, groupHasDue: rows[0]?.more === true };
}

export async function retryJob(
  sql: Sql,
  lease: Lease,
  at: { now: Date; availableAt: Date; error: string },
): Promise<boolean> {
  const r = await sql.query(
    `UPDATE jobs SET state = 'ready', available_at = $4, lease_until = NULL, leased_by = NULL, last_error = $5,
       updated_at = $6 WHERE ${LEASE_MATCH}`,
    [...leaseParams(lease), at.availableAt, at.error, at.now],
  );
  return r.affectedRows === 1;
}

// A dead row is kept until an operator replays it, so its payload loses its customer token in the statement
// that marks it dead (erase-customer-token.ts): a check-in carries it at the top level of its payload.
const ERASE_TOKEN = `CASE WHEN json_typeof(payload) = 'object' AND payload->>'customerToken' IS NOT NULL
  THEN (payload::jsonb || $6::jsonb)::json ELSE payload END`;

export async function buryJob(sql: Sql, lease: Lease, at: { now: Date; error: string }): Promise<boolean> {
  const r = await sql.query(
    `UPDATE jobs SET state = 'dead', dead_at = $4, lease_until = NULL, leased_by = NULL, last_error = $5,
       payload = ${ERASE_TOKEN}, updated_at = $4 WHERE ${LEASE_MATCH}`,
    [...leaseParams(lease), at.now, at.error, JSON.stringify(TOKEN_ERASED_MARKER)],
  );
  return r.affectedRows === 1;
}

/** Hands back a job that was claimed but never started (stop during a claim); the delivery does not count. */
export async function releaseJob(sql: Sql, lease: Lease, now: Date): Promise<boolean> {
  const r = await sql.query(
    `UPDATE jobs SET state = 'ready', attempt = attempt - 1, lease_until = NULL, leased_by = NULL, updated_at = $4
     WHERE ${LEASE_MATCH}`,
    [...leaseParams(lease), now],
  );
  return r.affectedRows === 1;
}

/** Heartbeat. False when the lease is gone (another consumer took the job over after it expired). */
export async function renewLease(
  sql: Sql,
  lease: Lease,
  at: { now: Date; leaseUntil: Date },
): Promise<boolean> {
  const r = await sql.query(`UPDATE jobs SET lease_until = $4, updated_at = $5 WHERE ${LEASE_MATCH}`, [
    ...leaseParams(lease),
    at.leaseUntil,
    at.now,
  ]);
  return r.affectedRows === 1;
}

/** An expired lease counts as ready: it is claimable again. A job waiting for its retry counts as delayed. */
export async function countJobs(sql: Sql, now: Date): Promise<QueueStats> {
  const { rows } = await sql.query<QueueStats>(
    `SELECT
       count(*) FILTER (WHERE (state = 'ready' AND available_at <= $1) OR (state = 'leased' AND lease_until <= $1))::int
         AS "ready",
       count(*) FILTER (WHERE state = 'leased' AND lease_until > $1)::int AS "inFlight",
       count(*) FILTER (WHERE state = 'ready' AND available_at > $1)::int AS "delayed",
       count(*) FILTER (WHERE state = 'dead')::int AS "dead"
     FROM jobs`,
    [now],
  );
  const r = rows[0];
  return {
    ready: Number(r?.ready ?? 0),
    inFlight: Number(r?.inFlight ?? 0),
    delayed: Number(r?.delayed ?? 0),
    dead: Number(r?.dead ?? 0),
  };
}

export async function listDeadJobs(sql: Sql, limit: number): Promise<DeadJob[]> {
  const { rows } = await sql.query<{
    id: string;
    grp: string;
    type: string;
    attempt: number;
    last_error: string | null;
    dead_at: Date;
  }>(
    `SELECT id::text AS id, grp, type, attempt, last_error, dead_at FROM jobs WHERE state = 'dead'
     ORDER BY dead_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    group: r.grp,
    type: r.type,
    attempt: Number(r.attempt),
    lastError: r.last_error,
    deadAt: r.dead_at,
  }));
}

/** The last error is kept for the record; attempts start over. */
export async function requeueDeadJob(sql: Sql, id: string, now: Date): Promise<boolean> {
  const r = await sql.query(
    `UPDATE jobs SET state = 'ready', attempt = 0, available_at = $2, dead_at = NULL, updated_at = $2
     WHERE id = $1::bigint AND state = 'dead'`,
    [id, now],
  );
  return r.affectedRows === 1;
}

/** Forgets dedup keys created before `before` whose job is gone (acked); returns how many. */
export async function pruneJobKeys(sql: Sql, before: Date): Promise<number> {
  const r = await sql.query(
    `DELETE FROM job_keys k WHERE k.created_at < $1
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.dedup_key = k.dedup_key)`,
    [before],
  );
  return r.affectedRows;
}
