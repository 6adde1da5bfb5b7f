// The controller API's rate limit on failed authentication (issue 13): per client address, only failures
// count, a 429 with Retry-After past the limit, and a valid token is always served.
import request from 'supertest';
import { bearer, createHarness, type Harness } from './harness';
import { expectProblem } from './problem-assertions';

const LANE = '/v1/lanes/shop-bergen-3';
const LIMIT = 3;
const TITLE = 'Too many failed controller authentications from this address; retry later';
const DETAIL = `more than ${LIMIT} failed authentications from this address in 60 s; wait the Retry-After seconds and fix the token`;

describe('controller API: failed-authentication rate limit', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness({ failedAuthLimitPerMin: LIMIT, trustProxy: true });
  });
  const valid = () => bearer({ exp: h.nowS() + 300, lanes: ['shop-bergen-3'] });
  const get = (ip: string, authorization?: string) => {
    const req = request(h.app).get(LANE).set('X-Forwarded-For', ip);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it('answers 429 rate_limited with Retry-After once an address has failed more than the limit', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get('203.0.113.7', 'Bearer forged')).status).toBe(401);
    const limited = await get('203.0.113.7', 'Bearer forged');
    expectProblem(limited, 429, 'rate_limited', TITLE, { detail: DETAIL });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['www-authenticate']).toBeUndefined();
  });

  it('counts a request without any token as a failure', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get('203.0.113.7')).status).toBe(401);
    expect((await get('203.0.113.7')).status).toBe(429);
  });

  it('still serves a valid token from an address over the limit, and keeps refusing the failures', async () => {
    for (let i = 0; i <= LIMIT; i++) await get('203.0.113.7', 'Bearer forged');
    const served = await get('203.0.113.7', valid());
    expect([served.status, served.body.laneId]).toEqual([200, 'shop-bergen-3']);
    expect((await get('203.0.113.7', 'Bearer forged')).status).toBe(429);
  });

  it('never counts successful authentications, nor answers after them that are not 401 (403, 404)', async () => {
    for (let i = 0; i < LIMIT * 3; i++) expect((await get('198.51.100.1', valid())).status).toBe(200);
    const outOfScope = bearer({ exp: h.nowS() + 300, lanes: ['vend-oslo-1'] });
    for (let i = 0; i < LIMIT * 3; i++) expect((await get('198.51.100.1', outOfScope)).status).toBe(403);
    expect((await get('198.51.100.1', 'Bearer forged')).status).toBe(401);
  });

  it('keys the limit by client address: another address is not limited', async () => {
    for (let i = 0; i <= LIMIT; i++) await get('203.0.113.8', 'Bearer forged');
    expect((await get('203.0.113.8', 'Bearer forged')).status).toBe(429);
    expect((await get('203.0.113.9', 'Bearer forged')).status).toBe(401);
  });
});
