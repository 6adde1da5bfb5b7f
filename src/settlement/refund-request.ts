// Asking for a refund (controller API, admin API, CLI): appended to the payment's settlement, which makes it a
// durable, retried, reconciled operation like any other (architecture §2). Idempotent on the refund id: the
// same id and amount again is a duplicate; the same id with another amount is a conflict. The amount is
// checked against what the customer paid and what was already refunded, on the row's version, so two
// concurrent requests cannot refund more than was captured.
import { loadSettlement, loadSettlementBySession, saveSettlementStatement } from '../store/settlements-repo';
import { BatchExpectationError, type Sql } from '../store/sql';
import { refundsTotal } from './plan';
import type { Settlement, SettlementRefund } from './types';

export interface RefundRequest {
  /** The payment, by ePayment reference or by the session that made it. */
  readonly reference?: string;
  readonly sessionId?: string;
  readonly refundId: string;
  readonly amount: number;
  readonly reason: string | null;
  readonly requestedBy: string;
}

export type RefundResult =
  | {
      readonly kind: 'accepted' | 'duplicate';
      readonly settlement: Settlement;
      readonly refund: SettlementRefund;
    }
  | { readonly kind: 'not-found' }
  /** The session has not ended yet: nothing is captured for a refund to give back. */
  | { readonly kind: 'not-finished' }
  | { readonly kind: 'conflict'; readonly existing: SettlementRefund }
  | { readonly kind: 'exceeds'; readonly refundable: number };

export const REFUND_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** What the customer paid less the refunds already asked for (confirmed or not). */
export function refundableOf(s: Settlement): number {
  return Math.max(0, s.soldValue - refundsTotal(s, 'customer'));
}

async function find(sql: Sql, r: RefundRequest): Promise<Settlement | null> {
  if (r.reference) return loadSettlement(sql, r.reference);
  if (r.sessionId) return loadSettlementBySession(sql, r.sessionId);
  return null;
}

/** A refund decided on one settlement as read: the outcome, and the settlement to save when accepted. */
export function decideRefund(
  s: Settlement,
  r: Pick<RefundRequest, 'refundId' | 'amount' | 'reason' | 'requestedBy'>,
  now: Date,
): { result: RefundResult; next: Settlement | null } {
  const existing = s.refunds.find((x) => x.id === r.refundId);
  if (existing) {
    const same = existing.amount === r.amount && existing.kind === 'refund';
    return {
      result: same ? { kind: 'duplicate', settlement: s, refund: existing } : { kind: 'conflict', existing },
      next: null,
    };
  }
  const refundable = refundableOf(s);
  if (r.amount > refundable) return { result: { kind: 'exceeds', refundable }, next: null };
  const at = now.toISOString();
  const refund: SettlementRefund = {
    id: r.refundId,
    amount: r.amount,
    reason: r.reason,
    kind: 'refund',
    requestedBy: r.requestedBy,
    requestedAt: at,
    confirmedAt: null,
  };
  // A needs-attention settlement stays the operator's; the refund waits in it until they settle it again.
  const due =
    s.status === 'needs-attention' ? {} : { status: 'open' as const, nextAttemptAt: at, attempts: 0 };
  const next: Settlement = {
    ...s,
    refunds: [...s.refunds, refund],
    ...due,
    updatedAt: at,
    version: s.version + 1,
  };
  return { result: { kind: 'accepted', settlement: next, refund }, next };
}

const MAX_TRIES = 5;

export async function requestRefund(
  sql: Sql,
  r: RefundRequest,
  now: Date,
  sessionExists: (sessionId: string) => Promise<boolean> = async () => false,
): Promise<RefundResult> {
  for (let tries = 1; ; tries += 1) {
    const s = await find(sql, r);
    if (!s) {
      if (r.sessionId && (await sessionExists(r.sessionId))) return { kind: 'not-finished' };
      return { kind: 'not-found' };
    }
    const { result, next } = decideRefund(s, r, now);
    if (!next) return result;
    try {
      await sql.batch([saveSettlementStatement(next, s.version)]);
      return result;
    } catch (err) {
      if (err instanceof BatchExpectationError && tries < MAX_TRIES) continue;
      throw err;
    }
  }
}
