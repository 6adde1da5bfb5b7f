// A check-in starts a session (architecture §2): dropped when the lane is disabled, the token is spent or
// the lane is busy; otherwise vending reserves maxAmount, self-checkout pays the open sale, the lane's
// fixedAmount, or waits for a sale.
import { Draft } from './draft';
import { referenceFor, sessionIdFor } from './ids';
import { tokenUsableUntilMs, type SessionTiming } from './timing';
import { finish, issuePending, requestPayment } from './transitions';
import { isActive } from './session-state';
import type { DropReason, Input, Session, StepContext, StepResult } from './types';

type CheckinInput = Extract<Input, { type: 'checkin' }>;

/**
 * The token of a check-in replayed from the dead letters, where it was erased (architecture §2): such a
 * check-in can never pay, so it is dropped as stale, whatever the time.
 */
export const ERASED_CUSTOMER_TOKEN = '';

/** What tells sessions' births apart: who, where, when, and what a pairing adds (pairing-start.ts). */
export type SessionBirth = Pick<Session, 'id' | 'msn' | 'merchantQrId' | 'initiatedAt' | 'customerToken'> &
  Partial<Pick<Session, 'pairing' | 'attemptId' | 'returnUrl' | 'qrFormat'>>;

/** A session as it is born (a check-in's or a pairing's alike): nothing asked for, paid or timed yet. */
export function bornSession(ctx: StepContext, birth: SessionBirth, now: Date): Session {
  const { lane } = ctx;
  const at = now.toISOString();
  const { id, msn, merchantQrId, initiatedAt, customerToken, ...pairing } = birth;
  // In the order sessions always had; `...pairing` then adds what a pairing carries.
  return {
    id,
    laneId: lane.id,
    kind: lane.kind,
    state: 'payment-requested',
    msn,
    merchantQrId,
    initiatedAt,
    customerToken,
    reference: referenceFor(lane.id, id),
    amount: null,
    sale: null,
    description: null,
    paymentCreated: false,
    authorizedValue: 0,
    capturedValue: 0,
    cancelledValue: 0,
    dispensedValue: null,
    reason: null,
    pending: null,
    timers: {},
    deadlinePassed: false,
    createdAt: at,
    updatedAt: at,
    version: 0,
    ...pairing,
  };
}

function newSession(ctx: StepContext, input: CheckinInput, id: string, now: Date): Session {
  const { msn, merchantQrId, initiatedAt, customerToken } = input;
  return bornSession(ctx, { id, msn, merchantQrId, initiatedAt, customerToken }, now);
}

export function drop(d: Draft, reason: DropReason): void {
  d.patch({ customerToken: null }); // never stored, so there is nothing to erase elsewhere
  finish(d, { state: 'dropped', reason });
}

export function onCheckin(
  ctx: StepContext,
  input: CheckinInput,
  now: Date,
  timing: SessionTiming,
): StepResult {
  const { lane } = ctx;
  const id = sessionIdFor(input);
  const existing = [ctx.session, ctx.activeSession].find((s) => s?.id === id);
  if (existing) {
    const d = new Draft(ctx, existing, now, timing);
    d.duplicate('checkin-redelivered');
    // The job may be redelivered because the worker died between saving and calling Vipps: re-issue the
    // create (same Idempotency-Key) rather than leave the customer waiting for the watchdog.
    if (existing.state === 'payment-requested' && existing.pending?.op === 'create') issuePending(d);
    return d.result();
  }
  if (input.msn !== lane.msn || input.merchantQrId !== lane.merchantQrId) {
    return { session: null, effects: [], outcome: { kind: 'invalid', reason: 'lane-mismatch' } };
  }

  const d = new Draft(ctx, newSession(ctx, input, id, now), now, timing, true);
  if (input.customerToken === ERASED_CUSTOMER_TOKEN) drop(d, 'stale');
  else if (!lane.enabled) drop(d, 'disabled');
  else if (now.getTime() >= tokenUsableUntilMs(timing, input.initiatedAt)) drop(d, 'stale');
  else if (ctx.activeSession && isActive(ctx.activeSession)) drop(d, 'busy');
  else if (lane.kind === 'vending') startVending(d);
  else startSelfCheckout(d);
  return d.result();
}

export function startVending(d: Draft): void {
  const { maxAmount, currency } = d.lane;
  if (maxAmount === undefined) {
    // The lanes loader rejects this; a lane without an amount policy must not charge anything.
    d.log('error', 'lane-misconfigured', { missing: 'maxAmount' });
    drop(d, 'disabled');
    return;
  }
  requestPayment(d, { currency, value: maxAmount }, null, true);
}

export function startSelfCheckout(d: Draft): void {
  const { lane, sale } = d;
  // No session is active here, so a sale still marked as bound belongs to a session that has ended.
  if (sale && sale.laneId === lane.id) {
    d.setSale({ ...sale, sessionId: d.session.id });
    const amount = { currency: sale.currency, value: sale.amount };
    requestPayment(d, amount, { orderId: sale.orderId, amount, description: sale.description }, true);
    return;
  }
  if (lane.fixedAmount !== undefined) {
    requestPayment(d, { currency: lane.currency, value: lane.fixedAmount }, null, true);
    return;
  }
  const { saleWaitSafetyS, tokenLifetimeS } = d.timing;
  const tokenLimit = Date.parse(d.session.initiatedAt) + (tokenLifetimeS - saleWaitSafetyS) * 1000;
  const laneLimit = lane.saleWaitS === undefined ? Infinity : d.nowMs + lane.saleWaitS * 1000;
  d.patch({ state: 'awaiting-sale' });
  d.message('session.checked-in', { kind: lane.kind, awaitingSale: true });
  d.setTimer('sale-wait', Math.max(d.nowMs, Math.min(tokenLimit, laneLimit)));
}
