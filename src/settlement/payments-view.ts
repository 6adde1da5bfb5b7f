// What operators see of payments (`payments list`, `payments show`, the admin API): the settlement's ledger
// as Vipps last confirmed it, what is still owed, and for one payment its whole timeline: the session's steps,
// every ePayment call and answer, and the lane messages sent.
import { sessionHistory } from '../store/history-repo';
import {
  listPaymentCalls,
  listSettlements,
  loadSettlement,
  type SettlementFilter,
} from '../store/settlements-repo';
import type { Sql } from '../store/sql';
import { owedOf, type OwedOperation } from './outstanding';
import type { Settlement } from './types';

export interface PaymentRow {
  readonly reference: string;
  readonly laneId: string;
  readonly sessionId: string;
  readonly currency: string;
  readonly sold: number;
  readonly authorized: number | null;
  readonly captured: number | null;
  readonly cancelled: number | null;
  readonly refunded: number | null;
  readonly status: Settlement['status'];
  readonly reason: string | null;
  /** The operation still owed, when the settlement is not settled. */
  readonly owed: OwedOperation | null;
  readonly owedAmount: number;
  readonly createdAt: string;
  readonly ageS: number;
  readonly nextAttemptAt: string | null;
}

export function paymentRow(s: Settlement, now: Date): PaymentRow {
  const o = s.observed;
  const owed = s.status === 'settled' ? null : owedOf(s);
  return {
    reference: s.reference,
    laneId: s.laneId,
    sessionId: s.sessionId,
    currency: s.currency,
    sold: s.soldValue,
    authorized: o?.authorized ?? null,
    captured: o?.captured ?? null,
    cancelled: o?.cancelled ?? null,
    refunded: o?.refunded ?? null,
    status: s.status,
    reason: s.reason,
    owed: owed?.operation ?? null,
    owedAmount: owed?.amount ?? 0,
    createdAt: s.createdAt,
    ageS: Math.max(0, Math.round((now.getTime() - Date.parse(s.createdAt)) / 1000)),
    nextAttemptAt: s.nextAttemptAt,
  };
}

export async function listPayments(sql: Sql, filter: SettlementFilter, now: Date): Promise<PaymentRow[]> {
  return (await listSettlements(sql, filter)).map((s) => paymentRow(s, now));
}

export interface TimelineEntry {
  readonly at: string;
  readonly source: 'session' | 'vipps' | 'lane-message';
  readonly what: string;
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface PaymentDetail {
  readonly payment: PaymentRow;
  readonly settlement: Settlement;
  readonly timeline: readonly TimelineEntry[];
}

interface OutboxRow {
  id: string;
  message: { type: string; at: string; data: unknown };
  delivered_at: Date | string | null;
  failed_at: Date | string | null;
  attempts: number;
}

export async function showPayment(sql: Sql, reference: string, now: Date): Promise<PaymentDetail | null> {
  const s = await loadSettlement(sql, reference);
  if (!s) return null;
  const timeline = await sessionTimeline(sql, s.sessionId, reference);
  return { payment: paymentRow(s, now), settlement: s, timeline };
}

/**
 * A session's whole timeline, oldest first: its steps, every ePayment call for its reference and the lane
 * messages sent (also the admin API's session detail, src/admin/sessions-query.ts).
 */
export async function sessionTimeline(
  sql: Sql,
  sessionId: string,
  reference: string,
): Promise<TimelineEntry[]> {
  const [history, calls, outbox] = await Promise.all([
    sessionHistory(sql, sessionId),
    listPaymentCalls(sql, reference),
    sql.query<OutboxRow>(
      `SELECT id, message, delivered_at, failed_at, attempts FROM outbox WHERE message->>'sessionId' = $1 ORDER BY seq`,
      [sessionId],
    ),
  ]);
  const timeline: TimelineEntry[] = [
    ...history.map((h) => ({
      at: new Date(h.at).toISOString(),
      source: 'session' as const,
      what: `${h.inputType}: ${h.fromState ?? '∅'} → ${h.toState}`,
      detail: { outcome: h.outcome, reason: h.reason, effects: h.effects.join(' ') },
    })),
    ...calls.map((c) => ({
      at: c.at.toISOString(),
      source: 'vipps' as const,
      what: `${c.source} ${c.operation} ${c.outcome}`,
      detail: {
        amount: c.amount,
        status: c.status,
        code: c.code,
        traceId: c.traceId,
        idempotencyKey: c.idempotencyKey,
      },
    })),
    ...outbox.rows.map((m) => ({
      at: m.message.at,
      source: 'lane-message' as const,
      what: m.message.type,
      detail: {
        id: m.id,
        delivered: m.delivered_at !== null,
        failed: m.failed_at !== null,
        attempts: m.attempts,
      },
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return timeline;
}
