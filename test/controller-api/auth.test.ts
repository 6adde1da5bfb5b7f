import { generateKeyPairSync, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { bearer, createHarness, hsSecret, pem, rsa, signers, token, type Harness } from './harness';
import { expectProblem } from './problem-assertions';

const LANE = '/v1/lanes/shop-bergen-3';
const INVALID = 'The bearer token is not valid';
const CHALLENGE = 'Bearer realm="checkin-gateway", error="invalid_token"';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('controller API authentication', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  const claims = (extra: Record<string, unknown> = {}) => ({
    exp: h.nowS() + 300,
    lanes: ['shop-bergen-3'],
    ...extra,
  });
  const get = (authorization?: string, path = LANE) => {
    const req = request(h.app).get(path);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };
  const expectInvalid = async (authorization: string, detail: string) => {
    const res = await get(authorization);
    expectProblem(res, 401, 'invalid_token', INVALID, { detail });
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  };

  it.each(Object.entries(signers))('accepts a valid %s token for its lane', async (_name, signer) => {
    const res = await get(bearer(claims(), signer));
    expect(res.status).toBe(200);
    expect(res.body.laneId).toBe('shop-bergen-3');
  });

  it('answers a request without a token with 401 missing_token and a Bearer challenge', async () => {
    const res = await get();
    expectProblem(res, 401, 'missing_token', 'A bearer token is required', {
      detail: 'send the token as "Authorization: Bearer <JWT>"',
    });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="checkin-gateway"');
    expectProblem(
      await get(`Basic ${Buffer.from('pos:pw').toString('base64')}`),
      401,
      'missing_token',
      'A bearer token is required',
      {
        detail: 'send the token as "Authorization: Bearer <JWT>"',
      },
    );
  });

  it('rejects a bearer value that is not a JWT', async () => {
    await expectInvalid('Bearer not-a-jwt', 'the bearer token is not a JWT');
  });

  it('rejects alg: none', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`;
    await expectInvalid(
      `Bearer ${unsigned}`,
      'the token algorithm is not accepted (use HS256, RS256, ES256)',
    );
  });

  it('rejects an algorithm outside the allow-list even when signed with a configured key', async () => {
    const hs384 = jwt.sign(claims(), hsSecret, { algorithm: 'HS384', noTimestamp: true });
    await expectInvalid(`Bearer ${hs384}`, 'the token algorithm is not accepted (use HS256, RS256, ES256)');
    const ps256 = jwt.sign(claims(), rsa.privateKey, { algorithm: 'PS256', noTimestamp: true });
    await expectInvalid(`Bearer ${ps256}`, 'the token algorithm is not accepted (use HS256, RS256, ES256)');
  });

  it('never uses an RSA public key as an HMAC secret (HS/RS confusion)', async () => {
    const forged = token(claims({ lanes: '*' }), { alg: 'HS256', key: pem(rsa.publicKey) });
    await expectInvalid(`Bearer ${forged}`, 'the token signature does not match any configured key');
  });

  it('rejects a token signed with a key that is not configured', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectInvalid(
      bearer(claims(), { alg: 'RS256', key: other.privateKey }),
      'the token signature does not match any configured key',
    );
    await expectInvalid(
      bearer(claims(), { alg: 'HS256', key: randomBytes(32).toString('hex') }),
      'the token signature does not match any configured key',
    );
  });

  it('answers 401 token_expired for an expired token, past the 30 s clock tolerance', async () => {
    const res = await get(bearer(claims({ exp: h.nowS() - 31 })));
    expectProblem(res, 401, 'token_expired', 'The bearer token has expired', {
      detail: 'the token has expired',
    });
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    expect((await get(bearer(claims({ exp: h.nowS() - 29 })))).status).toBe(200);
  });

  it('checks the signature before expiry: an expired token with a wrong key is invalid, not expired', async () => {
    const wrongKey = { alg: 'HS256', key: randomBytes(32).toString('hex') } as const;
    await expectInvalid(
      bearer(claims({ exp: h.nowS() - 3600 }), wrongKey),
      'the token signature does not match any configured key',
    );
  });

  it('rejects a token without exp', async () => {
    await expectInvalid(
      bearer({ lanes: ['shop-bergen-3'] }),
      'the token has no exp claim; controller tokens must expire',
    );
  });

  describe('maximum token lifetime (CONTROLLER_JWT_MAX_TTL_S)', () => {
    const LIFETIME_TITLE = 'The bearer token lives too long';
    const lifetimeDetail = (maxS: number) =>
      `the token lives longer than ${maxS} s (exp - iat, or exp - now without iat); issue tokens that expire sooner`;

    it('accepts a token whose exp - iat is exactly the default 24 h', async () => {
      const iat = h.nowS();
      expect((await get(bearer(claims({ iat, exp: iat + 86_400 })))).status).toBe(200);
    });

    it('refuses a token whose exp - iat is one second over the default 24 h, saying the limit', async () => {
      const iat = h.nowS();
      const res = await get(bearer(claims({ iat, exp: iat + 86_401 })));
      expectProblem(res, 401, 'token_lifetime_too_long', LIFETIME_TITLE, { detail: lifetimeDetail(86_400) });
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('refuses a ten-year token with any accepted algorithm', async () => {
      const iat = h.nowS();
      const res = await get(bearer(claims({ iat, exp: iat + 10 * 365 * 86_400 }), signers.rs));
      expectProblem(res, 401, 'token_lifetime_too_long', LIFETIME_TITLE, { detail: lifetimeDetail(86_400) });
    });

    it('measures exp - now for a token without iat, so leaving iat out does not dodge the limit', async () => {
      h = createHarness({ maxLifetimeS: 600 });
      expect((await get(bearer(claims({ exp: h.nowS() + 600 })))).status).toBe(200);
      const res = await get(bearer(claims({ exp: h.nowS() + 601 })));
      expectProblem(res, 401, 'token_lifetime_too_long', LIFETIME_TITLE, { detail: lifetimeDetail(600) });
    });

    it('measures exp - iat for an older token, so a long-lived token is refused even near its end', async () => {
      h = createHarness({ maxLifetimeS: 600 });
      const iat = h.nowS() - 3600;
      const res = await get(bearer(claims({ iat, exp: h.nowS() + 60 })));
      expectProblem(res, 401, 'token_lifetime_too_long', LIFETIME_TITLE, { detail: lifetimeDetail(600) });
    });

    it('checks the signature before the lifetime: a long-lived token with a wrong key is invalid', async () => {
      const wrongKey = { alg: 'HS256', key: randomBytes(32).toString('hex') } as const;
      await expectInvalid(
        bearer(claims({ exp: h.nowS() + 10 * 86_400 }), wrongKey),
        'the token signature does not match any configured key',
      );
    });
  });

  it('rejects a token that is not valid yet', async () => {
    await expectInvalid(bearer(claims({ nbf: h.nowS() + 600 })), 'the token is not valid yet (nbf)');
  });

  it('checks aud and iss when configured', async () => {
    h = createHarness({ audience: 'checkin-gateway', issuer: 'https://pos.example' });
    const good = { aud: 'checkin-gateway', iss: 'https://pos.example' };
    expect((await get(bearer(claims(good), signers.es))).status).toBe(200);
    await expectInvalid(
      bearer(claims({ ...good, aud: 'another-api' })),
      'the token audience (aud) is not accepted',
    );
    await expectInvalid(
      bearer(claims({ iss: 'https://pos.example' })),
      'the token audience (aud) is not accepted',
    );
    await expectInvalid(
      bearer(claims({ ...good, iss: 'https://evil.example' })),
      'the token issuer (iss) is not accepted',
    );
  });

  it('answers 403 lane_forbidden for a lane outside the token scope', async () => {
    const res = await get(bearer(claims({ lanes: ['vend-oslo-1'] })));
    expectProblem(res, 403, 'lane_forbidden', 'The token does not grant access to this lane', {
      detail: "the token's lanes claim does not include shop-bergen-3",
    });
  });

  it('does not reveal whether an out-of-scope lane exists, while "*" gets a 404 for an unknown lane', async () => {
    expect((await get(bearer(claims()), '/v1/lanes/no-such-lane')).status).toBe(403);
    const res = await get(bearer(claims({ lanes: '*' })), '/v1/lanes/no-such-lane');
    expectProblem(res, 404, 'unknown_lane', 'No such lane', {
      detail: 'no lane no-such-lane in the lanes file',
    });
    expect((await get(bearer(claims({ lanes: '*' })), '/v1/lanes/vend-oslo-1')).status).toBe(200);
  });

  it.each([
    ['missing', undefined],
    ['a bare lane id', 'shop-bergen-3'],
    ['numbers', [1]],
  ])('rejects a lanes claim that is %s', async (_label, lanes) => {
    const { exp } = claims();
    await expectInvalid(
      bearer(lanes === undefined ? { exp } : { exp, lanes }),
      'the lanes claim must be "*" or an array of lane ids',
    );
  });

  it('grants nothing with an empty lanes claim', async () => {
    expect((await get(bearer(claims({ lanes: [] })))).status).toBe(403);
  });
});
