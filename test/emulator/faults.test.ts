// Fault injection through the control API: error statuses, latency, timeouts, bounded counts and a seeded RNG.
// Faults touch only the Vipps APIs, never /emulator/v1/.
import { startHarness, type Harness } from './helpers';

describe('emulator faults', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const fault = (body: unknown): Promise<Response> =>
    fetch(`${h.url}/emulator/v1/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const clear = (): Promise<Response> => fetch(`${h.url}/emulator/v1/faults`, { method: 'DELETE' });

  it('answers every ePayment call with an injected 503 and Retry-After, leaving QR and control alone', async () => {
    const token = await h.token();
    expect((await fault({ api: 'epayment', errorRate: 1, statuses: [503] })).status).toBe(201);
    const headers = {
      Authorization: `Bearer ${token}`,
      'Ocp-Apim-Subscription-Key': 'k',
      'Merchant-Serial-Number': '123456',
    };
    const res = await fetch(`${h.url}/epayment/v1/payments/faulty-0001`, { headers });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({
      status: 503,
      title: 'Injected fault',
      instance: '/epayment/v1/payments/faulty-0001',
    });
    expect((await fetch(`${h.url}/qr/v1/merchant-callback`, { headers })).status).toBe(200);
    expect((await fetch(`${h.url}/emulator/v1/payments`)).status).toBe(200);
    expect((await clear()).status).toBe(204);
    expect((await fetch(`${h.url}/epayment/v1/payments/faulty-0001`, { headers })).status).toBe(404);
  });

  it('stops after `times` requests and removes itself', async () => {
    await fault({ api: 'token', errorRate: 1, statuses: [500], times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await fetch(`${h.url}/accesstoken/get`, {
            method: 'POST',
            headers: { client_id: 'a', client_secret: 'b', 'Ocp-Apim-Subscription-Key': 'k' },
          })
        ).status,
      );
    expect(statuses).toEqual([500, 500, 200]);
    expect(await (await fetch(`${h.url}/emulator/v1/faults`)).json()).toEqual({ faults: [] });
  });

  it('holds a request unanswered for a timeout fault, so the client times out', async () => {
    await fault({ api: '*', timeoutRate: 1 });
    const call = fetch(`${h.url}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: 'a', client_secret: 'b', 'Ocp-Apim-Subscription-Key': 'k' },
      signal: AbortSignal.timeout(300),
    });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await fetch(`${h.url}/emulator/v1/deliveries`)).status).toBe(200);
  });

  it('adds latency', async () => {
    await fault({ api: 'webhooks', latencyMs: 150 });
    const started = performance.now();
    const res = await h.api('/webhooks/v1/webhooks');
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('draws error rates from a seeded RNG, so the same seed repeats the same sequence', async () => {
    const token = await h.token();
    const run = async (): Promise<number[]> => {
      await fault({ api: 'webhooks', errorRate: 0.5, statuses: [429, 500], seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++)
        out.push(
          (
            await fetch(`${h.url}/webhooks/v1/webhooks`, {
              headers: { Authorization: `Bearer ${token}`, 'Ocp-Apim-Subscription-Key': 'k' },
            })
          ).status,
        );
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500]));
  });

  it('answers 400 with every problem of an invalid fault', async () => {
    const res = await fault({ api: 'payments', errorRate: 2, statuses: [418] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/emulator.invalid-request',
      title: 'Invalid request',
      status: 400,
      code: 'emulator.invalid-request',
      detail:
        'api must be one of epayment, qr, webhooks, token, *; statuses must be a non-empty array of 423, 429, 500, 502, 503, 504; errorRate must be a number from 0 to 1',
    });
  });
});
