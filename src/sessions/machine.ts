// The lane session state machine (architecture §2): a pure function of (context, input, now). No I/O, no
// clock, no randomness: the worker loads the context, calls `step`, executes the effects in order, feeds
// their results back as inputs, saves the session (optimistic `version`) and the sale, then acks the job.
//
// Redelivery and crashes: every input may arrive twice and every effect may have run or not. Ids and
// Idempotency-Keys are derived (ids.ts), timers are matched by instant (timers.ts), a redelivered input
// that started an ePayment call re-issues it, and the `retry` watchdog re-issues a call whose result
// never came back. ePayment reads settle any doubt (payment-results.ts).
import { onCheckin } from './checkin';
import { Draft } from './draft';
import { onDispenseReport } from './dispense';
import { onCancelDone, onCaptureDone, onOperationFailed, onPaymentCreated } from './operation-results';
import { onLaneStart } from './pairing-start';
import { onPaymentEvent, onPollResult } from './payment-results';
import { onSaleCancelled, onSaleOpened } from './sales';
import { onTimer } from './timers';
import { resolveTiming } from './timing';
import type { Input, StepContext, StepResult } from './types';

function unchanged(kind: 'ignored' | 'invalid', reason: string): StepResult {
  return { session: null, effects: [], outcome: { kind, reason } };
}

export function step(ctx: StepContext, input: Input, now: Date): StepResult {
  const timing = resolveTiming(ctx.timing);
  switch (input.type) {
    case 'checkin':
      return onCheckin(ctx, input, now, timing);
    case 'lane-start':
      return onLaneStart(ctx, input, now, timing);
    case 'sale-opened':
      return onSaleOpened(ctx, input, now, timing);
    case 'sale-cancelled':
      return onSaleCancelled(ctx, input, now, timing);
  }

  const session = ctx.session;
  if (!session) return unchanged('ignored', 'unknown-session');
  if (session.laneId !== ctx.lane.id) return unchanged('invalid', 'lane-mismatch');
  if ('sessionId' in input && input.sessionId !== session.id) return unchanged('ignored', 'session-mismatch');

  const d = new Draft(ctx, session, now, timing);
  switch (input.type) {
    case 'epayment-event':
      onPaymentEvent(d, input);
      break;
    case 'poll-result':
      onPollResult(d, input);
      break;
    case 'payment-created':
      onPaymentCreated(d, input.redirectUrl);
      break;
    case 'payment-create-failed':
    case 'capture-failed':
    case 'cancel-failed':
      onOperationFailed(d, input);
      break;
    case 'capture-done':
      onCaptureDone(d, input.aggregate);
      break;
    case 'cancel-done':
      onCancelDone(d, input.aggregate);
      break;
    case 'dispense-report':
      onDispenseReport(d, input);
      break;
    case 'timer':
      onTimer(d, input);
      break;
    default: {
      const never: never = input;
      return unchanged('invalid', `unknown-input:${String((never as { type?: unknown }).type)}`);
    }
  }
  return d.result();
}
