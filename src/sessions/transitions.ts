// The moves every handler is built from. Each keeps the session's invariants: one pending ePayment call at
// a time watched by the `retry` timer, the token erased as soon as it is no longer needed, every final state
// disarming all timers and telling the controller exactly once.
import type { Draft } from './draft';
import { idempotencyKey } from './ids';
import { createCustomer } from './pairing-start';
import type { CancelPlan, Effect, Ending, Money, Session, SessionSale } from './types';

const DESCRIPTION_MIN = 3; // paymentDescription is 3–100 characters (vipps-protocol.md §6.1)
const DESCRIPTION_MAX = 100;

function target(s: Session): { sessionId: string; laneId: string; msn: string; reference: string } {
  return { sessionId: s.id, laneId: s.laneId, msn: s.msn, reference: s.reference };
}

export function paymentDescription(laneDescription: string, sale: SessionSale | null): string {
  const fromSale = sale?.description?.trim() ?? '';
  const text = fromSale.length >= DESCRIPTION_MIN ? fromSale : laneDescription.trim();
  return text.length >= DESCRIPTION_MIN ? text.slice(0, DESCRIPTION_MAX) : 'Purchase';
}

export function getPaymentEffect(s: Session): Effect {
  return { type: 'get-payment', ...target(s) };
}

/** The pending call, rebuilt from the session alone, so a re-issue is byte-identical to the first. */
export function pendingEffect(d: Draft): Effect | null {
  const s = d.session;
  const pending = s.pending;
  if (!pending) return null;
  switch (pending.op) {
    case 'create': {
      const customer = createCustomer(s);
      if (customer === null || s.amount === null) return null;
      return {
        type: 'create-payment',
        ...target(s),
        idempotencyKey: idempotencyKey(s.id, 'create'),
        amount: s.amount,
        ...customer,
        description: s.description ?? paymentDescription(d.lane.description, s.sale),
      };
    }
    case 'capture':
      return {
        type: 'capture',
        ...target(s),
        idempotencyKey: idempotencyKey(s.id, 'capture'),
        amount: pending.amount,
      };
    case 'cancel':
      return { type: 'cancel', ...target(s), idempotencyKey: idempotencyKey(s.id, 'cancel') };
  }
}

/** Issue (or re-issue) the pending call and arm the watchdog that re-issues it if no result comes back. */
export function issuePending(d: Draft): void {
  const effect = pendingEffect(d);
  if (!effect) return;
  d.emit(effect);
  d.setTimer('retry', d.nowMs + d.timing.opWatchdogS * 1000);
}

export function eraseToken(d: Draft): void {
  if (d.session.customerToken === null) return;
  d.patch({ customerToken: null });
  d.emit({ type: 'erase-token', sessionId: d.session.id });
}

export function requestPayment(
  d: Draft,
  amount: Money,
  sale: SessionSale | null,
  announceCheckin: boolean,
): void {
  const description = paymentDescription(d.lane.description, sale);
  d.patch({ state: 'payment-requested', amount, sale, description, pending: { op: 'create', attempts: 1 } });
  d.clearTimers('sale-wait');
  if (announceCheckin) d.message('session.checked-in', { kind: d.session.kind, awaitingSale: false });
  d.message('session.payment-requested', { amount, orderId: sale?.orderId ?? null });
  issuePending(d);
}

/** A screen-qr or redirect-qr session whose create has not answered yet: its URL is only in that answer. */
export function awaitsUrl(s: Session): boolean {
  return (s.pairing === 'screen-qr' || s.pairing === 'redirect-qr') && s.redirectUrl === undefined;
}

/** Vipps confirmed the payment exists: the token has done its job. */
export function markCreated(d: Draft): void {
  if (d.session.paymentCreated) return;
  d.patch({ paymentCreated: true });
  // Seen (an event, a poll) before the create's answer, that create stays pending for a screen-qr or
  // redirect-qr session: the screen's QR or the page's Vipps URL is only in its answer (onCreatedSeen asks again).
  if (d.session.pending?.op === 'create' && !awaitsUrl(d.session)) {
    d.patch({ pending: null });
    d.clearTimers('retry');
  }
  eraseToken(d);
}

/** Polling backstop and the user-timeout deadline start when the payment exists (§6.2, §6.3). */
export function startPolling(d: Draft): void {
  const { firstPollS, userTimeoutS, deadlineMarginS } = d.timing;
  d.setTimer('poll', d.nowMs + firstPollS * 1000);
  d.setTimer('payment-deadline', d.nowMs + (userTimeoutS + deadlineMarginS) * 1000);
}

export function authorize(d: Draft, authorizedValue: number): void {
  markCreated(d);
  d.patch({ authorizedValue });
  const amount = d.session.amount;
  if (d.session.kind === 'self-checkout' && amount) {
    beginCapture(d, { currency: amount.currency, value: Math.min(authorizedValue, amount.value) });
    return;
  }
  d.patch({ state: 'authorized', pending: null });
  d.clearTimers('poll', 'payment-deadline', 'retry');
  const dispenseS = d.lane.dispenseTimeoutS ?? d.timing.dispenseTimeoutS;
  const dispenseBy = new Date(d.nowMs + dispenseS * 1000).toISOString();
  d.patch({ dispenseBy });
  d.setTimer('dispense-timeout', Date.parse(dispenseBy));
  d.message('session.authorized', {
    maxAmount: { currency: amount?.currency ?? d.lane.currency, value: authorizedValue },
    dispenseBy,
  });
}

export function beginCapture(d: Draft, amount: Money): void {
  d.patch({ state: 'capturing', pending: { op: 'capture', attempts: 1, amount } });
  d.clearTimers('poll', 'payment-deadline', 'dispense-timeout');
  issuePending(d);
}

export function captureDone(d: Draft, capturedValue: number): void {
  d.patch({ capturedValue, pending: null });
  d.clearTimers('retry');
  if (d.session.kind === 'vending' && capturedValue < d.session.authorizedValue) {
    beginCancel(d, { state: 'completed', reason: null }); // release what was not dispensed
    return;
  }
  finish(d, { state: 'completed', reason: null });
}

export function beginCancel(d: Draft, then: CancelPlan): void {
  d.patch({ state: 'cancelling', pending: { op: 'cancel', attempts: 1, then } });
  d.clearTimers('poll', 'payment-deadline', 'dispense-timeout', 'sale-wait');
  eraseToken(d);
  issuePending(d);
}

export function cancelDone(d: Draft, then: CancelPlan, cancelledValue: number): void {
  d.patch({ cancelledValue });
  finish(d, then);
}

/** What the customer pays: what was dispensed (vending) or the captured sale (self-checkout); 0 unless completed. */
function soldValueOf(s: Session, ending: Ending): number {
  if (ending.state !== 'completed') return 0;
  if (s.kind === 'vending') return s.dispensedValue ?? 0;
  return s.pending?.op === 'capture' ? s.pending.amount.value : s.capturedValue;
}

/**
 * Every session whose payment may exist hands its money to a settlement when it ends. It is owed (worked by
 * src/settlement/) unless Vipps already confirmed exactly what was sold captured and the rest released.
 */
function openSettlement(d: Draft, soldValue: number, currency: Money['currency']): boolean {
  const s = d.session;
  if (!s.paymentCreated && s.authorizedValue === 0 && !d.settlementOwed) return false;
  const confirmed = s.capturedValue === soldValue && s.capturedValue + s.cancelledValue === s.authorizedValue;
  const owed = d.settlementOwed || !confirmed;
  d.emit({
    type: 'open-settlement',
    seed: {
      sessionId: s.id,
      laneId: s.laneId,
      msn: s.msn,
      reference: s.reference,
      kind: s.kind,
      currency,
      paymentCreatedAt: s.createdAt,
      soldValue,
      authorizedValue: s.authorizedValue,
      capturedValue: s.capturedValue,
      cancelledValue: s.cancelledValue,
      owed,
    },
  });
  return owed;
}

/** A late answer from Vipps contradicts how the session ended: the settlement reads the payment again. */
export function recheckSettlement(d: Draft): void {
  d.settlementOwed = true;
  openSettlement(d, d.session.dispensedValue ?? 0, d.session.amount?.currency ?? d.lane.currency);
}

export function finish(d: Draft, ending: Ending): void {
  const soldValue = soldValueOf(d.session, ending);
  d.patch({ state: ending.state, reason: ending.reason, pending: null, timers: {} });
  eraseToken(d);
  const s = d.session;
  const orderId = s.sale?.orderId ?? null;
  const currency = s.amount?.currency ?? d.lane.currency;
  const sale = d.sale;
  const boundSale = sale !== null && sale.sessionId === s.id;
  const settlement = openSettlement(d, soldValue, currency) ? 'pending' : 'settled';
  switch (ending.state) {
    case 'completed':
      if (s.kind === 'vending') {
        // Pending, these are what the settlement is making true; settled, what Vipps confirmed.
        d.message('session.completed', {
          capturedAmount: { currency, value: soldValue },
          cancelledAmount: { currency, value: Math.max(0, s.authorizedValue - soldValue) },
          settlement,
        });
      } else {
        d.message('session.paid', { amount: { currency, value: soldValue }, orderId, settlement });
      }
      if (boundSale) d.setSale(null); // paid: the sale is done
      return;
    case 'dropped':
      d.message('session.dropped', { reason: ending.reason });
      return;
    case 'cancelled':
      d.message('session.cancelled', { reason: ending.reason, orderId });
      break;
    case 'failed':
      d.message('session.failed', { reason: ending.reason, orderId });
      break;
  }
  // Not paid: the sale goes back to waiting, so the customer (or the next one) can scan again and pay it.
  if (boundSale) d.setSale({ ...sale, sessionId: null });
}
