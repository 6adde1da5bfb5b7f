// Timer inputs (delayed queue jobs). A timer counts only while the session still holds its exact instant:
// firing consumes it, re-arming replaces it, so redeliveries and superseded jobs are ignored as stale.
import type { Draft } from './draft';
import { onRetryTimer } from './operation-results';
import { isFinalState } from './session-state';
import { beginCancel, finish, getPaymentEffect } from './transitions';
import type { Input } from './types';

type TimerInput = Extract<Input, { type: 'timer' }>;

function onPoll(d: Draft): void {
  const s = d.session;
  if (s.state !== 'payment-requested' || !s.paymentCreated) return d.ignore('not-polling');
  d.emit(getPaymentEffect(s));
  const next = d.nowMs + d.timing.pollEveryS * 1000;
  const deadline = s.timers['payment-deadline'];
  // Polling stops at the deadline, which makes the last read itself.
  if (deadline === undefined || next < Date.parse(deadline)) d.setTimer('poll', next);
}

function onPaymentDeadline(d: Draft): void {
  const s = d.session;
  if (s.state !== 'payment-requested') return d.ignore('not-applicable');
  if (!s.deadlinePassed) {
    // One last read: if the user approved at the last second we still deliver; if it is still CREATED
    // the poll result cancels. If that read gets lost, the recheck below cancels anyway.
    d.patch({ deadlinePassed: true });
    d.clearTimers('poll');
    d.emit(getPaymentEffect(s));
    d.setTimer('payment-deadline', d.nowMs + d.timing.deadlineRecheckS * 1000);
    return;
  }
  beginCancel(d, { state: 'failed', reason: s.paymentCreated ? 'expired' : 'create-failed' });
}

export function onTimer(d: Draft, t: TimerInput): void {
  const s = d.session;
  if (isFinalState(s.state)) return d.ignore('session-final');
  if (s.timers[t.name] !== t.at) return d.ignore('stale-timer');
  d.clearTimers(t.name);
  switch (t.name) {
    case 'poll':
      return onPoll(d);
    case 'payment-deadline':
      return onPaymentDeadline(d);
    case 'dispense-timeout':
      if (s.state !== 'authorized') return d.ignore('not-applicable');
      return beginCancel(d, { state: 'cancelled', reason: 'dispense-timeout' });
    case 'sale-wait':
      if (s.state !== 'awaiting-sale') return d.ignore('not-applicable');
      return finish(d, { state: 'cancelled', reason: 'sale-timeout' });
    case 'retry':
      return onRetryTimer(d);
  }
}
