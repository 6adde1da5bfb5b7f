// The ePayment state machine and aggregate (vipps-protocol.md §6.3, §6.4): transitions driven by the simulated
// customer, the user timeout on the injected clock, and capture / cancel / refund with their errors.
import { createBody, errorCode, paymentEvent, problem, scan, startHarness, type Harness } from './helpers';

describe('emulator ePayment lifecycle', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await startHarness({ userTimeoutMs: 600_000 });
  });
  afterAll(() => h.close());

  const key = (): string => `key-${++n}`;
  async function newPayment(action: 'approve' | 'reject' | 'ignore', value = 10_000): Promise<string> {
    const { customerToken } = await scan(h, { behavior: { action } });
    const reference = `lifecycle-${++n}`;
    const res = await h.api('/epayment/v1/payments', {
      body: createBody(reference, customerToken, value),
      headers: { 'Idempotency-Key': key() },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ reference }); // PUSH_MESSAGE: no redirectUrl (§6.1)
    return reference;
  }
  const get = async (reference: string): Promise<Record<string, unknown>> =>
    (await (await h.api(`/epayment/v1/payments/${reference}`)).json()) as Record<string, unknown>;
  const modify = (reference: string, op: string, body?: unknown): Promise<Response> =>
    h.api(`/epayment/v1/payments/${reference}/${op}`, {
      method: 'POST',
      ...(body === undefined ? {} : { body }),
      headers: { 'Idempotency-Key': key() },
    });
  const nok = (value: number): { currency: string; value: number } => ({ currency: 'NOK', value });
  const aggregate = (a: number, c: number, x: number, r: number): Record<string, unknown> => ({
    authorizedAmount: nok(a),
    cancelledAmount: nok(x),
    capturedAmount: nok(c),
    refundedAmount: nok(r),
  });

  it('goes CREATED → AUTHORIZED when the scanned customer approves', async () => {
    const reference = await newPayment('approve');
    await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    const payment = await get(reference);
    expect(payment).toMatchObject({
      state: 'AUTHORIZED',
      amount: nok(10_000),
      aggregate: aggregate(10_000, 0, 0, 0),
    });
    const events = (await (await h.api(`/epayment/v1/payments/${reference}/events`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(events.map((e) => e['name'])).toEqual(['CREATED', 'AUTHORIZED']);
    expect(events[0]).toMatchObject({
      reference,
      amount: nok(10_000),
      success: true,
      idempotencyKey: expect.any(String),
    });
    expect(events[0]?.['pspReference']).not.toBe(events[1]?.['pspReference']);
  });

  it('goes CREATED → ABORTED when the customer rejects', async () => {
    const reference = await newPayment('reject');
    await paymentEvent(h.emulator, reference, 'ABORTED');
    expect(await get(reference)).toMatchObject({ state: 'ABORTED', aggregate: aggregate(0, 0, 0, 0) });
  });

  it('goes CREATED → EXPIRED once the user timeout passes on the clock when the customer ignores it', async () => {
    const reference = await newPayment('ignore');
    h.clock.advance(599_999);
    expect((await get(reference))['state']).toBe('CREATED');
    h.clock.advance(1);
    expect((await get(reference))['state']).toBe('EXPIRED');
  });

  it('goes CREATED → TERMINATED on cancel before approval', async () => {
    const reference = await newPayment('ignore');
    const res = await modify(reference, 'cancel');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      state: 'TERMINATED',
      reference,
      aggregate: aggregate(0, 0, 0, 0),
    });
  });

  it('captures partially, cancels the rest and refunds within the captured amount', async () => {
    const reference = await newPayment('approve');
    await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    const captured = await modify(reference, 'capture', { modificationAmount: nok(2_500) });
    expect(captured.status).toBe(200);
    expect(await captured.json()).toMatchObject({
      state: 'AUTHORIZED',
      aggregate: aggregate(10_000, 2_500, 0, 0),
    });
    const cancelled = await modify(reference, 'cancel');
    expect(await cancelled.json()).toMatchObject({
      state: 'AUTHORIZED',
      aggregate: aggregate(10_000, 2_500, 7_500, 0),
    });
    const refunded = await modify(reference, 'refund', { modificationAmount: nok(1_000) });
    expect(await refunded.json()).toMatchObject({ aggregate: aggregate(10_000, 2_500, 7_500, 1_000) });
    const events = h.emulator.state.payments
      .get(`123456/${reference}`)
      ?.events.map((e) => [e.name, e.amount.value]);
    expect(events).toEqual([
      ['CREATED', 10_000],
      ['AUTHORIZED', 10_000],
      ['CAPTURED', 2_500],
      ['CANCELLED', 7_500],
      ['REFUNDED', 1_000],
    ]);
  });

  it.each([
    [
      'capture before authorization',
      'ignore',
      'capture',
      { modificationAmount: { currency: 'NOK', value: 100 } },
      '6080',
    ],
    [
      'capture more than authorized',
      'approve',
      'capture',
      { modificationAmount: { currency: 'NOK', value: 10_001 } },
      '6090',
    ],
    [
      'capture in another currency',
      'approve',
      'capture',
      { modificationAmount: { currency: 'DKK', value: 100 } },
      '5040',
    ],
    [
      'refund more than captured',
      'approve',
      'refund',
      { modificationAmount: { currency: 'NOK', value: 1 } },
      '6150',
    ],
    [
      'refund before authorization',
      'ignore',
      'refund',
      { modificationAmount: { currency: 'NOK', value: 1 } },
      '6020',
    ],
    ['cancelTransactionOnly after approval', 'approve', 'cancel', { cancelTransactionOnly: true }, '6060'],
    [
      'capture of a rejected payment',
      'reject',
      'capture',
      { modificationAmount: { currency: 'NOK', value: 100 } },
      '6200',
    ],
  ] as const)('answers %s with 400 and ErrorCode', async (_name, action, op, body, code) => {
    const reference = await newPayment(action);
    if (action === 'approve') await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    if (action === 'reject') await paymentEvent(h.emulator, reference, 'ABORTED');
    const res = await modify(reference, op, body);
    expect(res.status).toBe(400);
    expect(errorCode(await problem(res))).toBe(code);
  });

  it('answers 6040 when cancelling a fully captured payment and 6070 when capturing a cancelled one', async () => {
    const full = await newPayment('approve');
    await paymentEvent(h.emulator, full, 'AUTHORIZED');
    await modify(full, 'capture', { modificationAmount: nok(10_000) });
    expect(errorCode(await problem(await modify(full, 'cancel')))).toBe('6040');
    const cancelled = await newPayment('approve');
    await paymentEvent(h.emulator, cancelled, 'AUTHORIZED');
    await modify(cancelled, 'cancel');
    expect(errorCode(await problem(await modify(cancelled, 'capture', { modificationAmount: nok(1) })))).toBe(
      '6070',
    );
  });

  it('answers 404 with ErrorCode 5090 for an unknown reference, and for a reference of another MSN', async () => {
    const res = await h.api('/epayment/v1/payments/never-created-1');
    expect(res.status).toBe(404);
    expect(errorCode(await problem(res))).toBe('5090');
    const mine = await newPayment('ignore');
    const other = await h.api(`/epayment/v1/payments/${mine}`, {
      headers: { 'Merchant-Serial-Number': '654321' },
    });
    expect(other.status).toBe(404);
  });

  it('force-approves a CREATED payment through the test endpoint, and refuses a second time with 10020', async () => {
    const reference = await newPayment('ignore');
    const res = await h.api(`/epayment/v1/test/payments/${reference}/approve`, { method: 'POST', body: {} });
    expect(res.status).toBe(200);
    expect((await get(reference))['state']).toBe('AUTHORIZED');
    const again = await h.api(`/epayment/v1/test/payments/${reference}/approve`, {
      method: 'POST',
      body: {},
    });
    expect(again.status).toBe(400);
    expect(errorCode(await problem(again))).toBe('10020');
  });

  it('returns a redirectUrl for WEB_REDIRECT and waits for the test approve', async () => {
    const reference = `redirect-${++n}`;
    const res = await h.api('/epayment/v1/payments', {
      body: {
        amount: nok(500),
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl: 'https://example.com/return',
      },
      headers: { 'Idempotency-Key': key() },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { redirectUrl: string };
    expect(body.redirectUrl).toBe(`${h.url}/emulator/v1/landing/123456/${reference}`);
    expect((await get(reference))['state']).toBe('CREATED');
    const landing = await fetch(body.redirectUrl);
    expect(await landing.text()).toBe(`Emulated Vipps MobilePay: payment ${reference} is CREATED.\n`);
  });
});
