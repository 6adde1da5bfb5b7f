// Idempotency, reference uniqueness and per-reference rate limits (vipps-protocol.md §6.6).
import { createBody, errorCode, paymentEvent, problem, scan, startHarness, type Harness } from './helpers';

describe('emulator ePayment idempotency and rate limits', () => {
  let h: Harness;
  let n = 0;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const create = (body: unknown, key: string): Promise<Response> =>
    h.api('/epayment/v1/payments', { body, headers: { 'Idempotency-Key': key } });
  const payments = async (): Promise<Array<Record<string, unknown>>> =>
    (
      (await (await fetch(`${h.url}/emulator/v1/payments`)).json()) as {
        payments: Array<Record<string, unknown>>;
      }
    ).payments;

  it('replays the same response for the same key and body, creating one payment and counting both calls', async () => {
    const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
    const body = createBody(`idempotency-${++n}`, customerToken);
    const first = await create(body, 'same-key');
    // Key order differs on the wire; the body is the same.
    const second = await create(Object.fromEntries(Object.entries(body).reverse()), 'same-key');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(await first.json());
    const [payment] = await payments();
    expect(payment).toMatchObject({ reference: body['reference'], createCalls: 2, events: ['CREATED'] });
  });

  it('answers 409 with 4020 when the same create key comes with a different body', async () => {
    const { customerToken } = await scan(h, {});
    const body = createBody(`idempotency-${++n}`, customerToken);
    expect((await create(body, 'k1')).status).toBe(201);
    const res = await create({ ...body, amount: { currency: 'NOK', value: 5000 } }, 'k1');
    expect(res.status).toBe(409);
    expect(await problem(res)).toEqual({
      type: 'https://httpstatuses.io/409',
      title: 'Idempotency conflict',
      status: 409,
      detail:
        'This Idempotency-Key was used with a different request body. Repeat the body exactly, or use a new key.',
      instance: '/epayment/v1/payments',
      extraDetails: [{ name: 'ErrorCode', reason: '4020' }],
    });
  });

  it('answers 409 with 4150 when a reference is reused under a new key, and keeps it per MSN', async () => {
    const { customerToken } = await scan(h, {});
    const body = createBody(`idempotency-${++n}`, customerToken);
    expect((await create(body, 'k1')).status).toBe(201);
    const reuse = await create(body, 'k2');
    expect(reuse.status).toBe(409);
    expect(errorCode(await problem(reuse))).toBe('4150');
    const other = await scan(h, { msn: '654321' });
    const elsewhere = await h.api('/epayment/v1/payments', {
      body: createBody(body['reference'] as string, other.customerToken),
      headers: { 'Idempotency-Key': 'k1', 'Merchant-Serial-Number': '654321' },
    });
    expect(elsewhere.status).toBe(201);
  });

  it('replays a capture with the same key without capturing twice, and answers 409 with 4010 for a new amount', async () => {
    const { customerToken } = await scan(h, {});
    const reference = `idempotency-${++n}`;
    await create(createBody(reference, customerToken, 10_000), 'create');
    await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    const capture = (value: number): Promise<Response> =>
      h.api(`/epayment/v1/payments/${reference}/capture`, {
        body: { modificationAmount: { currency: 'NOK', value } },
        headers: { 'Idempotency-Key': 'capture-1' },
      });
    const first = await capture(3000);
    const again = await capture(3000);
    expect(await again.json()).toEqual(await first.json());
    expect(h.emulator.state.payments.get(`123456/${reference}`)?.aggregate.captured).toBe(3000);
    const conflict = await capture(4000);
    expect(conflict.status).toBe(409);
    expect(errorCode(await problem(conflict))).toBe('4010');
  });

  it('answers 409 with 4150 for a refund key reused with another body', async () => {
    const { customerToken } = await scan(h, {});
    const reference = `idempotency-${++n}`;
    await create(createBody(reference, customerToken, 10_000), 'create');
    await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    await h.api(`/epayment/v1/payments/${reference}/capture`, {
      body: { modificationAmount: { currency: 'NOK', value: 10_000 } },
      headers: { 'Idempotency-Key': 'cap' },
    });
    const refund = (value: number): Promise<Response> =>
      h.api(`/epayment/v1/payments/${reference}/refund`, {
        body: { modificationAmount: { currency: 'NOK', value } },
        headers: { 'Idempotency-Key': 'refund-1' },
      });
    expect((await refund(100)).status).toBe(200);
    const res = await refund(200);
    expect(res.status).toBe(409);
    expect(errorCode(await problem(res))).toBe('4150');
  });

  it('keeps a 4xx answer for its key: a capture refused before authorization is refused again on replay', async () => {
    const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
    const reference = `idempotency-${++n}`;
    await create(createBody(reference, customerToken), 'create');
    const capture = (): Promise<Response> =>
      h.api(`/epayment/v1/payments/${reference}/capture`, {
        body: { modificationAmount: { currency: 'NOK', value: 100 } },
        headers: { 'Idempotency-Key': 'early' },
      });
    expect(errorCode(await problem(await capture()))).toBe('6080');
    await h.api(`/epayment/v1/test/payments/${reference}/approve`, { method: 'POST', body: {} });
    expect(errorCode(await problem(await capture()))).toBe('6080');
  });

  it('answers the 6th modification of a reference within a minute with 429 and Retry-After, counting replays', async () => {
    const { customerToken } = await scan(h, {});
    const body = createBody(`rate-limit-${++n}`, customerToken);
    for (let i = 0; i < 5; i++) expect((await create(body, 'same')).status).toBe(201);
    h.clock.advance(20_000);
    const limited = await create(body, 'same');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(await problem(limited)).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      extraDetails: [],
    });
    h.clock.advance(40_000);
    expect((await create(body, 'same')).status).toBe(201);
  });

  it('limits each reference separately, and reads at 120 per minute', async () => {
    const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
    const reference = `rate-limit-${++n}`;
    await create(createBody(reference, customerToken), 'k');
    const other = await scan(h, {});
    expect((await create(createBody(`rate-limit-${++n}`, other.customerToken), 'k')).status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await h.api(`/epayment/v1/payments/${reference}`)).status);
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
    expect(statuses[120]).toBe(429);
    // Events are a separate operation with their own window.
    expect((await h.api(`/epayment/v1/payments/${reference}/events`)).status).toBe(200);
  });
});
