// Each create/capture validation error answers with Vipps's status and ErrorCode (or, for a malformed field,
// a 400 naming the field without a code), vipps-protocol.md §6.1 and §6.6.
import { createBody, errorCode, OTHER_MSN, problem, scan, startHarness, type Harness } from './helpers';

describe('emulator ePayment create validation', () => {
  let h: Harness;
  let token: string;
  let n = 0;
  beforeAll(async () => {
    h = await startHarness();
    token = (await scan(h, { behavior: { action: 'ignore' } })).customerToken;
  });
  afterAll(() => h.close());

  const create = (body: unknown, key = `key-${++n}`): Promise<Response> =>
    h.api('/epayment/v1/payments', { body, headers: { 'Idempotency-Key': key } });
  const ref = (): string => `validation-${++n}`;
  const valid = (): Record<string, unknown> => createBody(ref(), token);

  it('answers the exact problem body for a reference outside ^[a-zA-Z0-9-]{8,50}$', async () => {
    const res = await create({ ...valid(), reference: 'short' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await problem(res)).toEqual({
      type: 'https://httpstatuses.io/400',
      title: 'Bad Request',
      status: 400,
      detail: 'See extraDetails for further details',
      instance: '/epayment/v1/payments',
      extraDetails: [
        {
          name: 'reference',
          reason: "The field Reference must match the regular expression '^[a-zA-Z0-9-]{8,50}$'.",
        },
      ],
    });
  });

  it.each([
    ['reference with an underscore', { reference: 'has_underscore' }, 'reference'],
    ['reference of 51 characters', { reference: 'a'.repeat(51) }, 'reference'],
    ['missing reference', { reference: undefined }, 'reference'],
    ['missing amount', { amount: undefined }, 'amount'],
    ['amount value as a string', { amount: { currency: 'NOK', value: '100' } }, 'amount.value'],
    ['unknown paymentMethod', { paymentMethod: { type: 'CASH' } }, 'paymentMethod.type'],
    ['unknown userFlow', { userFlow: 'PIGEON' }, 'userFlow'],
    ['two customer identifiers', { customer: { customerToken: 'x', phoneNumber: '4791234567' } }, 'customer'],
    ['unknown customerInteraction', { customerInteraction: 'MAYBE' }, 'customerInteraction'],
    ['a 2-character paymentDescription', { paymentDescription: 'ab' }, 'paymentDescription'],
    ['CARD outside WEB_REDIRECT', { paymentMethod: { type: 'CARD' } }, 'paymentMethod.type'],
  ])('answers 400 naming the field for %s', async (_name, patch, field) => {
    const res = await create({ ...valid(), ...patch });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(errorCode(body)).toBeUndefined();
    expect((body['extraDetails'] as Array<{ name: string }>)[0]?.name).toBe(field);
  });

  it.each([
    ['a decimal amount', { amount: { currency: 'NOK', value: 10.5 } }, 400, '4040', 'Invalid amount'],
    [
      'an amount over 65000000',
      { amount: { currency: 'NOK', value: 65_000_001 } },
      400,
      '4040',
      'Invalid amount',
    ],
    ['NOK below 100 øre', { amount: { currency: 'NOK', value: 99 } }, 400, '6010', 'Amount too small'],
    ['EUR below 1 cent', { amount: { currency: 'EUR', value: 0 } }, 400, '6010', 'Amount too small'],
    [
      'an unsupported currency',
      { amount: { currency: 'USD', value: 1000 } },
      400,
      '5040',
      'Invalid currency for merchant',
    ],
    ['PUSH_MESSAGE without customer', { customer: undefined }, 400, '4140', 'Missing required parameter'],
    [
      'WEB_REDIRECT without returnUrl',
      { customer: undefined, userFlow: 'WEB_REDIRECT' },
      400,
      '4140',
      'Missing required parameter',
    ],
    [
      'a malformed phone number',
      { customer: { phoneNumber: '+47 912' } },
      400,
      '4070',
      'Invalid phone number',
    ],
    [
      'a customerToken the emulator never issued',
      { customer: { customerToken: 'bm90LWlzc3VlZA==' } },
      400,
      '4050',
      'Invalid CustomerToken',
    ],
    [
      'six metadata entries',
      { metadata: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } },
      400,
      '4100',
      'Metadata capacity exceeded',
    ],
    [
      'expiresAt without a receipt (long-living payments need one; payment-expiry.test.ts has the rest)',
      { expiresAt: '2030-01-01T00:00:00Z' },
      400,
      '6130',
      'Long living payments require a receipt',
    ],
  ])('answers %s with ErrorCode', async (_name, patch, status, code, title) => {
    const res = await create({ ...valid(), ...patch });
    expect(res.status).toBe(status);
    const body = await problem(res);
    expect(body['title']).toBe(title);
    expect(body['extraDetails']).toEqual([{ name: 'ErrorCode', reason: code }]);
  });

  it('accepts the minimum amounts per currency (NOK 100, DKK 1, EUR 1)', async () => {
    for (const amount of [
      { currency: 'NOK', value: 100 },
      { currency: 'DKK', value: 1 },
      { currency: 'EUR', value: 1 },
    ]) {
      const res = await create({ ...valid(), amount });
      expect(res.status).toBe(201);
    }
  });

  it('answers 400 naming Idempotency-Key when it is missing or longer than 50', async () => {
    const missing = await h.api('/epayment/v1/payments', { body: valid() });
    expect(missing.status).toBe(400);
    expect((await problem(missing))['extraDetails']).toEqual([
      { name: 'Idempotency-Key', reason: 'The Idempotency-Key header is required.' },
    ]);
    const long = await create(valid(), 'k'.repeat(51));
    expect(long.status).toBe(400);
    expect((await problem(long))['extraDetails']).toEqual([
      { name: 'Idempotency-Key', reason: 'The Idempotency-Key header must be at most 50 characters.' },
    ]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await h.api('/epayment/v1/payments', {
      body: '{"amount":',
      headers: { 'Idempotency-Key': 'bad-json' },
    });
    expect(res.status).toBe(400);
    expect((await problem(res))['extraDetails']).toEqual([
      { name: 'body', reason: 'The request body is not valid JSON' },
    ]);
  });

  it('rejects a customerToken issued for another MSN with 4050', async () => {
    const other = await scan(h, { msn: OTHER_MSN });
    const res = await create(createBody(ref(), other.customerToken));
    expect(res.status).toBe(400);
    expect(errorCode(await problem(res))).toBe('4050');
  });

  it('rejects a customerToken older than 15 minutes with 4050, and accepts it just before', async () => {
    const fresh = await scan(h, { behavior: { action: 'ignore' } });
    h.clock.advance(15 * 60_000 - 1);
    expect((await create(createBody(ref(), fresh.customerToken))).status).toBe(201);
    h.clock.advance(1);
    const res = await create(createBody(ref(), fresh.customerToken));
    expect(res.status).toBe(400);
    expect(errorCode(await problem(res))).toBe('4050');
  });
});
