// screen-qr end to end over HTTP (issue 16): the lane's controller asks for a session, the gateway creates an
// ePayment with userFlow QR and tells the lane `session.qr-ready`, a simulated customer scans the QR at the
// emulator, and from there the session runs as a callback-QR one: authorize → dispense → capture (vending) or
// capture in full (self-checkout). Refusals (busy lane, pairing not offered, bad attemptId) queue and charge
// nothing; the same attemptId again is the same session and one payment.
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { referenceFor, sessionIdForAttempt } from '../../src/sessions/ids';
import { laneYaml, startPairingHarness, type PairingHarness } from './pairing-harness';

const LANES = [
  'lanes:',
  laneYaml('vend-screen', 'vending', '[screen-qr]', ['maxAmount: 10000']),
  laneYaml('shop-screen', 'self-checkout', '[callback-qr, screen-qr]'),
  laneYaml('vend-busy', 'vending', '[screen-qr, personal-qr]', ['maxAmount: 5000']),
  laneYaml('vend-sticker', 'vending', '[callback-qr]', ['maxAmount: 5000']),
].join('\n');

const start = (h: PairingHarness, laneId: string, body: unknown) =>
  h.controller('POST', `/v1/lanes/${laneId}/sessions`, body);

describe('screen-qr end to end', () => {
  let h: PairingHarness;
  beforeAll(async () => {
    h = await startPairingHarness(`${LANES}\n`);
  }, 90_000);
  // Starting and stopping the whole gateway take seconds on a loaded machine (hence the hooks' timeouts).
  afterAll(() => h.close(), 30_000);

  it('vending: QR shown, scanned, approved, 25.00 dispensed of 100.00 ⇒ capture 2500, release 7500', async () => {
    await h.control('PUT', '/emulator/v1/controllers/vend-screen', {
      dispense: { result: 'dispensed', amount: 2500 },
    });
    const sessionId = sessionIdForAttempt('vend-screen', 'screen-1');
    const reference = referenceFor('vend-screen', sessionId);
    const res = await start(h, 'vend-screen', {
      attemptId: 'screen-1',
      pairing: 'screen-qr',
      qrFormat: { format: 'IMAGE/PNG', size: 300 },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      sessionId,
      laneId: 'vend-screen',
      attemptId: 'screen-1',
      pairing: 'screen-qr',
      state: 'payment-requested',
      reason: null,
      amount: { currency: 'NOK', value: 10000 },
      orderId: null,
      qrImageUrl: expect.stringContaining(`/qr-images/epayment/123456/${reference}.png?size=300`),
      qrFormat: 'IMAGE/PNG',
    });

    // What the emulator received: a QR payment at a physical point of sale, no customer.
    const sent = await h.control('GET', `/emulator/v1/payments/${reference}/request`);
    expect(sent.body).toEqual({
      msn: '123456',
      reference,
      request: {
        userFlow: 'QR',
        customerInteraction: 'CUSTOMER_PRESENT',
        customer: null,
        qrFormat: { format: 'IMAGE/PNG', size: 300 },
        paymentDescription: 'Pairing lane vend-screen',
      },
      customerId: null,
    });

    // The lane is told where the QR is; the image is a real, scannable PNG of the payment's landing page.
    const messages = await h.messages('vend-screen');
    const qrReady = messages.find((m) => m.type === 'session.qr-ready');
    expect(qrReady).toMatchObject({
      id: `${sessionId}.qr-ready`,
      data: { qrImageUrl: body.qrImageUrl, qrFormat: 'IMAGE/PNG', expiresAt: expect.any(String) },
    });
    const image = await fetch(String(body.qrImageUrl));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    expect(png.width).toBe(300);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toMatch(new RegExp(`/emulator/v1/landing/123456/${reference}$`));

    const scanned = await h.control('POST', `/emulator/v1/payments/${reference}/scan`, {
      behavior: { action: 'approve', afterMs: 10 },
    });
    expect(scanned.status).toBe(200);
    expect(await h.final('vend-screen', sessionId)).toMatchObject({
      type: 'session.completed',
      data: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 } },
    });
    // The same lane messages as a callback-QR session, with the screen's QR after the payment request.
    expect((await h.messages('vend-screen')).map((m) => m.id)).toEqual(
      ['checked-in', 'payment-requested', 'qr-ready', 'authorized', 'completed'].map(
        (s) => `${sessionId}.${s}`,
      ),
    );
    expect(await h.payment(reference)).toMatchObject({
      state: 'AUTHORIZED',
      userFlow: 'QR',
      createCalls: 1,
      aggregate: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 } },
      events: ['CREATED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED'],
    });
  });

  it('the same attemptId again answers 200 with the same session: one payment, one create', async () => {
    const before = h.paymentCount();
    const again = await start(h, 'vend-screen', { attemptId: 'screen-1', pairing: 'screen-qr' });
    expect(again.status).toBe(200);
    const sessionId = sessionIdForAttempt('vend-screen', 'screen-1');
    expect(await again.json()).toMatchObject({ sessionId, state: 'completed', pairing: 'screen-qr' });
    expect(h.paymentCount()).toBe(before);
    expect(await h.payment(referenceFor('vend-screen', sessionId))).toMatchObject({ createCalls: 1 });
  });

  it('self-checkout: the open sale is the amount; paid in full once the scanned QR is approved', async () => {
    const sale = await h.controller('POST', '/v1/lanes/shop-screen/sale', {
      orderId: 'order-9',
      amount: 12345,
      currency: 'NOK',
      description: 'Groceries',
    });
    expect(sale.status).toBe(201);
    const res = await start(h, 'shop-screen', { attemptId: 'order-9-screen', pairing: 'screen-qr' });
    expect(res.status).toBe(201);
    const { sessionId, qrImageUrl, qrFormat, amount, orderId } = (await res.json()) as Record<
      string,
      unknown
    >;
    expect({ amount, orderId, qrFormat }).toEqual({
      amount: { currency: 'NOK', value: 12345 },
      orderId: 'order-9',
      qrFormat: 'IMAGE/SVG+XML',
    });
    const svg = await fetch(String(qrImageUrl));
    expect(svg.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    const reference = referenceFor('shop-screen', String(sessionId));
    await h.control('POST', `/emulator/v1/payments/${reference}/scan`, { behavior: { action: 'approve' } });
    expect(await h.final('shop-screen', String(sessionId))).toMatchObject({
      type: 'session.paid',
      data: { amount: { value: 12345 }, orderId: 'order-9' },
    });
    expect(await h.payment(reference)).toMatchObject({
      aggregate: { capturedAmount: { value: 12345 }, cancelledAmount: { value: 0 } },
    });
  });

  it('a busy lane is refused 409 lane_busy: nothing queued, nothing charged', async () => {
    const first = await start(h, 'vend-busy', { attemptId: 'busy-1', pairing: 'screen-qr' });
    expect(first.status).toBe(201);
    const before = h.paymentCount();
    const messagesBefore = (await h.messages('vend-busy')).length;
    const second = await start(h, 'vend-busy', { attemptId: 'busy-2', pairing: 'screen-qr' });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await second.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/lane_busy',
      title: 'The lane has a session in progress',
      status: 409,
      code: 'lane_busy',
      detail: 'lane vend-busy has a session in progress; try again when it has ended',
    });
    expect(h.paymentCount()).toBe(before);
    const lane = (await (await h.controller('GET', '/v1/lanes/vend-busy')).json()) as {
      currentSession: { sessionId: string };
    };
    expect(lane.currentSession.sessionId).toBe(sessionIdForAttempt('vend-busy', 'busy-1'));
    expect((await h.messages('vend-busy')).length).toBe(messagesBefore);
    expect((await h.messages('vend-busy')).map((m) => m.sessionId)).not.toContain(
      sessionIdForAttempt('vend-busy', 'busy-2'),
    );
  });

  it('a pairing the lane does not offer is refused 409 pairing_not_offered: nothing queued or charged', async () => {
    const before = h.paymentCount();
    const res = await start(h, 'vend-sticker', { attemptId: 'sticker-1', pairing: 'screen-qr' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/pairing_not_offered',
      title: 'The lane does not offer this pairing',
      status: 409,
      code: 'pairing_not_offered',
      detail: 'lane vend-sticker does not offer screen-qr (it offers callback-qr)',
    });
    expect(h.paymentCount()).toBe(before);
    expect(await h.messages('vend-sticker')).toEqual([]);
    const lane = (await (await h.controller('GET', '/v1/lanes/vend-sticker')).json()) as Record<
      string,
      unknown
    >;
    expect(lane.currentSession).toBeNull();
  });

  it('a bad attemptId is 422 invalid_attempt_id; a missing one and an unknown pairing are 422 invalid_body', async () => {
    const before = h.paymentCount();
    const bad = await start(h, 'vend-sticker', { attemptId: 'has space', pairing: 'screen-qr' });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/invalid_attempt_id',
      title: 'The attemptId is not valid',
      status: 422,
      code: 'invalid_attempt_id',
      detail: 'attemptId must be 1-64 characters of A-Z a-z 0-9 _ . : -',
    });
    const missing = await start(h, 'vend-sticker', { pairing: 'redirect-qr' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({
      code: 'invalid_body',
      errors: [
        { field: 'attemptId', message: 'is required' },
        {
          field: 'pairing',
          message: 'redirect-qr sessions start from the pay page (PUBLIC_BASE_URL/pay/{laneId})',
        },
      ],
    });
    expect(h.paymentCount()).toBe(before);
  });

  it("another lane's token is refused 403 before anything is looked at", async () => {
    const res = await h.controller(
      'POST',
      '/v1/lanes/vend-sticker/sessions',
      { attemptId: 'x-1', pairing: 'screen-qr' },
      ['vend-screen'],
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'lane_forbidden' });
  });
});
