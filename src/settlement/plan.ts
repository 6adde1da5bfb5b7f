// What a settlement still owes, decided from Vipps's aggregate alone (the source of truth, architecture §2):
// capture first (cancel releases everything not captured), then release the rest, then refunds in the order
// they were asked for. Pure; the machine (machine.ts) turns the verdict into the next call or a final status.
import { deadlineMs, type SettlementLimits } from './deadlines';
import { cancelKey, captureAllKey, captureKey, captureRestKey, refundKey } from './keys';
import type { Observed, Settlement, SettlementCall, SettlementOp } from './types';

export type Verdict =
  | { readonly kind: 'settled' }
  | { readonly kind: 'attention'; readonly reason: string }
  /** Vipps answered with a state we do not know: not final, read again later. */
  | { readonly kind: 'wait' }
  | { readonly kind: 'call'; readonly op: SettlementOp; readonly call: SettlementCall };

const NOT_AUTHORIZED = new Set(['ABORTED', 'EXPIRED', 'TERMINATED']);

/** The refunds asked for; `customer`: only the refunds of kind `refund` (not the 6140 strategy's). */
export function refundsTotal(s: Pick<Settlement, 'refunds'>, which: 'all' | 'customer' = 'all'): number {
  return s.refunds.reduce((sum, r) => (which === 'all' || r.kind === 'refund' ? sum + r.amount : sum), 0);
}

function attention(reason: string): Verdict {
  return { kind: 'attention', reason };
}

function pastDeadline(s: Settlement, op: SettlementOp, nowMs: number, limits: SettlementLimits): boolean {
  return nowMs > deadlineMs(limits, op, s.currency, s.paymentCreatedAt);
}

function captureCall(s: Settlement, o: Observed): SettlementCall {
  const amount = s.captureTarget - o.captured;
  if (o.captured > 0)
    return { call: 'capture', amount, idempotencyKey: captureRestKey(s.sessionId, o.captured) };
  const idempotencyKey = s.strategy === 'capture-all' ? captureAllKey(s.sessionId) : captureKey(s.sessionId);
  return { call: 'capture', amount, idempotencyKey };
}

function refundVerdict(s: Settlement, o: Observed, nowMs: number, limits: SettlementLimits): Verdict {
  let before = 0;
  for (const r of s.refunds) {
    if (before === o.refunded) {
      if (before + r.amount > o.captured) return attention('refund-exceeds-captured');
      if (pastDeadline(s, 'refund', nowMs, limits)) return attention('refund-window-closed');
      const call = {
        call: 'refund',
        amount: r.amount,
        idempotencyKey: refundKey(s.sessionId, r.id),
        refundId: r.id,
      } as const;
      return { kind: 'call', op: 'refund', call };
    }
    before += r.amount;
    if (before > o.refunded) break;
  }
  // Vipps shows a refunded total that falls inside one of our refunds: someone refunded by other means.
  return attention('refund-ledger-mismatch');
}

function authorizedVerdict(s: Settlement, o: Observed, nowMs: number, limits: SettlementLimits): Verdict {
  const reserved = o.authorized - o.captured - o.cancelled;
  if (o.captured > s.captureTarget) return attention('captured-more-than-owed');
  if (o.captured < s.captureTarget) {
    if (s.captureTarget - o.captured > reserved) return attention('reservation-too-small');
    if (pastDeadline(s, 'capture', nowMs, limits)) return attention('capture-deadline-passed');
    return { kind: 'call', op: 'capture', call: captureCall(s, o) };
  }
  if (reserved > 0) {
    if (pastDeadline(s, 'cancel', nowMs, limits)) return attention('cancel-deadline-passed');
    return { kind: 'call', op: 'cancel', call: { call: 'cancel', idempotencyKey: cancelKey(s.sessionId) } };
  }
  const owedRefunds = refundsTotal(s);
  if (o.refunded > owedRefunds) return attention('refunded-more-than-requested');
  if (o.refunded < owedRefunds) return refundVerdict(s, o, nowMs, limits);
  return { kind: 'settled' };
}

export function plan(s: Settlement, o: Observed, nowMs: number, limits: SettlementLimits): Verdict {
  const nothingOwed = s.captureTarget === 0 && refundsTotal(s) === 0;
  if (o.state === 'NOT_FOUND') return nothingOwed ? { kind: 'settled' } : attention('payment-not-found');
  if (NOT_AUTHORIZED.has(o.state))
    return nothingOwed ? { kind: 'settled' } : attention('payment-not-authorized');
  if (o.state === 'CREATED') {
    // Still waiting for the customer after the session gave up: terminate it so nobody can approve it later.
    if (pastDeadline(s, 'cancel', nowMs, limits)) return attention('cancel-deadline-passed');
    return { kind: 'call', op: 'cancel', call: { call: 'cancel', idempotencyKey: cancelKey(s.sessionId) } };
  }
  if (o.state === 'AUTHORIZED') return authorizedVerdict(s, o, nowMs, limits);
  return { kind: 'wait' };
}
