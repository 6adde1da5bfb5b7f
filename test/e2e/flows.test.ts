// End to end over HTTP: a scan at the emulator becomes a check-in webhook, a push payment, lane messages to the
// simulated controller, its dispense report through the controller API, and the capture/cancel in the
// emulator's ledger. One lane per flow, so no flow waits on another's session.
import { waitFor } from '../support/wait-for';
import { startE2e, type E2e } from './harness';

const LANES = [
  { id: 'vend-approve', kind: 'vending', maxAmount: 10000 },
  { id: 'vend-fail', kind: 'vending', maxAmount: 10000 },
  { id: 'vend-silent', kind: 'vending', maxAmount: 10000, dispenseTimeoutS: 1 },
  { id: 'vend-busy', kind: 'vending', maxAmount: 8000 },
  { id: 'vend-reject', kind: 'vending', maxAmount: 10000 },
  { id: 'shop-fixed', kind: 'self-checkout', fixedAmount: 4900 },
  { id: 'shop-sale', kind: 'self-checkout' },
  { id: 'shop-ignore', kind: 'self-checkout', fixedAmount: 4900 },
] as const;

describe('end to end: the sandbox flows', () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({
      lanes: LANES,
      start: { sandbox: { emulator: { userTimeoutMs: 1_500 } } },
    });
  });
  afterAll(() => e2e.close());

  it('vending: approve, dispense 25.00 of 100.00 ⇒ capture 2500, release 7500, lane told in order', async () => {
    const set = await e2e.control('PUT', '/emulator/v1/controllers/vend-approve', {
      dispense: { result: 'dispensed', amount: 2500 },
    });
    expect(set).toEqual({
      status: 200,
      body: { laneId: 'vend-approve', dispense: { result: 'dispensed', amount: 2500 } },
    });
    const s = await e2e.scan('vend-approve');
    const final = await e2e.final(s);
    expect(final).toMatchObject({
      id: `${s.sessionId}.completed`,
      type: 'session.completed',
      data: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 } },
    });
    const received = (await e2e.messages('vend-approve')).map((r) => r.message.id);
    expect(received).toEqual(
      ['checked-in', 'payment-requested', 'authorized', 'completed'].map((step) => `${s.sessionId}.${step}`),
    );
    const payment = await e2e.payment(s.reference);
    expect(payment).toMatchObject({
      state: 'AUTHORIZED',
      createCalls: 1,
      aggregate: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 } },
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED'],
    });
    const controller = await e2e.control('GET', '/emulator/v1/controllers/vend-approve');
    expect(controller.body).toMatchObject({
      reports: [{ sessionId: s.sessionId, result: 'dispensed', amount: 2500, status: 202, attempts: 1 }],
    });
  });

  it('self-checkout: the fixed price is captured in full and the lane is told it is paid', async () => {
    const s = await e2e.scan('shop-fixed');
    expect(await e2e.final(s)).toMatchObject({ type: 'session.paid', data: { amount: { value: 4900 } } });
    expect(await e2e.payment(s.reference)).toMatchObject({
      state: 'AUTHORIZED',
      aggregate: { capturedAmount: { value: 4900 }, cancelledAmount: { value: 0 } },
    });
  });

  it('self-checkout: a sale opened through the controller API is what the customer pays', async () => {
    const opened = await e2e.controllerApi('POST', '/v1/lanes/shop-sale/sale', {
      orderId: 'order-77',
      amount: 12345,
      currency: 'NOK',
      description: 'Groceries',
    });
    expect(opened.status).toBe(201);
    const s = await e2e.scan('shop-sale');
    expect(await e2e.final(s)).toMatchObject({
      type: 'session.paid',
      data: { amount: { value: 12345 }, orderId: 'order-77' },
    });
    expect((await e2e.payment(s.reference))?.aggregate.capturedAmount.value).toBe(12345);
  });

  it('a rejected push fails the session as aborted and nothing is captured', async () => {
    const s = await e2e.scan('vend-reject', { action: 'reject' });
    expect(await e2e.final(s)).toMatchObject({ type: 'session.failed', data: { reason: 'aborted' } });
    const messages = (await e2e.messages('vend-reject')).map((r) => r.message.type);
    expect(messages).not.toContain('session.authorized');
    expect(await e2e.payment(s.reference)).toMatchObject({
      state: 'ABORTED',
      aggregate: { capturedAmount: { value: 0 }, authorizedAmount: { value: 0 } },
    });
  });

  it('an ignored push expires at the user timeout and the session fails as expired', async () => {
    const s = await e2e.scan('shop-ignore', { action: 'ignore' });
    expect(await e2e.final(s)).toMatchObject({ type: 'session.failed', data: { reason: 'expired' } });
    expect(await e2e.payment(s.reference)).toMatchObject({
      state: 'EXPIRED',
      aggregate: { capturedAmount: { value: 0 } },
    });
  });

  it('vending: a dispense failure releases the whole reservation', async () => {
    await e2e.control('PUT', '/emulator/v1/controllers/vend-fail', { dispense: { result: 'failed' } });
    const s = await e2e.scan('vend-fail');
    expect(await e2e.final(s)).toMatchObject({
      type: 'session.cancelled',
      data: { reason: 'dispense-failed' },
    });
    expect(await e2e.payment(s.reference)).toMatchObject({
      aggregate: { capturedAmount: { value: 0 }, cancelledAmount: { value: 10000 } },
      events: ['CREATED', 'AUTHORIZED', 'CANCELLED'],
    });
  });

  it('vending: a controller that never reports is cancelled by the dispense timeout', async () => {
    await e2e.control('PUT', '/emulator/v1/controllers/vend-silent', { dispense: { result: 'silent' } });
    const s = await e2e.scan('vend-silent');
    expect(await e2e.final(s)).toMatchObject({
      type: 'session.cancelled',
      data: { reason: 'dispense-timeout' },
    });
    expect(await e2e.payment(s.reference)).toMatchObject({
      aggregate: { capturedAmount: { value: 0 }, cancelledAmount: { value: 10000 } },
    });
    expect((await e2e.control('GET', '/emulator/v1/controllers/vend-silent')).body).toMatchObject({
      reports: [],
    });
  });

  it('busy lane: a second scan while a session is active is dropped, the first completes', async () => {
    // A slow machine keeps the first session active well past the second check-in.
    await e2e.control('PUT', '/emulator/v1/controllers/vend-busy', {
      dispense: { result: 'dispensed', afterMs: 1_000 },
    });
    const first = await e2e.scan('vend-busy');
    // The second scan must find the first session active: wait until the lane was told it checked in.
    await waitForMessage(e2e, 'vend-busy', `${first.sessionId}.checked-in`);
    const second = await e2e.scan('vend-busy');
    expect(await e2e.final(second)).toMatchObject({ type: 'session.dropped', data: { reason: 'busy' } });
    expect(await e2e.final(first)).toMatchObject({
      type: 'session.completed',
      data: { capturedAmount: { value: 2000 }, cancelledAmount: { value: 6000 } },
    });
    expect(await e2e.payment(second.reference)).toBeUndefined();
    expect(await e2e.payment(first.reference)).toMatchObject({
      aggregate: { capturedAmount: { value: 2000 } },
    });
  });

  it('the whole ledger holds one payment per paying session and nothing else', async () => {
    const payments = await e2e.payments();
    // vend-approve, shop-fixed, shop-sale, vend-reject, shop-ignore, vend-fail, vend-silent, vend-busy (first)
    expect(payments).toHaveLength(8);
    expect(payments.every((p) => p.createCalls === 1)).toBe(true);
  });
});

async function waitForMessage(e2e: E2e, laneId: string, id: string): Promise<void> {
  await waitFor(async () => (await e2e.messages(laneId)).some((r) => r.message.id === id), {
    what: `lane message ${id}`,
  });
}
