import { FakeClock } from '../../src/clock';
import { capturePayment, createPayment, getPayment } from '../../src/vipps/epayment';
import {
  VippsAbortedError,
  VippsApiError,
  VippsDeadlineError,
  VippsNetworkError,
  VippsResponseError,
  isInvalidCustomerToken,
} from '../../src/vipps/errors';
import { VippsTransport } from '../../src/vipps/transport';
import { CUSTOMER_TOKEN, MSN, REFERENCE, modificationBody, paymentBody } from './support/fixtures';
import {
  CREDENTIALS,
  FakeVipps,
  connectionRefused,
  empty,
  harness,
  json,
  problem,
} from './support/fake-vipps';

const ref = { msn: MSN, reference: REFERENCE };
const tooMany = (retryAfter: string) =>
  problem(429, { title: 'Too Many Requests', status: 429 }, { 'retry-after': retryAfter });
const unavailable = () => problem(503, { title: 'Service Unavailable', status: 503 });
const capture = () =>
  capturePayment({ ...ref, amount: { currency: 'NOK', value: 2500 }, idempotencyKey: 'capture-kiosk1-a1b2' });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

describe('VippsTransport requests', () => {
  it('sends the standard headers, the per-call MSN and no body on a GET', async () => {
    const { vipps, transport } = harness(new FakeVipps(json(200, paymentBody())));
    await transport.execute(getPayment(ref));
    const [req] = vipps.apiRequests;
    expect(req?.method).toBe('GET');
    expect(req?.url.href).toBe(`https://apitest.vipps.no/epayment/v1/payments/${REFERENCE}`);
    expect(req?.body).toBeUndefined();
    expect(req?.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'checkin-gateway/0.1.0',
      authorization: 'Bearer token-1',
      'ocp-apim-subscription-key': CREDENTIALS.subscriptionKey,
      'merchant-serial-number': MSN,
      'vipps-system-name': 'checkin-gateway',
      'vipps-system-version': '0.1.0',
      'vipps-system-plugin-name': 'checkin-gateway',
      'vipps-system-plugin-version': '0.1.0',
    });
  });

  it('sends JSON with Content-Type and the Idempotency-Key on a POST', async () => {
    const { vipps, transport } = harness(new FakeVipps(json(200, modificationBody())));
    await transport.execute(capture());
    const [req] = vipps.apiRequests;
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['idempotency-key']).toBe('capture-kiosk1-a1b2');
    expect(req?.body).toBe('{"modificationAmount":{"currency":"NOK","value":2500}}');
  });

  it('sends each lane its own MSN through one transport', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()), json(200, paymentBody()));
    const { transport } = harness(vipps);
    await transport.execute(getPayment({ msn: '1111', reference: REFERENCE }));
    await transport.execute(getPayment({ msn: '2222222', reference: REFERENCE }));
    expect(vipps.apiRequests.map((r) => r.headers['merchant-serial-number'])).toEqual(['1111', '2222222']);
  });

  it('sends configured plugin headers instead of repeating the system values', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()));
    const { transport } = harness(vipps, { pluginName: 'acme-vending', pluginVersion: '2.0.0' });
    await transport.execute(getPayment(ref));
    expect(vipps.apiRequests[0]?.headers).toMatchObject({
      'vipps-system-name': 'checkin-gateway',
      'vipps-system-plugin-name': 'acme-vending',
      'vipps-system-plugin-version': '2.0.0',
    });
  });

  it('refuses system header values over 30 characters or with control characters', () => {
    const vipps = new FakeVipps();
    const options = {
      baseUrl: 'https://apitest.vipps.no',
      credentials: CREDENTIALS,
      systemVersion: '1',
      fetch: vipps.fetch,
      clock: new FakeClock(),
    };
    expect(() => new VippsTransport({ ...options, systemName: 'x'.repeat(31) })).toThrow(
      `Vipps-System-Name must be 1-30 visible ASCII characters, got "${'x'.repeat(31)}"`,
    );
    expect(() => new VippsTransport({ ...options, systemName: 'acme', pluginName: 'acme\nvending' })).toThrow(
      RangeError,
    );
  });

  it('reports every attempt to onCall with status 0 when no response came', async () => {
    const calls: [string, number][] = [];
    const { transport } = harness(new FakeVipps(connectionRefused(), json(200, paymentBody())), {
      onCall: (operation, status, ms) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        calls.push([operation, status]);
      },
    });
    await transport.execute(getPayment(ref));
    expect(calls).toEqual([
      ['accesstoken.get', 200],
      ['epayment.get', 0],
      ['epayment.get', 200],
    ]);
  });
});

describe('VippsTransport retries', () => {
  it('honours Retry-After seconds on 429', async () => {
    const { vipps, transport, sleeps } = harness(new FakeVipps(tooMany('3'), json(200, paymentBody())));
    await transport.execute(getPayment(ref));
    expect(sleeps).toEqual([3000]);
    expect(vipps.apiRequests).toHaveLength(2);
  });

  it('honours a Retry-After HTTP-date on 429, measured with the injected clock', async () => {
    const vipps = new FakeVipps();
    const { transport, sleeps, clock } = harness(vipps);
    vipps.script(tooMany(new Date(clock.now().getTime() + 7_000).toUTCString()), json(200, paymentBody()));
    await transport.execute(getPayment(ref));
    expect(sleeps).toEqual([7000]);
  });

  it('backs off exponentially with full jitter on 5xx, then succeeds', async () => {
    const vipps = new FakeVipps(
      unavailable(),
      unavailable(),
      unavailable(),
      unavailable(),
      json(200, paymentBody()),
    );
    const { transport, sleeps } = harness(vipps, {
      random: () => 0.5,
      retry: { baseMs: 100, maxMs: 300, maxAttempts: 5 },
    });
    const payment = await transport.execute(getPayment(ref));
    expect(payment.reference).toBe(REFERENCE);
    // 0.5 × min(300, 100·2^n): 50, 100, 150 (capped), 150
    expect(sleeps).toEqual([50, 100, 150, 150]);
  });

  it('retries 423 (locked by a concurrent operation)', async () => {
    const vipps = new FakeVipps(
      problem(423, { title: 'Locked', status: 423 }),
      json(200, modificationBody()),
    );
    const { transport, sleeps } = harness(vipps);
    await transport.execute(capture());
    expect(sleeps).toEqual([100]);
  });

  it('retries a network error, then succeeds', async () => {
    const vipps = new FakeVipps(connectionRefused(), json(200, paymentBody()));
    const { transport, sleeps } = harness(vipps);
    expect((await transport.execute(getPayment(ref))).state).toBe('AUTHORIZED');
    expect(sleeps).toEqual([100]);
    expect(vipps.apiRequests).toHaveLength(2);
  });

  it('keeps the caller’s Idempotency-Key and body identical on every attempt', async () => {
    const vipps = new FakeVipps(
      unavailable(),
      connectionRefused(),
      tooMany('1'),
      json(200, modificationBody()),
    );
    const { transport } = harness(vipps);
    await transport.execute(capture());
    expect(vipps.apiRequests).toHaveLength(4);
    expect(new Set(vipps.apiRequests.map((r) => r.headers['idempotency-key']))).toEqual(
      new Set(['capture-kiosk1-a1b2']),
    );
    expect(new Set(vipps.apiRequests.map((r) => r.body)).size).toBe(1);
  });

  it('does not retry a 400 and surfaces the Vipps error code', async () => {
    const body = {
      type: 'https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/errors',
      title: 'Bad Request',
      status: 400,
      detail: `customer token ${CUSTOMER_TOKEN} is not valid`,
      traceId: 'trace-4050',
      extraDetails: [{ name: 'ErrorCode', reason: '4050' }],
    };
    const vipps = new FakeVipps(problem(400, body));
    const { transport, sleeps } = harness(vipps);
    const req = createPayment({
      ...ref,
      amount: { currency: 'NOK', value: 4900 },
      customerToken: CUSTOMER_TOKEN,
      idempotencyKey: 'create-kiosk1-a1b2',
    });
    const error = await failure(transport.execute(req));
    expect(error).toBeInstanceOf(VippsApiError);
    expect(error).toMatchObject({ status: 400, code: '4050', traceId: 'trace-4050', retryable: false });
    expect(isInvalidCustomerToken(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Vipps epayment.create failed: HTTP 400 Bad Request (Vipps error 4050) [traceId trace-4050]',
    );
    expect((error as VippsApiError).detail).toBe('customer token [redacted] is not valid');
    expect(vipps.apiRequests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('stops at maxAttempts and throws the last error, still retryable', async () => {
    const vipps = new FakeVipps(unavailable(), unavailable(), unavailable());
    const { transport, sleeps } = harness(vipps, { retry: { baseMs: 100, maxMs: 1_000, maxAttempts: 3 } });
    const error = await failure(transport.execute(getPayment(ref)));
    expect(error).toMatchObject({ kind: 'api', status: 503, retryable: true });
    expect(vipps.apiRequests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('stops before a wait would pass the deadline and throws the last error, still retryable', async () => {
    const vipps = new FakeVipps(unavailable(), unavailable(), unavailable(), unavailable());
    // Backoffs 400, 800: the second wait would end at 1200 ms, past the 1000 ms deadline.
    const { transport, sleeps } = harness(vipps, {
      deadlineMs: 1_000,
      retry: { baseMs: 400, maxMs: 10_000, maxAttempts: 10 },
    });
    const error = await failure(transport.execute(getPayment(ref)));
    expect(error).toBeInstanceOf(VippsApiError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(sleeps).toEqual([400]);
    expect(vipps.apiRequests).toHaveLength(2);
  });

  it('sends nothing once the deadline has passed', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()));
    const { transport } = harness(vipps);
    const error = await failure(transport.execute(getPayment(ref), { deadlineMs: 0 }));
    expect(error).toBeInstanceOf(VippsDeadlineError);
    expect((error as Error).message).toBe(
      'Vipps epayment.get did not complete within its 0 ms deadline (0 attempt(s))',
    );
    expect((error as VippsDeadlineError).retryable).toBe(true);
    expect(vipps.requests).toHaveLength(0);
  });

  it('does not wait for a Retry-After beyond the deadline, and keeps it on the error', async () => {
    const vipps = new FakeVipps(tooMany('60'));
    const { transport, sleeps } = harness(vipps);
    const error = await failure(transport.execute(getPayment(ref), { deadlineMs: 5_000 }));
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 60_000 });
    expect(sleeps).toEqual([]);
  });

  it('does not retry a success body that fails validation', async () => {
    const vipps = new FakeVipps(json(200, paymentBody({ state: 42 })));
    const { transport } = harness(vipps);
    const error = await failure(transport.execute(getPayment(ref)));
    expect(error).toBeInstanceOf(VippsResponseError);
    expect((error as Error).message).toBe(
      'Vipps epayment.get returned an unexpected response (HTTP 200): body.state must be one of CREATED | AUTHORIZED | ABORTED | EXPIRED | TERMINATED (or another non-empty word)',
    );
    expect((error as VippsResponseError).retryable).toBe(false);
    expect(vipps.apiRequests).toHaveLength(1);
  });

  it('treats a success that is not JSON, or an unexpected 2xx, as a response error', async () => {
    const html = new Response('<html>hi</html>', { status: 200, headers: { 'content-type': 'text/html' } });
    const { transport } = harness(new FakeVipps(html, empty(204)));
    await expect(transport.execute(getPayment(ref))).rejects.toThrow(
      'Vipps epayment.get returned an unexpected response (HTTP 200): the body is not JSON',
    );
    await expect(transport.execute(getPayment(ref))).rejects.toThrow(
      'Vipps epayment.get returned an unexpected response (HTTP 204): expected HTTP 200',
    );
  });

  it('stops when the caller aborts during a wait', async () => {
    const controller = new AbortController();
    const vipps = new FakeVipps(unavailable(), json(200, paymentBody()));
    const { transport } = harness(vipps, {
      sleep: async (_ms, signal) => {
        controller.abort();
        signal?.throwIfAborted();
      },
    });
    const error = await failure(transport.execute(getPayment(ref), { signal: controller.signal }));
    expect(error).toBeInstanceOf(VippsAbortedError);
    expect((error as Error).message).toBe('Vipps epayment.get was aborted by the caller');
    expect(vipps.apiRequests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()));
    const { transport } = harness(vipps);
    await expect(transport.execute(getPayment(ref), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      VippsAbortedError,
    );
    expect(vipps.requests).toHaveLength(0);
  });

  it('gives network errors a message without credentials', async () => {
    const { transport } = harness(new FakeVipps(connectionRefused()), { retry: { maxAttempts: 1 } });
    const error = await failure(transport.execute(getPayment(ref)));
    expect(error).toBeInstanceOf(VippsNetworkError);
    expect((error as Error).message).toBe(
      'Vipps epayment.get could not reach https://apitest.vipps.no: fetch failed (ECONNREFUSED)',
    );
  });
});
