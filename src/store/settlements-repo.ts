// Settlements (src/settlement/) on SQL. The row's columns (status, reason, next_attempt_at, version) win over
// the same fields in `data`, so a late event re-opens a settled payment with one UPDATE. Saves are optimistic
// like sessions': a refund request and the runner may touch the same row.
import { settlementFromSeed } from '../settlement/from-seed';
import type { Settlement, SettlementStatus } from '../settlement/types';
import type { SettlementSeed } from '../sessions/types';
import type { Sql, Statement } from './sql';

interface SettlementRow {
  data: Settlement;
  status: SettlementStatus;
  reason: string | null;
  next_attempt_at: Date | string | null;
  version: number;
}

const COLUMNS = 'data, status, reason, next_attempt_at, version';

function iso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}

export function settlementFromRow(r: SettlementRow): Settlement {
  return {
    ...r.data,
    status: r.status,
    reason: r.reason,
    nextAttemptAt: iso(r.next_attempt_at),
    version: r.version,
  };
}

/**
 * Written with the session's final step. A confirmed seed only inserts; an owed one also re-opens a settled
 * row (a late event contradicted it) and makes it due now. A row that needs attention stays the operator's.
 */
export function seedSettlementStatement(seed: SettlementSeed, now: Date): Statement {
  const s = settlementFromSeed(seed, now);
  const insert = `INSERT INTO settlements (reference, session_id, lane_id, status, reason, data, next_attempt_at,
      version, created_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $5::jsonb, $6, 1, $7, $7)`;
  const onConflict = seed.owed
    ? `ON CONFLICT (reference) DO UPDATE SET status = 'open', next_attempt_at = EXCLUDED.next_attempt_at,
         version = settlements.version + 1, updated_at = EXCLUDED.updated_at
       WHERE settlements.status = 'settled'`
    : 'ON CONFLICT (reference) DO NOTHING';
  return {
    text: `${insert} ${onConflict}`,
    params: [s.reference, s.sessionId, s.laneId, s.status, JSON.stringify(s), s.nextAttemptAt, now],
  };
}

/** Writes `next` over the version it was read at and gives up the lease; expects one row. */
export function saveSettlementStatement(next: Settlement, expectedVersion: number): Statement {
  return {
    text: `UPDATE settlements SET status = $2, reason = $3, data = $4::jsonb, next_attempt_at = $5,
        lease_until = NULL, version = $6, updated_at = $7 WHERE reference = $1 AND version = $8`,
    params: [
      next.reference,
      next.status,
      next.reason,
      JSON.stringify(next),
      next.nextAttemptAt,
      next.version,
      next.updatedAt,
      expectedVersion,
    ],
    expectRows: 1,
  };
}

/**
 * Leases up to `limit` open settlements that are due; a lease that expired (a runner died) is taken over. Each
 * row's lease then ends at now + leaseMs: the holder's fence for renewSettlementLease and releaseSettlement.
 */
export async function claimDueSettlements(
  sql: Sql,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<Settlement[]> {
  const { rows } = await sql.query<SettlementRow>(
    `UPDATE settlements SET lease_until = $2 WHERE reference IN (
       SELECT reference FROM settlements
        WHERE status = 'open' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return rows.map(settlementFromRow);
}

/**
 * Gives a lease back without changing anything: due again at `at`. With `heldUntil`, only if the lease still
 * ends there (a lease taken over by another runner is left to it).
 */
export async function releaseSettlement(
  sql: Sql,
  reference: string,
  at: Date,
  heldUntil?: Date,
): Promise<void> {
  await sql.query(
    `UPDATE settlements SET lease_until = NULL, next_attempt_at = LEAST(next_attempt_at, $2)
     WHERE reference = $1${heldUntil ? ' AND lease_until = $3' : ''}`,
    [reference, at, ...(heldUntil ? [heldUntil] : [])],
  );
}

/** Heartbeat: moves a settlement's lease from `from` to `to`. False when it no longer ends at `from`. */
export async function renewSettlementLease(
  sql: Sql,
  reference: string,
  from: Date,
  to: Date,
): Promise<boolean> {
  const r = await sql.query(
    'UPDATE settlements SET lease_until = $3 WHERE reference = $1 AND lease_until = $2',
    [reference, from, to],
  );
  return r.affectedRows === 1;
}

export async function loadSettlement(sql: Sql, reference: string): Promise<Settlement | null> {
  const { rows } = await sql.query<SettlementRow>(`SELECT ${COLUMNS} FROM settlements WHERE reference = $1`, [
    reference,
  ]);
  return rows[0] ? settlementFromRow(rows[0]) : null;
}

export async function loadSettlementBySession(sql: Sql, sessionId: string): Promise<Settlement | null> {
  const { rows } = await sql.query<SettlementRow>(
    `SELECT ${COLUMNS} FROM settlements WHERE session_id = $1`,
    [sessionId],
  );
  return rows[0] ? settlementFromRow(rows[0]) : null;
}

export interface SettlementFilter {
  /** Only those not settled (open or needing attention). */
  readonly outstanding?: boolean;
  readonly status?: SettlementStatus;
  readonly laneId?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit?: number;
  readonly offset?: number;
}

export async function listSettlements(sql: Sql, f: SettlementFilter): Promise<Settlement[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (f.outstanding) where.push(`status <> 'settled'`);
  if (f.status) add('status = ?', f.status);
  if (f.laneId) add('lane_id = ?', f.laneId);
  if (f.since) add('created_at >= ?', f.since);
  if (f.until) add('created_at < ?', f.until);
  params.push(f.limit ?? 1000, f.offset ?? 0);
  const { rows } = await sql.query<SettlementRow>(
    `SELECT ${COLUMNS} FROM settlements ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, reference LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(settlementFromRow);
}

/** Re-opens one settlement (or every open one when no reference is given) and makes it due now. */
export async function makeDueNow(sql: Sql, now: Date, reference?: string): Promise<number> {
  const r = reference
    ? await sql.query(
        `UPDATE settlements SET status = 'open', reason = NULL, next_attempt_at = $2, lease_until = NULL,
            version = version + 1, updated_at = $2 WHERE reference = $1`,
        [reference, now],
      )
    : await sql.query(
        `UPDATE settlements SET next_attempt_at = $1, version = version + 1, updated_at = $1
          WHERE status = 'open' AND next_attempt_at > $1`,
        [now],
      );
  return r.affectedRows;
}

export interface PaymentCall {
  readonly reference: string;
  readonly at: Date;
  readonly source: 'session' | 'settlement';
  readonly operation: string;
  readonly outcome: 'ok' | 'failed';
  readonly amount: number | null;
  readonly status: number | null;
  readonly code: string | null;
  readonly traceId: string | null;
  readonly idempotencyKey: string | null;
}

export function recordPaymentCallStatement(c: PaymentCall): Statement {
  return {
    text: `INSERT INTO payment_calls (reference, at, source, operation, outcome, amount, status, code, trace_id,
        idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    params: [
      c.reference,
      c.at,
      c.source,
      c.operation,
      c.outcome,
      c.amount,
      c.status,
      c.code,
      c.traceId,
      c.idempotencyKey,
    ],
  };
}

export async function listPaymentCalls(sql: Sql, reference: string): Promise<PaymentCall[]> {
  const { rows } = await sql.query<{
    reference: string;
    at: Date | string;
    source: PaymentCall['source'];
    operation: string;
    outcome: PaymentCall['outcome'];
    amount: string | number | null;
    status: number | null;
    code: string | null;
    trace_id: string | null;
    idempotency_key: string | null;
  }>(`SELECT * FROM payment_calls WHERE reference = $1 ORDER BY id`, [reference]);
  return rows.map((r) => ({
    reference: r.reference,
    at: new Date(r.at),
    source: r.source,
    operation: r.operation,
    outcome: r.outcome,
    amount: r.amount === null ? null : Number(r.amount),
    status: r.status,
    code: r.code,
    traceId: r.trace_id,
    idempotencyKey: r.idempotency_key,
  }));
}
