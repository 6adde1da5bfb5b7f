// A screen-qr or redirect-qr session whose create answer was lost, and the payment was then seen by an event or
// a poll: the QR image (or the Vipps page) is only in the create's answer, so the create stays pending and is
// asked again with the same Idempotency-Key; its answer brings session.qr-ready. A push session needs no URL
// and drops the pending create as before.
import type { Lane } from '../../src/lanes/lane';
import { sessionIdForAttempt } from '../../src/sessions/ids';
import type { Effect, Input } from '../../src/sessions/types';
import { LaneSim, T0, effectTokens, iso, vendingLane } from '../sessions/harness';

const lane: Lane = { ...vendingLane, pairings: ['screen-qr', 'personal-qr'] };
const QR_URL = 'https://qr.example/payment.svg';

function laneStart(pairing: 'screen-qr' | 'personal-qr', attemptId = 'a-1'): Input {
  return {
    type: 'lane-start',
    sessionId: sessionIdForAttempt(lane.id, attemptId),
    laneId: lane.id,
    attemptId,
    pairing,
    requestedAt: iso(T0),
    ...(pairing === 'personal-qr' ? { personalQr: 'emulator-personal-qr:c_0123456789abcdef' } : {}),
  };
}

const creates = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === 'create-payment' ? [e.idempotencyKey] : []));

function screenSessionSeenBeforeItsAnswer(): { sim: LaneSim; key: string } {
  const sim = new LaneSim(lane);
  const [key] = creates(sim.apply(laneStart('screen-qr')).effects);
  if (key === undefined) throw new Error('no create');
  // The create's answer never comes back; Vipps's CREATED event does.
  const seen = sim.apply(sim.event('CREATED', 10000), 2000);
  expect(creates(seen.effects)).toEqual([key]);
  expect(effectTokens(seen.effects)).not.toContain('msg:qr-ready');
  expect(sim.session).toMatchObject({ state: 'payment-requested', paymentCreated: true });
  expect(sim.session.pending?.op).toBe('create');
  return { sim, key };
}

describe('a QR session whose create answer was lost', () => {
  it('asks again with the same key when the payment is seen, and tells the screen its QR from that answer', () => {
    const { sim } = screenSessionSeenBeforeItsAnswer();
    const answered = sim.apply(
      { type: 'payment-created', sessionId: sim.session.id, redirectUrl: QR_URL },
      300,
    );
    expect(effectTokens(answered.effects)).toContain('msg:qr-ready');
    const ready = answered.effects.find((e) => e.type === 'send-lane-message');
    expect(ready?.type === 'send-lane-message' && ready.message.data).toMatchObject({
      qrImageUrl: QR_URL,
    });
    expect(sim.session).toMatchObject({ state: 'payment-requested', redirectUrl: QR_URL, pending: null });
    // A second copy of the answer changes nothing.
    const again = sim.apply({ type: 'payment-created', sessionId: sim.session.id, redirectUrl: QR_URL });
    expect(effectTokens(again.effects)).not.toContain('msg:qr-ready');
  });

  it('keeps asking on the watchdog with the same key while the answer stays lost', () => {
    const { sim, key } = screenSessionSeenBeforeItsAnswer();
    const retried = sim.fire('retry');
    expect(creates(retried.effects)).toEqual([key]);
  });

  it('cancels the payment that exists when the repeated create is refused', () => {
    const { sim } = screenSessionSeenBeforeItsAnswer();
    const refused = sim.apply({
      type: 'payment-create-failed',
      sessionId: sim.session.id,
      retryable: false,
      status: 400,
      code: '4000',
      message: 'refused',
    });
    expect(refused.effects.map((e) => e.type)).toContain('cancel');
    expect(sim.session).toMatchObject({ state: 'cancelling' });
  });

  it('a push session seen before its answer drops the pending create: nothing is asked again', () => {
    const sim = new LaneSim(lane);
    sim.apply(laneStart('personal-qr', 'a-2'));
    const seen = sim.apply(sim.event('CREATED', 10000), 2000);
    expect(creates(seen.effects)).toEqual([]);
    expect(sim.session).toMatchObject({ paymentCreated: true, pending: null });
  });
});
