// The emulator's user timeout as Vipps has it (issue 15): 5 minutes to open a payment, then 5 to approve it
// (https://developer.vippsmobilepay.com/docs/knowledge-base/timeouts), with `userTimeoutMs` relaxing it to one
// flat timeout; and `expiresAt` (long-living payments) accepted and refused as the ePayment spec says.
import { createBody, errorCode, problem, scan, startHarness, type Harness } from './helpers';

const MIN = 60_000;

describe('emulator payment expiry: 5 minutes to open, 5 to approve', () => {
  let h: Harness;
  afterEach(() => h.close());

  const create = (body: Record<string, unknown>, key = String(body['reference'])): Promise<Response> =>
    h.api('/epayment/v1/payments', { body, headers: { 'Idempotency-Key': key } });
  const state = async (reference: string): Promise<string> =>
    ((await (await h.api(`/epayment/v1/payments/${reference}`)).json()) as { state: string }).state;
  const redirectBody = (reference: string): Record<string, unknown> => ({
    amount: { currency: 'NOK', value: 4900 },
    paymentMethod: { type: 'WALLET' },
    reference,
    userFlow: 'WEB_REDIRECT',
    returnUrl: 'https://shop.example.com/done',
  });
  const openLanding = (reference: string): Promise<Response> =>
    fetch(`${h.url}/emulator/v1/landing/123456/${reference}`, { headers: { Accept: 'text/html' } });

  it('expires a checked-in customer’s ignored push 5 minutes after creation (opened at once in the app)', async () => {
    h = await startHarness();
    const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
    expect((await create(createBody('expiry-push-1', customerToken))).status).toBe(201);
    h.clock.advance(5 * MIN - 1);
    expect(await state('expiry-push-1')).toBe('CREATED');
    h.clock.advance(1);
    expect(await state('expiry-push-1')).toBe('EXPIRED');
  });

  it('expires a redirect payment nobody opens 5 minutes after creation', async () => {
    h = await startHarness();
    expect((await create(redirectBody('expiry-redirect-1'))).status).toBe(201);
    h.clock.advance(5 * MIN - 1);
    expect(await state('expiry-redirect-1')).toBe('CREATED');
    h.clock.advance(1);
    expect(await state('expiry-redirect-1')).toBe('EXPIRED');
    // Opening it afterwards changes nothing.
    expect((await openLanding('expiry-redirect-1')).status).toBe(200);
    expect(await state('expiry-redirect-1')).toBe('EXPIRED');
  });

  it('gives a payment opened at minute 4 five more minutes: EXPIRED at minute 9, not 5 nor 10', async () => {
    h = await startHarness();
    expect((await create(redirectBody('expiry-redirect-2'))).status).toBe(201);
    h.clock.advance(4 * MIN);
    expect((await openLanding('expiry-redirect-2')).status).toBe(200);
    h.clock.advance(5 * MIN - 1);
    expect(await state('expiry-redirect-2')).toBe('CREATED');
    h.clock.advance(1);
    expect(await state('expiry-redirect-2')).toBe('EXPIRED');
  });

  it('relaxes to one flat timeout when userTimeoutMs is given (the emulator’s earlier 10 minutes)', async () => {
    h = await startHarness({ userTimeoutMs: 10 * MIN });
    expect((await create(redirectBody('expiry-flat-1'))).status).toBe(201);
    h.clock.advance(10 * MIN - 1);
    expect(await state('expiry-flat-1')).toBe('CREATED');
    h.clock.advance(1);
    expect(await state('expiry-flat-1')).toBe('EXPIRED');
  });

  it('takes the open and approve windows as options', async () => {
    h = await startHarness({ paymentTimeouts: { openMs: 1 * MIN, approveMs: 2 * MIN } });
    expect((await create(redirectBody('expiry-opts-1'))).status).toBe(201);
    expect((await create(redirectBody('expiry-opts-2'))).status).toBe(201);
    expect((await openLanding('expiry-opts-2')).status).toBe(200);
    h.clock.advance(1 * MIN);
    expect(await state('expiry-opts-1')).toBe('EXPIRED');
    expect(await state('expiry-opts-2')).toBe('CREATED');
    h.clock.advance(1 * MIN);
    expect(await state('expiry-opts-2')).toBe('EXPIRED');
  });
});

describe('emulator expiresAt (long-living payments), as the ePayment spec says', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const at = (ms: number): string => new Date(h.clock.now().getTime() + ms).toISOString();
  const receipt = { orderLines: [], bottomLine: { currency: 'NOK' } };
  const longLiving = async (reference: string, patch: Record<string, unknown>): Promise<Response> => {
    const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
    return h.api('/epayment/v1/payments', {
      body: { ...createBody(reference, customerToken), receipt, ...patch },
      headers: { 'Idempotency-Key': reference },
    });
  };
  const payment = (reference: string): Promise<Response> => h.api(`/epayment/v1/payments/${reference}`);

  it('accepts a PUSH_MESSAGE payment with a receipt that expires in an hour, and expires it then', async () => {
    expect((await longLiving('long-living-1', { expiresAt: at(60 * MIN) })).status).toBe(201);
    h.clock.advance(60 * MIN - 1);
    expect(((await (await payment('long-living-1')).json()) as { state: string }).state).toBe('CREATED');
    h.clock.advance(1);
    expect(((await (await payment('long-living-1')).json()) as { state: string }).state).toBe('EXPIRED');
  });

  it('accepts expiresAt with userFlow QR too', async () => {
    const res = await h.api('/epayment/v1/payments', {
      body: {
        amount: { currency: 'NOK', value: 4900 },
        paymentMethod: { type: 'WALLET' },
        reference: 'long-living-qr',
        userFlow: 'QR',
        receipt,
        expiresAt: at(59 * 24 * 60 * MIN),
      },
      headers: { 'Idempotency-Key': 'long-living-qr' },
    });
    expect(res.status).toBe(201);
  });

  it.each([
    ['10 minutes ahead (must be more)', { expiresAt: 'PLUS_10_MIN' }, '6120', 'Expiration date is too soon'],
    ['60 days ahead (must be less)', { expiresAt: 'PLUS_60_DAYS' }, '6110', 'Expiration date is too late'],
    [
      'no receipt',
      { expiresAt: 'PLUS_1_HOUR', receipt: undefined },
      '6130',
      'Long living payments require a receipt',
    ],
  ])('refuses %s with its ErrorCode, and creates nothing', async (_name, patch, code, title) => {
    const when = { PLUS_10_MIN: 10 * MIN, PLUS_60_DAYS: 60 * 24 * 60 * MIN, PLUS_1_HOUR: 60 * MIN }[
      patch.expiresAt as 'PLUS_10_MIN'
    ];
    const res = await longLiving(`long-refused-${code}`, { ...patch, expiresAt: at(when) });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body['title']).toBe(title);
    expect(errorCode(body)).toBe(code);
    expect((await payment(`long-refused-${code}`)).status).toBe(404);
  });

  it('refuses a date that is not RFC 3339, naming the field', async () => {
    const res = await longLiving('long-bad-date', { expiresAt: '2026-01-01 13:00' });
    expect(res.status).toBe(400);
    expect(await problem(res)).toEqual({
      type: 'https://httpstatuses.io/400',
      title: 'Bad Request',
      status: 400,
      detail: 'See extraDetails for further details',
      instance: '/epayment/v1/payments',
      extraDetails: [{ name: 'expiresAt', reason: 'The field ExpiresAt must be an RFC 3339 date and time.' }],
    });
  });

  it('refuses expiresAt with WEB_REDIRECT, naming the field', async () => {
    const res = await h.api('/epayment/v1/payments', {
      body: {
        amount: { currency: 'NOK', value: 4900 },
        paymentMethod: { type: 'WALLET' },
        reference: 'long-redirect',
        userFlow: 'WEB_REDIRECT',
        returnUrl: 'https://shop.example.com/done',
        receipt,
        expiresAt: at(60 * MIN),
      },
      headers: { 'Idempotency-Key': 'long-redirect' },
    });
    expect(res.status).toBe(400);
    expect((await problem(res))['extraDetails']).toEqual([
      { name: 'expiresAt', reason: 'ExpiresAt can only be combined with userFlow PUSH_MESSAGE or QR.' },
    ]);
    expect((await payment('long-redirect')).status).toBe(404);
  });
});
