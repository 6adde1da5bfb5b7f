// A session born from a controller or page request instead of a check-in (issue 16): the screen-qr,
// personal-qr and redirect-qr pairings. Only the birth and the ePayment create differ from a check-in's
// session; from `payment-requested` on, every session runs the same machine, lane messages and controller API.
import { lanePairings } from '../lanes/lane';
import type { PaymentFlow, QrFormat } from '../vipps/epayment';
import { bornSession, drop, startSelfCheckout, startVending } from './checkin';
import { Draft } from './draft';
import { isActive } from './session-state';
import type { SessionTiming } from './timing';
import { issuePending } from './transitions';
import type { CreateCustomer, Input, Session, StepContext, StepResult } from './types';

type LaneStartInput = Extract<Input, { type: 'lane-start' }>;

/** What a screen gets when the request names no format: SVG scales to any screen. */
export const DEFAULT_QR_FORMAT: QrFormat = { format: 'IMAGE/SVG+XML' };

function newSession(ctx: StepContext, input: LaneStartInput, now: Date): Session {
  const { lane } = ctx;
  return bornSession(
    ctx,
    {
      id: input.sessionId,
      msn: lane.msn,
      merchantQrId: lane.merchantQrId,
      initiatedAt: input.requestedAt,
      // The personal QR is kept where a token is: stored apart, never logged, erased once the payment exists.
      customerToken: input.pairing === 'personal-qr' ? (input.personalQr ?? null) : null,
      pairing: input.pairing,
      attemptId: input.attemptId,
      ...(input.returnUrl === undefined ? {} : { returnUrl: input.returnUrl }),
      ...(input.pairing === 'screen-qr' ? { qrFormat: input.qrFormat ?? DEFAULT_QR_FORMAT } : {}),
    },
    now,
  );
}

export function onLaneStart(
  ctx: StepContext,
  input: LaneStartInput,
  now: Date,
  timing: SessionTiming,
): StepResult {
  const { lane } = ctx;
  const existing = [ctx.session, ctx.activeSession].find((s) => s?.id === input.sessionId);
  if (existing) {
    // The same attempt again (a retried request, a redelivered job): one session, one payment. A create whose
    // result never came back is re-issued with the same Idempotency-Key, as for a redelivered check-in.
    const d = new Draft(ctx, existing, now, timing);
    d.duplicate('start-repeated');
    if (existing.state === 'payment-requested' && existing.pending?.op === 'create') issuePending(d);
    return d.result();
  }
  if (input.laneId !== lane.id)
    return { session: null, effects: [], outcome: { kind: 'invalid', reason: 'lane-mismatch' } };

  const d = new Draft(ctx, newSession(ctx, input, now), now, timing, true);
  // The API refuses these before queuing; a lanes reload or a concurrent start can still land here.
  if (!lane.enabled || !lanePairings(lane).includes(input.pairing)) drop(d, 'disabled');
  else if (input.pairing === 'personal-qr' && !input.personalQr) drop(d, 'stale');
  else if (ctx.activeSession && isActive(ctx.activeSession)) drop(d, 'busy');
  else if (lane.kind === 'vending') startVending(d);
  else startSelfCheckout(d);
  return d.result();
}

/**
 * Who the pending create is for, rebuilt from the session alone (so a re-issue is byte-identical): the
 * check-in's token, or the pairing's flow. Null when the secret it needs is already gone.
 */
export function createCustomer(s: Session): CreateCustomer | null {
  const flow = paymentFlow(s);
  if (flow) return flow === 'token-gone' ? null : { flow };
  return s.customerToken === null ? null : { customerToken: s.customerToken };
}

function paymentFlow(s: Session): PaymentFlow | 'token-gone' | undefined {
  switch (s.pairing) {
    case undefined:
    case 'callback-qr':
      return undefined;
    case 'personal-qr':
      return s.customerToken === null
        ? 'token-gone'
        : { userFlow: 'PUSH_MESSAGE', personalQr: s.customerToken };
    case 'screen-qr':
      return { userFlow: 'QR', qrFormat: s.qrFormat ?? DEFAULT_QR_FORMAT };
    case 'redirect-qr':
      return s.returnUrl === undefined ? 'token-gone' : { userFlow: 'WEB_REDIRECT', returnUrl: s.returnUrl };
  }
}

/**
 * The create answered with its redirectUrl: kept on the session (the pay page reads it), and for a screen told
 * to the lane as `session.qr-ready` with the instant the customer's time to scan and approve runs out.
 */
export function onRedirectUrl(d: Draft, url: string | undefined): void {
  const s = d.session;
  if (url === undefined || (s.pairing !== 'screen-qr' && s.pairing !== 'redirect-qr')) return;
  d.patch({ redirectUrl: url });
  if (s.pairing !== 'screen-qr') return;
  d.message('session.qr-ready', {
    qrImageUrl: url,
    qrFormat: (s.qrFormat ?? DEFAULT_QR_FORMAT).format,
    expiresAt: new Date(d.nowMs + d.timing.userTimeoutS * 1000).toISOString(),
  });
}
