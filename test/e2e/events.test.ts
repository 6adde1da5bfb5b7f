// End to end: ePayment webhooks that arrive twice or in the wrong order (vipps-protocol.md §1.5: at least once,
// order not guaranteed) leave each session in the right state with exactly one capture.
import { randomInt } from 'node:crypto';
import { waitFor } from '../support/wait-for';
import { MSN, startE2e, webhookBody, type E2e, type ScannedSession } from './harness';

const LANES = [
  { id: 'shop-dup', kind: 'self-checkout', fixedAmount: 4900 },
  { id: 'vend-dup', kind: 'vending', maxAmount: 10000 },
  { id: 'shop-late', kind: 'self-checkout', fixedAmount: 4900 },
  { id: 'shop-early', kind: 'self-checkout', fixedAmount: 4900 },
] as const;

/** A Vipps event body for the session's payment that intake has never seen (its own pspReference). */
function freshEvent(s: ScannedSession, name: string, value: number): string {
  return JSON.stringify({
    msn: MSN,
    reference: s.reference,
    pspReference: String(randomInt(1_000_000_000, 9_999_999_999)),
    name,
    amount: { currency: 'NOK', value },
    timestamp: new Date().toISOString(),
    success: true,
  });
}

describe('end to end: duplicate and out-of-order ePayment events', () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({ lanes: LANES });
  });
  afterAll(() => e2e.close());

  const sessionMessages = async (s: ScannedSession): Promise<string[]> =>
    (await e2e.messages(s.laneId))
      .filter((r) => r.message.sessionId === s.sessionId)
      .map((r) => r.message.id);

  it('answers a redelivered event (same body, signed again) as a duplicate and changes nothing', async () => {
    const s = await e2e.scan('shop-dup');
    expect(await e2e.final(s)).toMatchObject({ type: 'session.paid' });
    const before = await sessionMessages(s);
    for (const name of ['CREATED', 'AUTHORIZED', 'CAPTURED']) {
      const res = await e2e.postWebhook(await webhookBody(e2e, s.reference, name));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'duplicate' });
    }
    expect(await e2e.payment(s.reference)).toMatchObject({
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED'],
      aggregate: { capturedAmount: { value: 4900 } },
    });
    expect(await sessionMessages(s)).toEqual(before);
  });

  it('a second CAPTURED event the worker has not seen does not capture again', async () => {
    await e2e.control('PUT', '/emulator/v1/controllers/vend-dup', {
      dispense: { result: 'dispensed', amount: 3000 },
    });
    const s = await e2e.scan('vend-dup');
    expect(await e2e.final(s)).toMatchObject({ type: 'session.completed' });
    const before = await sessionMessages(s);
    const res = await e2e.postWebhook(freshEvent(s, 'CAPTURED', 3000));
    expect(res.status).toBe(202);
    expect((await e2e.queueIdle()).dead).toBe(0);
    expect(await e2e.payment(s.reference)).toMatchObject({
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED'],
      aggregate: { capturedAmount: { value: 3000 }, cancelledAmount: { value: 7000 } },
    });
    expect(await sessionMessages(s)).toEqual(before);
  });

  it('AUTHORIZED delivered after CAPTURED leaves the paid session paid, with one capture', async () => {
    const s = await e2e.scan('shop-late');
    expect(await e2e.final(s)).toMatchObject({ type: 'session.paid' });
    const before = await sessionMessages(s);
    const res = await e2e.postWebhook(freshEvent(s, 'AUTHORIZED', 4900));
    expect(res.status).toBe(202);
    expect((await e2e.queueIdle()).dead).toBe(0);
    expect(await e2e.payment(s.reference)).toMatchObject({
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED'],
      aggregate: { capturedAmount: { value: 4900 } },
    });
    expect(await sessionMessages(s)).toEqual(before);
  });

  it('CAPTURED arriving before AUTHORIZED is reconciled, then the real authorization captures once', async () => {
    // The customer takes 1.5 s, so the early event lands while the push is still open.
    const s = await e2e.scan('shop-early', { action: 'approve', afterMs: 1_500 });
    await waitFor(async () => (await sessionMessages(s)).includes(`${s.sessionId}.payment-requested`), {
      what: 'payment-requested',
    });
    const res = await e2e.postWebhook(freshEvent(s, 'CAPTURED', 4900));
    expect(res.status).toBe(202);
    expect(await e2e.final(s)).toMatchObject({ type: 'session.paid', data: { amount: { value: 4900 } } });
    expect(await e2e.payment(s.reference)).toMatchObject({
      state: 'AUTHORIZED',
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED'],
      aggregate: { capturedAmount: { value: 4900 } },
    });
    expect(await sessionMessages(s)).toEqual(
      ['checked-in', 'payment-requested', 'paid'].map((step) => `${s.sessionId}.${step}`),
    );
  });
});
