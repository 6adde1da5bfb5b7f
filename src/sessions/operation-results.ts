// Results of the ePayment calls the machine asked for. A create's retries are the machine's: a retryable
// failure arms the `retry` timer with backoff within the token's lifetime; the timer re-issues the same call
// with the same Idempotency-Key. A capture or cancel is tried once in the session: if it fails, or its answer
// never comes back, the session ends for the customer at once (the lane is free for the next one) and the
// payment's settlement (src/settlement/) reads the payment and works the money to the end.
import type { Draft } from './draft';
import { onRedirectUrl } from './pairing-start';
import { isFinalState } from './session-state';
import { retryDelayS, tokenUsableUntilMs } from './timing';
import {
  beginCancel,
  cancelDone,
  captureDone,
  finish,
  issuePending,
  awaitsUrl,
  markCreated,
  startPolling,
} from './transitions';
import type { Input, OperationFailure, PaymentAggregate } from './types';

type Operation = 'create' | 'capture' | 'cancel';
type Failure = Extract<Input, { type: 'payment-create-failed' | 'capture-failed' | 'cancel-failed' }>;

const CODE_INVALID_TOKEN = '4050';
const CODE_PUSH_NOT_ALLOWED = '5080';

function failureFields(f: OperationFailure): Record<string, string | number | null> {
  // never f.message: it may echo request data
  return { code: f.code ?? null, status: f.status ?? null, traceId: f.traceId ?? null };
}

function notPending(d: Draft): void {
  d.ignore(isFinalState(d.session.state) ? 'session-final' : 'not-pending');
}

export function onPaymentCreated(d: Draft, redirectUrl?: string): void {
  const s = d.session;
  if (isFinalState(s.state)) return d.ignore('session-final');
  if (s.state === 'awaiting-sale') return d.ignore('no-payment-yet');
  if (s.paymentCreated) {
    if (s.pending?.op !== 'create' || !awaitsUrl(s)) return d.duplicate('payment-already-created');
    // The answer to a create re-issued for its URL (markCreated): the payment was already seen.
    d.patch({ pending: null });
    d.clearTimers('retry');
    return onRedirectUrl(d, redirectUrl);
  }
  markCreated(d);
  onRedirectUrl(d, redirectUrl);
  if (d.session.state === 'payment-requested') startPolling(d);
}

/** Arms the retry timer; false when the attempts, or the token, are used up. */
function scheduleRetry(d: Draft, op: Operation, f: OperationFailure): boolean {
  const pending = d.session.pending;
  if (!pending || pending.attempts >= d.timing.maxOpAttempts) return false;
  const at = d.nowMs + retryDelayS(d.timing, pending.attempts, f.retryAfterS) * 1000;
  if (op === 'create' && at >= tokenUsableUntilMs(d.timing, d.session.initiatedAt)) return false;
  d.setTimer('retry', at);
  return true;
}

/**
 * The capture or cancel in flight did not succeed in the session: the customer's part is over (a capture's
 * goods were dispensed or sold against an authorization, which reserves the money for us), so the session ends
 * as planned and its settlement owes the operation.
 */
function handOff(d: Draft, f?: OperationFailure): void {
  const pending = d.session.pending;
  if (!pending || pending.op === 'create') return;
  d.settlementOwed = true;
  d.log('warn', 'settlement-takes-over', { op: pending.op, ...(f ? failureFields(f) : { noAnswer: true }) });
  return finish(d, pending.op === 'capture' ? { state: 'completed', reason: null } : pending.then);
}

/** Out of attempts (or token lifetime) for the pending call. */
export function giveUp(d: Draft): void {
  const pending = d.session.pending;
  if (!pending) return;
  if (pending.op !== 'create') return handOff(d);
  // An unanswered create may still have made the payment: cancel it so nobody can approve it later.
  d.log('error', 'create-payment-gave-up', { attempts: pending.attempts });
  return beginCancel(d, { state: 'failed', reason: 'create-failed' });
}

export function onRetryTimer(d: Draft): void {
  const pending = d.session.pending;
  if (!pending) return d.ignore('not-pending');
  if (pending.op !== 'create') return handOff(d); // its answer never came back
  const tokenGone = pending.op === 'create' && d.nowMs >= tokenUsableUntilMs(d.timing, d.session.initiatedAt);
  if (pending.attempts >= d.timing.maxOpAttempts || tokenGone) return giveUp(d);
  d.patch({ pending: { ...pending, attempts: pending.attempts + 1 } });
  issuePending(d);
}

export function onOperationFailed(d: Draft, f: Failure): void {
  const op: Operation =
    f.type === 'payment-create-failed' ? 'create' : f.type === 'capture-failed' ? 'capture' : 'cancel';
  const pending = d.session.pending;
  if (pending?.op !== op) return notPending(d);
  if (op === 'create' && f.code === CODE_INVALID_TOKEN) {
    return finish(d, { state: 'failed', reason: 'invalid-customer-token' });
  }
  if (op === 'create' && f.code === CODE_PUSH_NOT_ALLOWED) {
    d.log('warn', 'push-not-allowed', {
      msn: d.session.msn,
      hint: 'Ask Vipps MobilePay to allow push payments (skip landing page) for this sales unit',
    });
    return finish(d, { state: 'failed', reason: 'push-not-allowed' });
  }
  if (op !== 'create') return handOff(d, f);
  if (f.retryable) {
    if (!scheduleRetry(d, op, f)) giveUp(d);
    return;
  }
  d.log('error', 'create-payment-rejected', failureFields(f));
  // A create re-issued for its URL (markCreated) is refused, yet the payment exists: cancel it.
  if (d.session.paymentCreated) return beginCancel(d, { state: 'failed', reason: 'rejected' });
  return finish(d, { state: 'failed', reason: 'rejected' });
}

export function onCaptureDone(d: Draft, aggregate: PaymentAggregate | undefined): void {
  const pending = d.session.pending;
  if (pending?.op === 'capture')
    return captureDone(d, aggregate?.capturedAmount.value ?? pending.amount.value);
  if (d.session.capturedValue > 0) return d.duplicate('already-captured');
  notPending(d);
}

export function onCancelDone(d: Draft, aggregate: PaymentAggregate | undefined): void {
  const s = d.session;
  const pending = s.pending;
  if (pending?.op !== 'cancel') return notPending(d);
  const released = Math.max(0, s.authorizedValue - s.capturedValue);
  cancelDone(d, pending.then, aggregate?.cancelledAmount.value ?? released);
}
