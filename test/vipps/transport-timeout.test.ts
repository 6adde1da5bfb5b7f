// Against a real HTTP server on 127.0.0.1:0: a hung Vipps must not hang the worker.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../src/clock';
import { getPayment } from '../../src/vipps/epayment';
import { VippsDeadlineError, VippsTimeoutError } from '../../src/vipps/errors';
import { VippsTransport } from '../../src/vipps/transport';
import type { VippsTransportOptions } from '../../src/vipps/transport';
import { CREDENTIALS, waitFor } from './support/fake-vipps';
import { MSN, REFERENCE, paymentBody } from './support/fixtures';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let apiHandler: Handler;
let tokenHandler: Handler | undefined;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/accesstoken/get' && tokenHandler) {
      tokenHandler(req, res);
      return;
    }
    if (req.url === '/accesstoken/get') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ token_type: 'Bearer', expires_in: '3600', access_token: 'real-server-token' }),
      );
      return;
    }
    apiHandler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Warm up fetch (undici loads lazily) so a busy CI machine does not spend a test's timeout on it.
  await (await fetch(`${baseUrl}/accesstoken/get`, { method: 'POST' })).text();
  seen.length = 0;
});

afterEach(() => {
  seen.length = 0;
  tokenHandler = undefined;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function transport(options: Partial<VippsTransportOptions>): VippsTransport {
  return new VippsTransport({
    baseUrl,
    credentials: CREDENTIALS,
    systemName: 'checkin-gateway',
    systemVersion: '0.1.0',
    fetch: globalThis.fetch,
    clock: systemClock,
    ...options,
  });
}

const ref = { msn: MSN, reference: REFERENCE };

describe('VippsTransport timeouts against a real server', () => {
  it('aborts a request that gets no response after timeoutMs', async () => {
    apiHandler = () => undefined; // never answers
    const started = Date.now();
    const error = await transport({ timeoutMs: 500, retry: { maxAttempts: 1 } })
      .execute(getPayment(ref))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VippsTimeoutError);
    expect((error as Error).message).toBe('Vipps epayment.get timed out after 500 ms');
    expect((error as VippsTimeoutError).retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toEqual(['POST /accesstoken/get', `GET /epayment/v1/payments/${REFERENCE}`]);
  });

  it('aborts a response whose body stalls after the headers', async () => {
    apiHandler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify(paymentBody()).slice(0, 20)); // and never ends
    };
    const error = await transport({ timeoutMs: 500, retry: { maxAttempts: 1 } })
      .execute(getPayment(ref))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VippsTimeoutError);
  });

  it('retries after a timeout and succeeds', async () => {
    let calls = 0;
    apiHandler = (_req, res) => {
      calls += 1;
      if (calls === 1) return; // the first attempt hangs
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(paymentBody()));
    };
    const payment = await transport({ timeoutMs: 500, sleep: async () => undefined }).execute(
      getPayment(ref),
    );
    expect(payment.state).toBe('AUTHORIZED');
    expect(calls).toBe(2);
  });

  it('ends with a deadline error when the overall deadline cuts the attempt short', async () => {
    apiHandler = () => undefined;
    const error = await transport({ timeoutMs: 10_000, deadlineMs: 500 })
      .execute(getPayment(ref))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VippsDeadlineError);
    expect(error).toMatchObject({ retryable: true, attempts: 1 });
    expect((error as Error).cause).toBeInstanceOf(VippsTimeoutError);
  });

  it('stops waiting for a hung token refresh at the caller’s deadline without cancelling it', async () => {
    let held: ServerResponse | undefined;
    tokenHandler = (_req, res) => {
      held = res;
    };
    apiHandler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(paymentBody()));
    };
    const shared = transport({ timeoutMs: 5_000, deadlineMs: 10_000 });
    const error = await shared.execute(getPayment(ref), { deadlineMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VippsDeadlineError);
    expect((error as Error).message).toBe(
      'Vipps epayment.get did not complete within its 300 ms deadline (0 attempt(s))',
    );
    await waitFor(() => held !== undefined);
    held?.writeHead(200, { 'content-type': 'application/json' });
    held?.end(JSON.stringify({ token_type: 'Bearer', expires_in: '3600', access_token: 'late-token' }));
    expect((await shared.execute(getPayment(ref))).state).toBe('AUTHORIZED');
    expect(seen.filter((s) => s === 'POST /accesstoken/get')).toHaveLength(1);
  });
});
