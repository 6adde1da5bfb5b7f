import jwt from 'jsonwebtoken';
import { FakeClock } from '../../src/clock';
import { VippsApiError, VippsResponseError } from '../../src/vipps/errors';
import { getPayment } from '../../src/vipps/epayment';
import { AccessTokenCache, accessTokenRequest, tokenLifetime } from '../../src/vipps/token';
import type { TokenResponse } from '../../src/vipps/token';
import { MSN, REFERENCE, paymentBody } from './support/fixtures';
import { CREDENTIALS, FakeVipps, harness, json, problem, tokenReply, waitFor } from './support/fake-vipps';
import type { RecordedRequest } from './support/fake-vipps';

const HOUR_MS = 3_600_000;

describe('access token response', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('reads expires_in as a string and refreshes 60 s before expiry', () => {
    const res = accessTokenRequest(CREDENTIALS).parse(200, {
      token_type: 'Bearer',
      expires_in: '3600',
      access_token: 'abc',
    });
    expect(res).toEqual({ accessToken: 'abc', expiresInS: 3600 });
    expect(tokenLifetime(res, now)).toEqual({
      value: 'abc',
      expiresAtMs: now + HOUR_MS,
      refreshAtMs: now + HOUR_MS - 60_000,
    });
  });

  it('uses 10% of a short lifetime as the margin', () => {
    expect(tokenLifetime({ accessToken: 'abc', expiresInS: 300 }, now).refreshAtMs).toBe(now + 270_000);
  });

  it("falls back to the JWT's exp when expires_in is missing or unreadable", () => {
    const token = jwt.sign({ exp: Math.floor(now / 1000) + 1800, sub: 'client' }, 'signing-key');
    for (const expires_in of [undefined, '', 'soon', '0']) {
      const res = accessTokenRequest(CREDENTIALS).parse(200, { access_token: token, expires_in });
      expect(res.expiresInS).toBeUndefined();
      expect(tokenLifetime(res, now)).toEqual({
        value: token,
        expiresAtMs: now + 1_800_000,
        refreshAtMs: now + 1_740_000,
      });
    }
  });

  it('refuses a token whose expiry cannot be known', () => {
    expect(() => tokenLifetime({ accessToken: 'opaque', expiresInS: undefined }, now)).toThrow(
      new VippsResponseError(
        'accesstoken.get',
        200,
        'neither expires_in nor a JWT exp tells when the token expires',
      ).message,
    );
  });

  it('refuses a JWT that is already expired on arrival', () => {
    const token = jwt.sign({ exp: Math.floor(now / 1000) - 10 }, 'signing-key');
    expect(() => tokenLifetime({ accessToken: token, expiresInS: undefined }, now)).toThrow(
      'Vipps accesstoken.get returned an unexpected response (HTTP 200): the token is already expired on arrival (is the clock right?)',
    );
  });

  it('requires access_token in the body', () => {
    expect(() => accessTokenRequest(CREDENTIALS).parse(200, { expires_in: '3600' })).toThrow(
      'body.access_token must be a non-empty string',
    );
  });
});

describe('AccessTokenCache', () => {
  let clock: FakeClock;
  let cache: AccessTokenCache;
  let fetches: number;
  const fetchToken = async (): Promise<TokenResponse> => {
    fetches += 1;
    return { accessToken: `token-${fetches}`, expiresInS: 3600 };
  };

  beforeEach(() => {
    clock = new FakeClock();
    cache = new AccessTokenCache(clock);
    fetches = 0;
  });

  it('serves the cached token until the refresh margin, then fetches a new one', async () => {
    expect(await cache.get('k', fetchToken)).toBe('token-1');
    clock.advance(HOUR_MS - 60_001);
    expect(await cache.get('k', fetchToken)).toBe('token-1');
    clock.advance(1);
    expect(await cache.get('k', fetchToken)).toBe('token-2');
    expect(fetches).toBe(2);
  });

  it('keeps one token per credential set', async () => {
    expect(await cache.get('a', fetchToken)).toBe('token-1');
    expect(await cache.get('b', fetchToken)).toBe('token-2');
    expect(await cache.get('a', fetchToken)).toBe('token-1');
  });

  it('runs one fetch for ten concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowFetch = async (): Promise<TokenResponse> => {
      fetches += 1;
      await gate;
      return { accessToken: `token-${fetches}`, expiresInS: 3600 };
    };
    const callers = Array.from({ length: 10 }, () => cache.get('k', slowFetch));
    release();
    expect(await Promise.all(callers)).toEqual(Array(10).fill('token-1'));
    expect(fetches).toBe(1);
  });

  it('shares a failure with every waiter and does not cache it', async () => {
    const failing = async (): Promise<TokenResponse> => {
      fetches += 1;
      throw new Error('token endpoint down');
    };
    const results = await Promise.allSettled([cache.get('k', failing), cache.get('k', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fetches).toBe(1);
    expect(await cache.get('k', fetchToken)).toBe('token-2');
  });

  it('recovers after a fetch function that throws synchronously', async () => {
    const throwsNow = (): Promise<TokenResponse> => {
      throw new Error('sync failure');
    };
    await expect(cache.get('k', throwsNow)).rejects.toThrow('sync failure');
    expect(await cache.get('k', fetchToken)).toBe('token-1');
  });

  it('invalidate(stale) drops only the token that failed, not a newer one', async () => {
    await cache.get('k', fetchToken);
    cache.invalidate('k', 'token-1');
    expect(await cache.get('k', fetchToken)).toBe('token-2');
    cache.invalidate('k', 'token-1');
    expect(await cache.get('k', fetchToken)).toBe('token-2');
    cache.invalidate('k');
    expect(await cache.get('k', fetchToken)).toBe('token-3');
  });
});

describe('access token in the transport', () => {
  it('fetches the token with the credential headers and an empty POST', async () => {
    const { vipps, transport } = harness(new FakeVipps(json(200, paymentBody())));
    await transport.execute(getPayment({ msn: MSN, reference: REFERENCE }));
    expect(vipps.tokenRequests).toHaveLength(1);
    const [tokenCall] = vipps.tokenRequests;
    expect(tokenCall?.method).toBe('POST');
    expect(tokenCall?.url.href).toBe('https://apitest.vipps.no/accesstoken/get');
    expect(tokenCall?.body).toBeUndefined();
    expect(tokenCall?.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'checkin-gateway/0.1.0',
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      'ocp-apim-subscription-key': CREDENTIALS.subscriptionKey,
      'merchant-serial-number': MSN,
      'vipps-system-name': 'checkin-gateway',
      'vipps-system-version': '0.1.0',
      'vipps-system-plugin-name': 'checkin-gateway',
      'vipps-system-plugin-version': '0.1.0',
    });
    expect(vipps.apiRequests[0]?.headers['authorization']).toBe('Bearer token-1');
  });

  it('ten concurrent calls share one token request', async () => {
    const vipps = new FakeVipps(...Array.from({ length: 10 }, () => json(200, paymentBody())));
    const { transport } = harness(vipps);
    const ref = { msn: MSN, reference: REFERENCE };
    await Promise.all(Array.from({ length: 10 }, () => transport.execute(getPayment(ref))));
    expect(vipps.tokenRequests).toHaveLength(1);
    expect(vipps.apiRequests).toHaveLength(10);
  });

  it('refetches after the token expires, judged by the injected clock', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()), json(200, paymentBody()), json(200, paymentBody()));
    const { transport, clock } = harness(vipps);
    const ref = { msn: MSN, reference: REFERENCE };
    await transport.execute(getPayment(ref));
    clock.advance(30 * 60_000);
    await transport.execute(getPayment(ref));
    expect(vipps.tokenRequests).toHaveLength(1);
    clock.advance(30 * 60_000);
    await transport.execute(getPayment(ref));
    expect(vipps.tokenRequests).toHaveLength(2);
    expect(vipps.apiRequests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('on an unexpected 401 drops the token, refetches it and retries once', async () => {
    const unauthorized = problem(401, { title: 'Unauthorized', status: 401 });
    const vipps = new FakeVipps(unauthorized, json(200, paymentBody()));
    const { transport, sleeps } = harness(vipps);
    const payment = await transport.execute(getPayment({ msn: MSN, reference: REFERENCE }));
    expect(payment.state).toBe('AUTHORIZED');
    expect(vipps.tokenRequests).toHaveLength(2);
    expect(vipps.apiRequests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the one retry when the new token is refused too', async () => {
    const vipps = new FakeVipps(
      problem(401, { title: 'Unauthorized', status: 401 }),
      problem(401, { title: 'Unauthorized', status: 401 }),
    );
    const { transport } = harness(vipps);
    const error = await transport
      .execute(getPayment({ msn: MSN, reference: REFERENCE }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VippsApiError);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(vipps.apiRequests).toHaveLength(2);
    expect(vipps.tokenRequests).toHaveLength(2);
  });

  it('calls refused with the old token after the refetch reuse the new token instead of refetching', async () => {
    // Five calls get their 401 at once; five more only after a retry with token-2 went out, i.e. after the
    // new token is cached: their invalidate(token-1) must not drop token-2.
    let refusedEarly = 0;
    const vipps = new FakeVipps();
    const reply = async (req: RecordedRequest) => {
      if (req.headers['authorization'] !== 'Bearer token-1') return json(200, paymentBody());
      refusedEarly += 1;
      if (refusedEarly > 5)
        await waitFor(() => vipps.apiRequests.some((r) => r.headers['authorization'] === 'Bearer token-2'));
      return problem(401, { title: 'Unauthorized', status: 401 });
    };
    vipps.script(...Array.from({ length: 20 }, () => reply));
    const { transport } = harness(vipps);
    const ref = { msn: MSN, reference: REFERENCE };
    await Promise.all(Array.from({ length: 10 }, () => transport.execute(getPayment(ref))));
    expect(vipps.tokenRequests).toHaveLength(2);
    expect(vipps.apiRequests).toHaveLength(20);
  });

  it('a 401 from the token call itself is not retried and names the variables to check', async () => {
    const vipps = new FakeVipps();
    vipps.tokenHandler = () =>
      problem(401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
      });
    const { transport } = harness(vipps);
    const error = await transport
      .execute(getPayment({ msn: MSN, reference: REFERENCE }))
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'Vipps accesstoken.get failed: HTTP 401 invalid_client: check VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET and VIPPS_SUBSCRIPTION_KEY (or the set for this MSN in VIPPS_CREDENTIALS_FILE) for this VIPPS_ENV',
    );
    expect(vipps.tokenRequests).toHaveLength(1);
    expect(vipps.apiRequests).toHaveLength(0);
  });

  it('uses the JWT exp when the token response has no expires_in', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()), json(200, paymentBody()), json(200, paymentBody()));
    const { transport, clock } = harness(vipps);
    const token = jwt.sign({ exp: Math.floor(clock.now().getTime() / 1000) + 600 }, 'signing-key');
    vipps.tokenHandler = () => json(200, { token_type: 'Bearer', access_token: token });
    const ref = { msn: MSN, reference: REFERENCE };
    await transport.execute(getPayment(ref));
    expect(vipps.apiRequests[0]?.headers['authorization']).toBe(`Bearer ${token}`);
    clock.advance(539_000); // 600 s lifetime, 60 s margin
    await transport.execute(getPayment(ref));
    expect(vipps.tokenRequests).toHaveLength(1);
    clock.advance(1_000);
    vipps.tokenHandler = () => tokenReply('token-after-exp');
    await transport.execute(getPayment(ref));
    expect(vipps.tokenRequests).toHaveLength(2);
    expect(vipps.apiRequests[2]?.headers['authorization']).toBe('Bearer token-after-exp');
  });
});
