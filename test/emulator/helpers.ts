// Shared harness for the emulator tests: a real emulator on 127.0.0.1:0 with a FakeClock, an authenticated
// request helper, and a webhook receiver that records and verifies deliveries with the gateway's verifier.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../src/clock';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/emulator';
import type { Payment, PaymentEventName } from '../../src/emulator/state';
import { verifyWebhook, type VerifyResult } from '../../src/intake/verify';

export const MSN = '123456';
export const OTHER_MSN = '654321';

export interface Harness {
  readonly emulator: Emulator;
  readonly url: string;
  readonly clock: FakeClock;
  token(): Promise<string>;
  /** fetch against the emulator with a fresh token, subscription key and MSN unless overridden. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const clock = new FakeClock();
  const emulator = createEmulator({ clock, approveAfterMs: 0, allowHttp: true, ...options });
  const running = await emulator.listen(0);
  const token = async (): Promise<string> => {
    const res = await fetch(`${running.url}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: 'id', client_secret: 'secret', 'Ocp-Apim-Subscription-Key': 'sub-key' },
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  return {
    emulator,
    url: running.url,
    clock,
    token,
    async api(path, init = {}) {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${await token()}`,
        'Ocp-Apim-Subscription-Key': 'sub-key',
        'Merchant-Serial-Number': MSN,
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...init.headers,
      };
      for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
      return fetch(`${running.url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      });
    },
    close: () => emulator.close(),
  };
}

/** Resolves when `reference` has logged the event `name` (at once if it already has); rejects after 5 s. */
export function paymentEvent(
  emulator: Emulator,
  reference: string,
  name: PaymentEventName,
): Promise<Payment> {
  const existing = [...emulator.state.payments.values()].find(
    (p) => p.reference === reference && p.events.some((e) => e.name === name),
  );
  if (existing) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      emulator.events.off('payment', listener);
      reject(new Error(`${reference} never logged ${name}`));
    }, 5000);
    const listener = (p: Payment, e: { name: string }): void => {
      if (p.reference !== reference || e.name !== name) return;
      clearTimeout(deadline);
      emulator.events.off('payment', listener);
      resolve(p);
    };
    emulator.events.on('payment', listener);
  });
}

export async function scan(
  h: Harness,
  body: Record<string, unknown>,
): Promise<{ customerToken: string; initiatedAt: string }> {
  const res = await fetch(`${h.url}/emulator/v1/scans`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ msn: MSN, merchantQrId: 'lane-1', ...body }),
  });
  if (res.status !== 201) throw new Error(`scan failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { customerToken: string; initiatedAt: string };
}

export function createBody(
  reference: string,
  customerToken: string,
  value = 4900,
  currency = 'NOK',
): Record<string, unknown> {
  return {
    amount: { currency, value },
    paymentMethod: { type: 'WALLET' },
    customer: { customerToken },
    customerInteraction: 'CUSTOMER_PRESENT',
    reference,
    userFlow: 'PUSH_MESSAGE',
    paymentDescription: 'Coffee, Kiosk 1',
  };
}

/** A problem+json body without its per-request traceId, for exact comparisons. */
export async function problem(res: Response): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  expect(typeof body['traceId']).toBe('string');
  const { traceId: _t, ...rest } = body;
  return rest;
}

export function errorCode(body: Record<string, unknown>): string | undefined {
  const details = (body['extraDetails'] ?? []) as Array<{ name: string; reason: string }>;
  return details.find((d) => d.name === 'ErrorCode')?.reason;
}

export interface ReceivedDelivery {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: Buffer;
  readonly json: Record<string, unknown>;
  readonly verification: VerifyResult;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** Registers the secret the emulator returned, so deliveries can be verified. */
  setSecret(secret: string): void;
  /** Decides the answer per delivery (default 200); returning 'hang' never answers. */
  respond: (d: ReceivedDelivery, index: number) => number | 'hang';
  /** Resolves when `count` deliveries have arrived. */
  waitFor(count: number): Promise<ReceivedDelivery[]>;
  close(): Promise<void>;
}

export async function startReceiver(clock: FakeClock, path = '/webhooks/vipps?lane=all'): Promise<Receiver> {
  const secrets: string[] = [];
  const received: ReceivedDelivery[] = [];
  const waiters: Array<{ count: number; resolve: (d: ReceivedDelivery[]) => void }> = [];
  const hanging: ServerResponse[] = [];
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const publicUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const verification = verifyWebhook(
        { method: req.method ?? '', pathAndQuery: req.url ?? '', headers: req.headers, rawBody },
        { publicUrl, secrets, skewS: 300, now: clock.now() },
      );
      const d: ReceivedDelivery = {
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        json: JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>,
        verification,
      };
      received.push(d);
      const answer = receiver.respond(d, received.length - 1);
      if (answer === 'hang') hanging.push(res);
      else res.writeHead(answer).end();
      for (const w of [...waiters])
        if (received.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(received.slice());
        }
    });
  });
  const receiver: Receiver = {
    url: publicUrl.href,
    received,
    setSecret: (s) => secrets.push(s),
    respond: () => 200,
    waitFor: (count) =>
      received.length >= count
        ? Promise.resolve(received.slice())
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  return receiver;
}

/** Registers `receiver` for `events` on the emulator and hands it the secret. */
export async function register(h: Harness, receiver: Receiver, events: string[], msn = MSN): Promise<string> {
  const res = await h.api('/webhooks/v1/webhooks', {
    body: { url: receiver.url, events },
    headers: { 'Merchant-Serial-Number': msn },
  });
  const body = (await res.json()) as { id: string; secret: string };
  receiver.setSecret(body.secret);
  return body.id;
}
