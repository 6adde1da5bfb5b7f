// personal-qr end to end over HTTP (issue 16): the lane's scanner reads a simulated customer's personal QR, the
// controller starts a session with it, the gateway pushes the payment to that customer (PUSH_MESSAGE +
// customer.personalQr, CUSTOMER_PRESENT), and the session runs exactly as a callback-QR one on the same lane:
// the same lane messages and the same money. A malformed QR and a disabled pairing are refused with nothing
// queued or charged; the same attemptId again is one payment.
import { referenceFor, sessionIdForAttempt } from '../../src/sessions/ids';
import { waitFor } from '../support/wait-for';
import { laneYaml, MSN, startPairingHarness, type PairingHarness } from './pairing-harness';

const LANES = [
  'lanes:',
  laneYaml('vend-scan', 'vending', '[callback-qr, personal-qr]', ['maxAmount: 10000']),
  laneYaml('shop-scan', 'self-checkout', '[personal-qr]', ['fixedAmount: 4900']),
  laneYaml('vend-screen-only', 'vending', '[screen-qr]', ['maxAmount: 5000']),
].join('\n');

interface Customer {
  readonly customerId: string;
  readonly personalQr: string;
}

const start = (h: PairingHarness, laneId: string, body: unknown) =>
  h.controller('POST', `/v1/lanes/${laneId}/sessions`, body);

async function newCustomer(h: PairingHarness, action = 'approve'): Promise<Customer> {
  const res = await h.control('POST', '/emulator/v1/customers', { behavior: { action, afterMs: 10 } });
  expect(res.status).toBe(201);
  return res.body as Customer;
}

/** The session's message types and the payment's money, the parts two pairings must share. */
async function outcome(h: PairingHarness, laneId: string, sessionId: string) {
  await h.final(laneId, sessionId);
  const types = (await h.messages(laneId)).filter((m) => m.sessionId === sessionId).map((m) => m.type);
  const payment = (await h.payment(referenceFor(laneId, sessionId))) as {
    aggregate: Record<string, { value: number }>;
    events: string[];
  };
  const { authorizedAmount, capturedAmount, cancelledAmount } = payment.aggregate;
  return { types, money: { authorizedAmount, capturedAmount, cancelledAmount }, events: payment.events };
}

describe('personal-qr end to end', () => {
  let h: PairingHarness;
  beforeAll(async () => {
    h = await startPairingHarness(`${LANES}\n`);
    await h.control('PUT', '/emulator/v1/controllers/vend-scan', {
      dispense: { result: 'dispensed', amount: 3000 },
    });
  }, 90_000);
  // Starting and stopping the whole gateway take seconds on a loaded machine (hence the hooks' timeouts).
  afterAll(() => h.close(), 30_000);

  it('vending: a push to the scanned customer, then the same messages and money as a callback-QR session', async () => {
    const customer = await newCustomer(h);
    const sessionId = sessionIdForAttempt('vend-scan', 'scan-1');
    const reference = referenceFor('vend-scan', sessionId);
    const res = await start(h, 'vend-scan', {
      attemptId: 'scan-1',
      pairing: 'personal-qr',
      personalQr: customer.personalQr,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      sessionId,
      laneId: 'vend-scan',
      attemptId: 'scan-1',
      pairing: 'personal-qr',
      state: 'payment-requested',
      reason: null,
      amount: { currency: 'NOK', value: 10000 },
      orderId: null,
    });
    // The ePayment body as the emulator received it.
    expect((await h.control('GET', `/emulator/v1/payments/${reference}/request`)).body).toEqual({
      msn: MSN,
      reference,
      request: {
        userFlow: 'PUSH_MESSAGE',
        customerInteraction: 'CUSTOMER_PRESENT',
        customer: { personalQr: customer.personalQr },
        paymentDescription: 'Pairing lane vend-scan',
      },
      customerId: customer.customerId,
    });
    const pushed = await outcome(h, 'vend-scan', sessionId);

    // A callback-QR session on the same lane: a scan of its sticker, the check-in's token.
    const scan = await h.control('POST', '/emulator/v1/scans', {
      msn: MSN,
      merchantQrId: 'vend-scan',
      behavior: { action: 'approve', afterMs: 10 },
    });
    expect(scan.status).toBe(201);
    const callback = await waitFor(
      async () =>
        (await h.messages('vend-scan')).find(
          (m) => m.type === 'session.checked-in' && m.sessionId !== sessionId,
        ),
      { timeoutMs: 10_000, what: 'the callback-QR session' },
    );
    const viaSticker = await outcome(h, 'vend-scan', callback.sessionId);
    const callbackRequest = await h.control(
      'GET',
      `/emulator/v1/payments/${referenceFor('vend-scan', callback.sessionId)}/request`,
    );
    expect(callbackRequest.body).toMatchObject({
      request: {
        userFlow: 'PUSH_MESSAGE',
        customerInteraction: 'CUSTOMER_PRESENT',
        customer: { customerToken: 'sent' },
      },
    });

    expect(pushed).toEqual(viaSticker);
    expect(pushed).toEqual({
      types: ['session.checked-in', 'session.payment-requested', 'session.authorized', 'session.completed'],
      money: {
        authorizedAmount: { currency: 'NOK', value: 10000 },
        capturedAmount: { currency: 'NOK', value: 3000 },
        cancelledAmount: { currency: 'NOK', value: 7000 },
      },
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED'],
    });
    // The personal QR is the customer's: never in a lane message.
    expect(JSON.stringify(await h.messages('vend-scan'))).not.toContain(customer.personalQr);
    const seen = (await h.control('GET', `/emulator/v1/customers/${customer.customerId}`)).body;
    expect(seen).toMatchObject({ payments: [{ reference, userFlow: 'PUSH_MESSAGE', state: 'AUTHORIZED' }] });
  });

  it('the same attemptId again is 200 and the same session: one payment, one create', async () => {
    const customer = await newCustomer(h);
    const body = { attemptId: 'scan-2', pairing: 'personal-qr', personalQr: customer.personalQr };
    const first = await start(h, 'shop-scan', body);
    expect(first.status).toBe(201);
    const before = h.paymentCount();
    const again = await start(h, 'shop-scan', body);
    expect(again.status).toBe(200);
    const sessionId = sessionIdForAttempt('shop-scan', 'scan-2');
    expect(await again.json()).toMatchObject({ sessionId, pairing: 'personal-qr' });
    expect(await h.final('shop-scan', sessionId)).toMatchObject({
      type: 'session.paid',
      data: { amount: { value: 4900 } },
    });
    expect(h.paymentCount()).toBe(before);
    expect(await h.payment(referenceFor('shop-scan', sessionId))).toMatchObject({
      createCalls: 1,
      aggregate: { capturedAmount: { value: 4900 } },
    });
  });

  it('a customer who rejects the push ends the session failed, nothing captured', async () => {
    const customer = await newCustomer(h, 'reject');
    const res = await start(h, 'shop-scan', {
      attemptId: 'scan-3',
      pairing: 'personal-qr',
      personalQr: customer.personalQr,
    });
    expect(res.status).toBe(201);
    const sessionId = sessionIdForAttempt('shop-scan', 'scan-3');
    expect(await h.final('shop-scan', sessionId)).toMatchObject({ type: 'session.failed' });
    expect(await h.payment(referenceFor('shop-scan', sessionId))).toMatchObject({
      state: 'ABORTED',
      aggregate: { capturedAmount: { value: 0 } },
    });
  });

  it('a malformed personal QR is 422 invalid_personal_qr: nothing queued, nothing charged', async () => {
    const before = h.paymentCount();
    const messagesBefore = (await h.messages('shop-scan')).length;
    for (const personalQr of ['abc', 'line\nbreak-in-a-scan', 'x'.repeat(256)]) {
      const res = await start(h, 'shop-scan', { attemptId: 'scan-bad', pairing: 'personal-qr', personalQr });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({
        type: 'https://checkin-gateway.dev/problems/invalid_personal_qr',
        title: 'The personal QR is malformed',
        status: 422,
        code: 'invalid_personal_qr',
        detail:
          'personalQr must be the full content of the scanned code: 5-255 characters without control characters',
      });
    }
    const missing = await start(h, 'shop-scan', { attemptId: 'scan-bad', pairing: 'personal-qr' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({
      code: 'invalid_body',
      errors: [
        { field: 'personalQr', message: 'is required with "personal-qr": the scanned code\'s content' },
      ],
    });
    expect(h.paymentCount()).toBe(before);
    expect((await h.messages('shop-scan')).length).toBe(messagesBefore);
  });

  it('a lane that does not offer personal-qr is refused 409 pairing_not_offered: nothing charged', async () => {
    const customer = await newCustomer(h);
    const before = h.paymentCount();
    const res = await start(h, 'vend-screen-only', {
      attemptId: 'scan-4',
      pairing: 'personal-qr',
      personalQr: customer.personalQr,
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/pairing_not_offered',
      title: 'The lane does not offer this pairing',
      status: 409,
      code: 'pairing_not_offered',
      detail: 'lane vend-screen-only does not offer personal-qr (it offers screen-qr)',
    });
    expect(h.paymentCount()).toBe(before);
    expect(await h.messages('vend-screen-only')).toEqual([]);
    const seen = (await h.control('GET', `/emulator/v1/customers/${customer.customerId}`)).body;
    expect(seen).toMatchObject({ payments: [] });
  });
});
