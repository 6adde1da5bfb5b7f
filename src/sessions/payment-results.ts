// What Vipps says about the payment: webhooks (fast path) and reads (polling backstop, reconciliation).
// A read is the source of truth (vipps-protocol.md §6.3: `state` stays AUTHORIZED after capture/cancel, the
// aggregate tells the rest); an event that does not fit the session's state triggers a read, never a guess.
import type { Draft } from './draft';
import { isFinalState } from './session-state';
import {
  authorize,
  beginCancel,
  cancelDone,
  captureDone,
  finish,
  getPaymentEffect,
  issuePending,
  markCreated,
  recheckSettlement,
  startPolling,
} from './transitions';
import type { FailureReason, Input, PaymentState } from './types';

type PaymentEvent = Extract<Input, { type: 'epayment-event' }>;
type PollResult = Extract<Input, { type: 'poll-result' }>;
type EndedState = Exclude<PaymentState, 'CREATED' | 'AUTHORIZED'>;

const ENDED_REASON: Readonly<Record<EndedState, FailureReason>> = {
  ABORTED: 'aborted',
  EXPIRED: 'expired',
  TERMINATED: 'terminated',
};

function reconcile(d: Draft, reason: string): void {
  d.emit(getPaymentEffect(d.session));
  d.ignore(reason);
}

/**
 * Vipps says something about a session that has ended. When it contradicts what the session knows (money
 * reserved, captured, released or refunded that the session did not confirm), the payment's settlement reads
 * it again and puts it right, or says loudly that it cannot.
 */
function onEnded(d: Draft, unexplainedValue: number): void {
  if (unexplainedValue > 0) {
    d.log('warn', 'payment-changed-after-session', { unexplainedValue });
    recheckSettlement(d);
  }
  d.ignore('session-final');
}

/** How much of a late event's amount the ended session does not account for (0: nothing to look into). */
function unexplainedByEvent(s: Draft['session'], e: PaymentEvent): number {
  switch (e.name) {
    case 'AUTHORIZED':
      return s.authorizedValue === 0 && s.state !== 'completed' ? e.amount.value : 0;
    case 'CAPTURED':
      return Math.max(0, e.amount.value - s.capturedValue);
    case 'CANCELLED':
      return Math.max(0, e.amount.value - s.cancelledValue);
    default:
      // REFUNDED included: refunds follow sessions, the settlement confirms its own, and one made elsewhere
      // (the merchant portal) is what `payments reconcile` finds.
      return 0;
  }
}

function onCreatedSeen(d: Draft): void {
  if (d.session.paymentCreated) return d.duplicate('payment-already-created');
  markCreated(d);
  if (d.session.state !== 'payment-requested') return;
  startPolling(d);
  // The create's answer was lost and only it has the QR or page URL: ask again now, with the same
  // Idempotency-Key (Vipps answers a repeated create as the first time), rather than at the watchdog.
  if (d.session.pending?.op === 'create') issuePending(d);
}

function onAuthorizedSeen(d: Draft, authorizedValue: number): void {
  const s = d.session;
  switch (s.state) {
    case 'payment-requested':
      return authorize(d, authorizedValue);
    case 'cancelling':
      // Approved while we were cancelling: the full cancel releases the reservation.
      markCreated(d);
      if (s.authorizedValue === 0) d.patch({ authorizedValue });
      return d.ignore('cancel-pending');
    case 'capturing':
      d.duplicate('already-authorized');
      // Self-checkout captures *because* of this authorization: a redelivery may mean the capture was never sent.
      if (s.kind === 'self-checkout') issuePending(d);
      return;
    default:
      return d.duplicate('already-authorized');
  }
}

function onEndedSeen(d: Draft, reason: FailureReason, fromRead: boolean): void {
  const s = d.session;
  if (s.state === 'payment-requested') return finish(d, { state: 'failed', reason });
  // The payment ended at Vipps (our cancel terminated it, or the user/timeout got there first).
  if (s.state === 'cancelling' && s.pending?.op === 'cancel') return finish(d, s.pending.then);
  if (!fromRead) return reconcile(d, 'out-of-order');
  // AUTHORIZED is final at Vipps, so a read saying otherwise after we saw it is not ours to fix; reading
  // again would only loop.
  d.log('error', 'payment-state-inconsistent', { paymentState: reason });
  d.ignore('inconsistent-read');
}

export function onPaymentEvent(d: Draft, e: PaymentEvent): void {
  const s = d.session;
  if (e.reference !== s.reference) return d.ignore('reference-mismatch');
  if (!e.success) return d.ignore('unsuccessful-operation');
  if (isFinalState(s.state)) return onEnded(d, unexplainedByEvent(s, e));
  if (s.state === 'awaiting-sale') return d.ignore('no-payment-yet');
  const pending = s.pending;
  switch (e.name) {
    case 'CREATED':
      return onCreatedSeen(d);
    case 'AUTHORIZED':
      return onAuthorizedSeen(d, e.amount.value);
    case 'ABORTED':
    case 'EXPIRED':
    case 'TERMINATED':
      return onEndedSeen(d, ENDED_REASON[e.name], false);
    case 'CAPTURED':
      if (pending?.op === 'capture' && e.amount.value >= pending.amount.value)
        return captureDone(d, e.amount.value);
      if (s.state === 'cancelling' && s.capturedValue > 0) return d.duplicate('already-captured');
      break;
    case 'CANCELLED':
      if (pending?.op === 'cancel') return cancelDone(d, pending.then, e.amount.value);
      break;
    case 'REFUNDED':
      return d.ignore('refund-outside-session'); // refunds follow sessions; the settlement confirms them
  }
  // Out of order (e.g. CAPTURED before AUTHORIZED) or someone else's doing (the merchant portal): read it.
  reconcile(d, 'out-of-order');
}

export function onPollResult(d: Draft, p: PollResult): void {
  const s = d.session;
  if (p.reference !== s.reference) return d.ignore('reference-mismatch');
  const authorized = p.aggregate.authorizedAmount.value;
  const captured = p.aggregate.capturedAmount.value;
  const cancelled = p.aggregate.cancelledAmount.value;
  if (isFinalState(s.state)) {
    const stillReserved = p.state === 'AUTHORIZED' ? authorized - captured - cancelled : 0;
    return onEnded(d, stillReserved);
  }
  if (s.state === 'awaiting-sale') return d.ignore('no-payment-yet');
  const pending = s.pending;
  switch (p.state) {
    case 'CREATED':
      if (!s.paymentCreated) return onCreatedSeen(d);
      if (s.state === 'payment-requested' && s.deadlinePassed) {
        // Still unanswered after the user's 10 minutes and our margin: terminate it (vipps-protocol.md §6.2).
        return beginCancel(d, { state: 'failed', reason: 'expired' });
      }
      return d.ignore('no-change');
    case 'AUTHORIZED':
      if (s.state === 'payment-requested') return authorize(d, authorized);
      if (pending?.op === 'capture' && captured >= pending.amount.value) return captureDone(d, captured);
      if (pending?.op === 'cancel' && authorized > 0 && captured + cancelled >= authorized) {
        return cancelDone(d, pending.then, cancelled);
      }
      return d.ignore(pending ? `${pending.op}-pending` : 'no-change');
    default:
      return onEndedSeen(d, ENDED_REASON[p.state], true);
  }
}
