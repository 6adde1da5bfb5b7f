// A scripted stand-in for Vipps over `fetch` (the real Vipps cannot run here): records every request and answers
// with the scripted replies in order. Token requests get a fresh token unless the script handles them.
import { FakeClock } from '../../../src/clock';
import { VippsTransport } from '../../../src/vipps/transport';
import type { VippsTransportOptions } from '../../../src/vipps/transport';

export interface RecordedRequest {
  readonly url: URL;
  readonly method: string;
  /** Lower-cased names. */
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** A Response to return, an Error to throw (a network failure), or a function of the request. */
export type Reply =
  Response | Error | ((req: RecordedRequest) => Response | Error | Promise<Response | Error>);

export const CREDENTIALS = {
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret-7c1f',
  subscriptionKey: 'test-subscription-key-91ab',
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function problem(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

export function empty(status: number): Response {
  return new Response(null, { status });
}

/** What Node's fetch throws when the connection is refused. */
export function connectionRefused(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  return new TypeError('fetch failed', { cause });
}

export function tokenReply(token: string, expiresIn = '3600'): Response {
  return json(200, {
    token_type: 'Bearer',
    expires_in: expiresIn,
    ext_expires_in: '0',
    expires_on: '1767272400',
    not_before: '1767268800',
    resource: '00000002-0000-0000-c000-000000000000',
    access_token: token,
  });
}

/** Resolves once `condition` holds, checking after each turn of the event loop; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export class FakeVipps {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: Reply[] = [];
  private tokens = 0;
  /** Replaces the default token answer (`token-1`, `token-2`, ...). */
  tokenHandler: ((req: RecordedRequest) => Response | Error) | undefined;

  constructor(...replies: Reply[]) {
    this.replies.push(...replies);
  }

  script(...replies: Reply[]): this {
    this.replies.push(...replies);
    return this;
  }

  get apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname !== '/accesstoken/get');
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname === '/accesstoken/get');
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const req: RecordedRequest = {
      url,
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    this.requests.push(req);
    // Yield like a real network call would, so concurrent callers interleave.
    await Promise.resolve();
    let reply: Reply | undefined;
    if (url.pathname === '/accesstoken/get') {
      this.tokens += 1;
      reply = this.tokenHandler ?? tokenReply(`token-${this.tokens}`);
    } else {
      reply = this.replies.shift();
      if (reply === undefined)
        throw new Error(`FakeVipps: no scripted reply for ${req.method} ${url.pathname}`);
    }
    const result = typeof reply === 'function' ? await reply(req) : reply;
    if (result instanceof Error) throw result;
    return result;
  };
}

export interface Harness {
  readonly vipps: FakeVipps;
  readonly clock: FakeClock;
  readonly transport: VippsTransport;
  /** Every delay the transport asked to wait, in order; the fake sleep advances the clock by it. */
  readonly sleeps: number[];
}

export function harness(vipps: FakeVipps, options: Partial<VippsTransportOptions> = {}): Harness {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const transport = new VippsTransport({
    baseUrl: 'https://apitest.vipps.no',
    credentials: CREDENTIALS,
    systemName: 'checkin-gateway',
    systemVersion: '0.1.0',
    fetch: vipps.fetch,
    clock,
    random: () => 1,
    retry: { baseMs: 100, maxMs: 1_000, maxAttempts: 5 },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...options,
  });
  return { vipps, clock, transport, sleeps };
}
