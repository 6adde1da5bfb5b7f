// The moves every handler is built from. Each keeps the session's invariants: one pending ePayment call at
// a time watched by the `retry` timer, the token erased as soon as it is no longer needed, every final state
// disarming all timers and telling the controller exactly once.
import type { Draft } from './draft';
import { idempotencyKey } from './ids';
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
    case 'create':
      if (s.customerToken === null || s.amount === null) return null;
      return {
        type: 'create-payment',
        ...target(s),
        idempotencyKey: idempotencyKey(s.id, 'create'),
        amount: s.amount,
        customerToken: s.customerToken,
        description: s.description ?? paymentDescription(d.lane.description, s.sale),
      };
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

/** Vipps confirmed the payment exists: the token has done its job. */
export function markCreated(d: Draft): void {
  if (d.session.paymentCreated) return;
  d.patch({ paymentCreated: true });
  if (d.session.pending?.op === 'create') {
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
  d.setTimer('dispense-timeout', d.nowMs + dispenseS * 1000);
  d.message('session.authorized', {
    maxAmount: { currency: amount?.currency ?? d.lane.currency, value: authorizedValue },
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

export function finish(d: Draft, ending: Ending): void {
  d.patch({ state: ending.state, reason: ending.reason, pending: null, timers: {} });
  eraseToken(d);
  const s = d.session;
  const orderId = s.sale?.orderId ?? null;
  const currency = s.amount?.currency ?? d.lane.currency;
  const sale = d.sale;
  const boundSale = sale !== null && sale.sessionId === s.id;
  switch (ending.state) {
    case 'completed':
      if (s.kind === 'vending') {
        d.message('session.completed', {
          capturedAmount: { currency, value: s.capturedValue },
          cancelledAmount: { currency, value: s.cancelledValue },
        });
      } else {
        d.message('session.paid', { amount: { currency, value: s.capturedValue }, orderId });
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
