// The emulator's side of the pairings (issue 16): userFlow QR answers with a QR image honouring qrFormat,
// simulated customers with personal QRs get pushes and act on them, a customer scans a payment's dynamic QR,
// each create's request can be read back, and the QR API's one-time payment QR (POST /qr/v1/).
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { MSN, paymentEvent, startHarness, type Harness } from './helpers';

const amount = { currency: 'NOK', value: 4900 };
const create = (h: Harness, reference: string, extra: Record<string, unknown>) =>
  h.api('/epayment/v1/payments', {
    body: {
      amount,
      paymentMethod: { type: 'WALLET' },
      reference,
      customerInteraction: 'CUSTOMER_PRESENT',
      ...extra,
    },
    headers: { 'Idempotency-Key': `key-${reference}` },
  });
const control = async (h: Harness, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${h.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('emulator pairings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ approveAfterMs: 5 });
  });
  afterAll(() => h.close());

  it('userFlow QR answers with the QR image URL in the asked format and size; the PNG holds the landing page', async () => {
    const res = await create(h, 'qr-png-0001', {
      userFlow: 'QR',
      qrFormat: { format: 'IMAGE/PNG', size: 200 },
    });
    expect(res.status).toBe(201);
    const { redirectUrl } = (await res.json()) as { redirectUrl: string };
    expect(redirectUrl).toBe(`${h.url}/qr-images/epayment/${MSN}/qr-png-0001.png?size=200`);
    const image = await fetch(redirectUrl);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    expect(png.width).toBe(200);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(
      `${h.url}/emulator/v1/landing/${MSN}/qr-png-0001`,
    );
    const svg = await create(h, 'qr-svg-0001', { userFlow: 'QR' });
    const svgUrl = ((await svg.json()) as { redirectUrl: string }).redirectUrl;
    expect(svgUrl).toBe(`${h.url}/qr-images/epayment/${MSN}/qr-svg-0001.svg?size=800`);
    expect((await fetch(svgUrl)).headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    const text = await create(h, 'qr-txt-0001', { userFlow: 'QR', qrFormat: { format: 'TEXT/TARGETURL' } });
    expect(((await text.json()) as { redirectUrl: string }).redirectUrl).toBe(
      `${h.url}/emulator/v1/landing/${MSN}/qr-txt-0001`,
    );
  });

  it.each([
    [{ userFlow: 'QR', qrFormat: { format: 'IMAGE/GIF' } }, 'qrFormat.format'],
    [{ userFlow: 'QR', qrFormat: { format: 'IMAGE/PNG', size: 50 } }, 'qrFormat.size'],
    [
      {
        userFlow: 'PUSH_MESSAGE',
        customer: { phoneNumber: '4791234567' },
        qrFormat: { format: 'IMAGE/PNG' },
      },
      'qrFormat',
    ],
  ])('a bad qrFormat %j is a 400 naming %s; no payment is made', async (extra, field) => {
    const before = h.emulator.state.payments.size;
    const res = await create(h, `qr-bad-${field.length}-${before}`, extra);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(field);
    expect(h.emulator.state.payments.size).toBe(before);
  });

  it("a push to a simulated customer's personal QR follows that customer; the request is kept", async () => {
    const customer = await control(h, 'POST', '/emulator/v1/customers', { behavior: { action: 'reject' } });
    expect(customer.status).toBe(201);
    expect(customer.body).toMatchObject({
      customerId: expect.stringMatching(/^c_[0-9a-f]{16}$/),
      personalQr: `emulator-personal-qr:${String(customer.body.customerId)}`,
      behavior: { action: 'reject' },
      payments: [],
    });
    const res = await create(h, 'push-pqr-0001', {
      userFlow: 'PUSH_MESSAGE',
      customer: { personalQr: customer.body.personalQr },
    });
    expect(res.status).toBe(201);
    await paymentEvent(h.emulator, 'push-pqr-0001', 'CREATED');
    h.clock.advance(10);
    expect((await paymentEvent(h.emulator, 'push-pqr-0001', 'ABORTED')).state).toBe('ABORTED');
    expect((await control(h, 'GET', '/emulator/v1/payments/push-pqr-0001/request')).body).toEqual({
      msn: MSN,
      reference: 'push-pqr-0001',
      request: {
        userFlow: 'PUSH_MESSAGE',
        customerInteraction: 'CUSTOMER_PRESENT',
        customer: { personalQr: customer.body.personalQr },
      },
      customerId: customer.body.customerId,
    });
    expect(
      (await control(h, 'GET', `/emulator/v1/customers/${String(customer.body.customerId)}`)).body,
    ).toMatchObject({
      payments: [{ msn: MSN, reference: 'push-pqr-0001', userFlow: 'PUSH_MESSAGE', state: 'ABORTED' }],
    });
  });

  it('a customer scans a QR payment and approves it; a second scan and a push payment are refused 409', async () => {
    await create(h, 'scan-qr-0001', { userFlow: 'QR' });
    const scanned = await control(h, 'POST', '/emulator/v1/payments/scan-qr-0001/scan', {
      behavior: { action: 'approve', afterMs: 0 },
    });
    expect(scanned.status).toBe(200);
    expect(scanned.body).toMatchObject({
      reference: 'scan-qr-0001',
      customerId: expect.stringMatching(/^c_anonymous_/),
    });
    expect((await paymentEvent(h.emulator, 'scan-qr-0001', 'AUTHORIZED')).state).toBe('AUTHORIZED');
    const again = await control(h, 'POST', '/emulator/v1/payments/scan-qr-0001/scan', {});
    expect(again).toEqual({
      status: 409,
      body: expect.objectContaining({
        code: 'emulator.payment-not-waiting',
        detail: 'The payment is AUTHORIZED.',
      }),
    });
    await create(h, 'scan-push-0001', { userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' } });
    const push = await control(h, 'POST', '/emulator/v1/payments/scan-push-0001/scan', {});
    expect(push.status).toBe(409);
    expect(push.body).toMatchObject({ code: 'emulator.payment-not-scannable' });
    const unknown = await control(h, 'POST', '/emulator/v1/payments/nope-0000001/scan', {});
    expect(unknown.status).toBe(404);
    const bad = await control(h, 'POST', '/emulator/v1/payments/scan-qr-0001/scan', {
      behavior: { action: 'dance' },
    });
    expect(bad).toEqual({
      status: 400,
      body: expect.objectContaining({ detail: 'behavior.action must be one of approve, reject, ignore' }),
    });
  });

  it('POST /qr/v1/ makes a one-time payment QR of the given URL that expires after 5 minutes', async () => {
    const res = await h.api('/qr/v1/', {
      body: { url: 'https://example.com/pay?token=abc' },
      headers: { Accept: 'image/png', Size: '300' },
    });
    expect(res.status).toBe(200);
    const { url, expiresIn } = (await res.json()) as { url: string; expiresIn: number };
    expect(expiresIn).toBe(300);
    expect(url).toMatch(new RegExp(`^${h.url}/qr-images/one-time/[0-9a-f]{24}/qr\\.png\\?size=300$`));
    const png = PNG.sync.read(Buffer.from(await (await fetch(url)).arrayBuffer()));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(
      'https://example.com/pay?token=abc',
    );
    const target = await h.api('/qr/v1/', {
      body: { url: 'https://example.com/x' },
      headers: { Accept: 'text/targetUrl' },
    });
    expect(await target.json()).toEqual({ url: 'https://example.com/x', expiresIn: 300 });
    h.clock.advance(5 * 60_000);
    expect((await fetch(url)).status).toBe(410);
    const missing = await h.api('/qr/v1/', { body: {}, headers: { Accept: 'image/png' } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ invalidParams: [{ name: 'url' }] });
    const noAuth = await fetch(`${h.url}/qr/v1/`, { method: 'POST' });
    expect(noAuth.status).toBe(401);
  });
});
