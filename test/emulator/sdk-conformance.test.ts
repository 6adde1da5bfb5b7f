// Conformance with Vipps's own client: the official @vippsmobilepay/sdk (2.x, runs on Node 20) drives the emulator
// for tokens, ePayment (push, redirect, a screen's QR, a scanned personal QR) and Webhooks registration, so the
// emulator is proven against a client we did not write.
//
// The SDK hard-codes its base URLs (script/base_client_helper.js: `useTestMode ? "https://apitest.vipps.no" :
// "https://api.vipps.no"`) and calls the global `fetch` with a Request (script/fetch.js); it has no base-URL
// or fetch option. So, for this file only, `globalThis.fetch` is wrapped to rewrite https://apitest.vipps.no to
// the emulator's URL, and restored afterwards. Nothing else is changed: headers, bodies and methods are the SDK's.
import { Client } from '@vippsmobilepay/sdk';
import { MSN, paymentEvent, scan, startHarness, startReceiver, type Harness, type Receiver } from './helpers';

const VIPPS_TEST = 'https://apitest.vipps.no';

describe('official @vippsmobilepay/sdk against the emulator', () => {
  let h: Harness;
  let receiver: Receiver;
  const realFetch = globalThis.fetch;
  const client = Client({
    merchantSerialNumber: MSN,
    subscriptionKey: 'sdk-subscription-key',
    useTestMode: true,
    retryRequests: false,
    systemName: 'checkin-gateway-tests',
    systemVersion: '1.0.0',
  });

  beforeAll(async () => {
    h = await startHarness();
    receiver = await startReceiver(h.clock);
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const req = new Request(input, init);
      if (!req.url.startsWith(VIPPS_TEST)) return realFetch(req);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      return realFetch(h.url + req.url.slice(VIPPS_TEST.length), {
        method: req.method,
        headers: req.headers,
        ...(hasBody ? { body: await req.arrayBuffer() } : {}),
      });
    };
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await h.close();
    await receiver.close();
  });

  async function token(): Promise<string> {
    const res = await client.auth.getToken('sdk-client-id', 'sdk-client-secret');
    if (!res.ok) throw new Error(`token failed: ${String(res.error)}`);
    return res.data.access_token;
  }

  it('gets an access token', async () => {
    const res = await client.auth.getToken('sdk-client-id', 'sdk-client-secret');
    expect(res.ok).toBe(true);
    if (res.ok)
      expect(res.data).toMatchObject({
        token_type: 'Bearer',
        expires_in: '3600',
        access_token: expect.any(String),
      });
  });

  it('registers, lists and deletes a webhook', async () => {
    const t = await token();
    const reg = await client.webhook.register(t, {
      url: receiver.url,
      events: ['epayments.payment.captured.v1'],
    });
    expect(reg.ok).toBe(true);
    if (!reg.ok) return;
    const list = await client.webhook.list(t);
    expect(list.ok && list.data.webhooks.map((w) => w.id)).toEqual([reg.data.id]);
    const del = await client.webhook.delete(t, reg.data.id);
    expect(del.ok).toBe(true);
    const after = await client.webhook.list(t);
    expect(after.ok && after.data.webhooks).toEqual([]);
  });

  it('creates a push payment with a customerToken, reads it, captures, refunds and cancels the rest', async () => {
    const t = await token();
    const reg = await client.webhook.register(t, {
      url: receiver.url,
      events: [
        'epayments.payment.created.v1',
        'epayments.payment.authorized.v1',
        'epayments.payment.captured.v1',
      ],
    });
    if (reg.ok) receiver.setSecret(reg.data.secret);
    const { customerToken } = await scan(h, {});
    const reference = 'sdk-push-0001';
    const created = await client.payment.create(t, {
      amount: { currency: 'NOK', value: 10_000 },
      paymentMethod: { type: 'WALLET' },
      customer: { customerToken },
      customerInteraction: 'CUSTOMER_PRESENT',
      reference,
      userFlow: 'PUSH_MESSAGE',
      paymentDescription: 'SDK conformance',
    });
    expect(created.ok && created.data).toEqual({ reference });
    await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    const info = await client.payment.info(t, reference);
    expect(info.ok && info.data).toMatchObject({
      state: 'AUTHORIZED',
      amount: { currency: 'NOK', value: 10_000 },
    });

    // The SDK sends a fresh random Idempotency-Key per call, so each of these is a new operation.
    const captured = await client.payment.capture(t, reference, {
      modificationAmount: { currency: 'NOK', value: 6_000 },
    });
    expect(captured.ok && captured.data.aggregate.capturedAmount).toEqual({ currency: 'NOK', value: 6_000 });
    const refunded = await client.payment.refund(t, reference, {
      modificationAmount: { currency: 'NOK', value: 1_000 },
    });
    expect(refunded.ok && refunded.data.aggregate.refundedAmount).toEqual({ currency: 'NOK', value: 1_000 });
    const cancelled = await client.payment.cancel(t, reference);
    expect(cancelled.ok && cancelled.data).toMatchObject({
      state: 'AUTHORIZED',
      aggregate: { cancelledAmount: { currency: 'NOK', value: 4_000 } },
    });
    const history = await client.payment.history(t, reference);
    expect(history.ok && history.data.map((e) => e.name)).toEqual([
      'CREATED',
      'AUTHORIZED',
      'CAPTURED',
      'REFUNDED',
      'CANCELLED',
    ]);

    await h.emulator.awaitIdle();
    const names = receiver.received
      .filter((d) => d.json['reference'] === reference)
      .map((d) => d.json['name']);
    expect(names).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED']);
    expect(receiver.received.every((d) => d.verification.ok)).toBe(true);
  });

  it('force-approves a redirect payment through the test endpoint', async () => {
    const t = await token();
    const reference = 'sdk-redirect-0001';
    const created = await client.payment.create(t, {
      amount: { currency: 'NOK', value: 500 },
      paymentMethod: { type: 'WALLET' },
      reference,
      userFlow: 'WEB_REDIRECT',
      returnUrl: 'https://example.com/return',
    });
    expect(created.ok && created.data.redirectUrl).toBe(`${h.url}/emulator/v1/landing/${MSN}/${reference}`);
    const approved = await client.payment.forceApprove(t, reference, {
      customer: { phoneNumber: '4791234567' },
    });
    expect(approved.ok).toBe(true);
    const info = await client.payment.info(t, reference);
    expect(info.ok && info.data.state).toBe('AUTHORIZED');
  });

  it('creates a userFlow QR payment whose redirectUrl is the QR image asked for (a customer-facing screen)', async () => {
    const t = await token();
    const reference = 'sdk-screen-qr-0001';
    const created = await client.payment.create(t, {
      amount: { currency: 'NOK', value: 700 },
      paymentMethod: { type: 'WALLET' },
      reference,
      userFlow: 'QR',
      qrFormat: { format: 'IMAGE/PNG', size: 300 },
      customerInteraction: 'CUSTOMER_PRESENT',
    });
    expect(created.ok).toBe(true);
    const url = (created.ok && created.data.redirectUrl) || '';
    expect(url.startsWith(`${h.url}/qr-images/epayment/${MSN}/${reference}.png`)).toBe(true);
    const image = await realFetch(url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('pushes a payment to a personal QR (a merchant scanner), and it reaches that simulated customer', async () => {
    const made = await realFetch(`${h.url}/emulator/v1/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ behavior: { action: 'approve' } }),
    });
    expect(made.status).toBe(201);
    const { personalQr, customerId } = (await made.json()) as { personalQr: string; customerId: string };
    const t = await token();
    const reference = 'sdk-personal-qr-0001';
    const created = await client.payment.create(t, {
      amount: { currency: 'NOK', value: 900 },
      paymentMethod: { type: 'WALLET' },
      reference,
      userFlow: 'PUSH_MESSAGE',
      customer: { personalQr },
      customerInteraction: 'CUSTOMER_PRESENT',
    });
    expect(created.ok).toBe(true);
    const request = await realFetch(`${h.url}/emulator/v1/payments/${reference}/request`);
    // The push reached the customer whose QR was scanned.
    expect(await request.json()).toMatchObject({
      customerId,
      request: {
        userFlow: 'PUSH_MESSAGE',
        customer: { personalQr },
        customerInteraction: 'CUSTOMER_PRESENT',
      },
    });
  });

  it('surfaces the emulator\u2019s problem+json errors through the SDK', async () => {
    const t = await token();
    const res = await client.payment.create(t, {
      amount: { currency: 'NOK', value: 1_000 },
      paymentMethod: { type: 'WALLET' },
      customer: { customerToken: 'bm90IGlzc3VlZCBoZXJl' },
      reference: 'sdk-invalid-0001',
      userFlow: 'PUSH_MESSAGE',
    });
    expect(res.ok).toBe(false);
    if (!res.ok)
      expect(res.error).toMatchObject({ status: 400, extraDetails: [{ name: 'ErrorCode', reason: '4050' }] });
    const missing = await client.payment.info(t, 'sdk-missing-0001');
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.error).toMatchObject({
        status: 404,
        extraDetails: [{ name: 'ErrorCode', reason: '5090' }],
      });
  });
});
