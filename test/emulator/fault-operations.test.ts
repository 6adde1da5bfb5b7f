// Faults scoped to one ePayment operation, bounded by count, carrying a Vipps error code, and succeedThenFail
// ("the call went through, the answer did not"), seen from the ePayment API and read by the gateway's own
// Vipps error parser.
import { apiErrorFromResponse } from '../../src/vipps/problem';
import { createBody, errorCode, paymentEvent, problem, scan, startHarness, type Harness } from './helpers';
import { authorizedPayment, control, modify } from './payment-helpers';

describe('emulator faults per ePayment operation', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const fault = async (body: Record<string, unknown>): Promise<void> => {
    expect((await control(h, 'POST', '/faults', body)).status).toBe(201);
  };
  type Aggregate = Record<string, { value: number } | undefined>;
  const aggregate = async (reference: string): Promise<Aggregate> =>
    ((await (await h.api(`/epayment/v1/payments/${reference}`)).json()) as { aggregate: Aggregate })
      .aggregate;

  it('faults exactly the next `count` captures, then stops and removes itself', async () => {
    await authorizedPayment(h, 'count-0001');
    await fault({ operation: 'capture', errorCode: '6160', count: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await modify(h, 'count-0001', 'capture', { value: 1_000, key: 'cap-1' })).status);
    expect(statuses).toEqual([423, 423, 200]);
    expect((await control(h, 'GET', '/faults')).body).toEqual({ faults: [] });
    expect((await aggregate('count-0001'))['capturedAmount']?.value).toBe(1_000);
  });

  it('leaves get, the event log, cancel and refund alone when only capture is faulted', async () => {
    await authorizedPayment(h, 'scope-0001');
    await fault({ operation: 'capture', errorCode: '6160' });
    expect((await h.api('/epayment/v1/payments/scope-0001')).status).toBe(200);
    expect((await h.api('/epayment/v1/payments/scope-0001/events')).status).toBe(200);
    expect((await modify(h, 'scope-0001', 'capture', { value: 1_000, key: 'c' })).status).toBe(423);
    expect((await modify(h, 'scope-0001', 'cancel', { key: 'x' })).status).toBe(200);
    expect((await control(h, 'GET', '/faults')).body['faults']).toHaveLength(1);
  });

  it('prefers the operation fault over the API-wide one, and that over *', async () => {
    await authorizedPayment(h, 'order-0001');
    await fault({ api: '*', errorRate: 1, statuses: [503] });
    await fault({ api: 'epayment', errorRate: 1, statuses: [502] });
    await fault({ operation: 'capture', errorCode: '3010' });
    expect((await modify(h, 'order-0001', 'capture', { value: 1, key: 'c' })).status).toBe(500);
    expect((await h.api('/epayment/v1/payments/order-0001')).status).toBe(502);
    const token = await fetch(`${h.url}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: 'a', client_secret: 'b', 'Ocp-Apim-Subscription-Key': 'k' },
    });
    expect(token.status).toBe(503);
  });

  it('puts the error code in extraDetails, as Vipps does, and the gateway reads it from there', async () => {
    await authorizedPayment(h, 'coded-0001');
    await fault({ operation: 'capture', errorCode: '6160', count: 1 });
    const res = await modify(h, 'coded-0001', 'capture', { value: 1_000, key: 'c' });
    expect(res.status).toBe(423);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await problem(res);
    expect(body).toEqual({
      type: 'https://httpstatuses.io/423',
      title: 'Order processing',
      status: 423,
      detail: 'Fault injected by the emulator for the epayment capture API.',
      instance: '/epayment/v1/payments/coded-0001/capture',
      extraDetails: [{ name: 'ErrorCode', reason: '6160' }],
    });
    const parsed = apiErrorFromResponse('capture', { status: 423, statusText: '', json: body });
    expect({ status: parsed.status, code: parsed.code }).toEqual({ status: 423, code: '6160' });
  });

  it('answers a create with the code and status asked for, and the same key then creates', async () => {
    await fault({ operation: 'create', errorCode: '5080', status: 400, count: 1 });
    const { customerToken } = await scan(h, { behavior: { action: 'approve' } });
    const create = (): Promise<Response> =>
      h.api('/epayment/v1/payments', {
        body: createBody('create-0001', customerToken),
        headers: { 'Idempotency-Key': 'create-key' },
      });
    const first = await create();
    expect(first.status).toBe(400);
    expect(await problem(first)).toMatchObject({
      title: 'PUSH_MESSAGE not allowed',
      extraDetails: [{ name: 'ErrorCode', reason: '5080' }],
    });
    expect((await create()).status).toBe(201);
  });

  it('with succeedThenFail, captures but answers the error; the retry with the same key gets the capture', async () => {
    await authorizedPayment(h, 'stf-0001');
    await fault({ operation: 'capture', errorCode: '6160', count: 1, succeedThenFail: true });
    const first = await modify(h, 'stf-0001', 'capture', { value: 4_000, key: 'cap' });
    expect(first.status).toBe(423);
    expect(errorCode(await problem(first))).toBe('6160');
    expect((await aggregate('stf-0001'))['capturedAmount']?.value).toBe(4_000);

    const retry = await modify(h, 'stf-0001', 'capture', { value: 4_000, key: 'cap' });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ aggregate: { capturedAmount: { value: 4_000 } } });
    const events = (await (await h.api('/epayment/v1/payments/stf-0001/events')).json()) as Array<{
      name: string;
    }>;
    expect(events.filter((e) => e.name === 'CAPTURED')).toHaveLength(1);
  });

  it('with succeedThenFail and a timeout, cancels but never answers', async () => {
    await authorizedPayment(h, 'stf-0002');
    await fault({ operation: 'cancel', timeoutRate: 1, count: 1, succeedThenFail: true });
    const call = h.api('/epayment/v1/payments/stf-0002/cancel', {
      method: 'POST',
      headers: { 'Idempotency-Key': 'cancel' },
    });
    const settled = call.then(
      (r) => r.status,
      () => 'no answer',
    );
    await paymentEvent(h.emulator, 'stf-0002', 'CANCELLED');
    expect((await aggregate('stf-0002'))['cancelledAmount']?.value).toBe(10_000);
    // Held until the emulator closes, as a request whose answer was lost.
    await h.close();
    expect(await settled).toBe('no answer');
  });
});
