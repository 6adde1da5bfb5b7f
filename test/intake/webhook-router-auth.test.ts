import { createHash } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import type { Database } from '../../src/store/sql';
import { contentHash } from '../../src/intake/signature';
import { MAX_BODY_BYTES } from '../../src/intake/webhook-router';
import { checkinPayload, type SignedRequest } from '../support/signed-request';
import { buildHarness, counter, deadLetters, type Harness, harnessPerTest, NOW } from './router-harness';

let db: Database;
let h: Harness;
harnessPerTest((d, x) => {
  db = d;
  h = x;
});

const without = (req: SignedRequest, ...names: string[]): SignedRequest => {
  const headers = { ...req.headers };
  for (const n of names) delete headers[n];
  return { ...req, headers };
};
const withHeaders = (req: SignedRequest, headers: Record<string, string>): SignedRequest => ({
  ...req,
  headers: { ...req.headers, ...headers },
});
const auth = (sig: string, scheme = 'HMAC-SHA256', signed = 'x-ms-date;host;x-ms-content-sha256'): string =>
  `${scheme} SignedHeaders=${signed}&Signature=${sig}`;
const sigOf = (req: SignedRequest): string => req.headers['authorization']!.split('Signature=')[1]!;

/** Each entry: a bad request built from a fresh valid one, and the exact answer expected. */
const BAD_INPUTS: [string, () => SignedRequest, number, string][] = [
  ['x-ms-date missing', () => without(h.sign(checkinPayload()), 'x-ms-date'), 401, 'missing_header'],
  [
    'x-ms-content-sha256 missing',
    () => without(h.sign(checkinPayload()), 'x-ms-content-sha256'),
    401,
    'missing_header',
  ],
  [
    'Authorization and X-Vipps-Authorization missing',
    () => without(h.sign(checkinPayload()), 'authorization', 'x-vipps-authorization'),
    401,
    'missing_header',
  ],
  [
    'Authorization malformed',
    () => withHeaders(h.sign(checkinPayload()), { authorization: 'HMAC-SHA256 garbage' }),
    401,
    'malformed_authorization',
  ],
  [
    'Authorization with a wrong scheme',
    () => {
      const r = h.sign(checkinPayload());
      return withHeaders(r, { authorization: auth(sigOf(r), 'HMAC-SHA1') });
    },
    401,
    'malformed_authorization',
  ],
  [
    'Authorization with other SignedHeaders',
    () => {
      const r = h.sign(checkinPayload());
      return withHeaders(r, { authorization: auth(sigOf(r), 'HMAC-SHA256', 'x-ms-date;host') });
    },
    401,
    'malformed_authorization',
  ],
  [
    'a signature from a wrong secret',
    () => h.sign(checkinPayload(), { secret: 'whsec-some-other-secret' }),
    401,
    'signature_mismatch',
  ],
  [
    'one byte of the body changed',
    () => {
      const r = h.sign(checkinPayload());
      const body = Buffer.from(r.body);
      body[10] = body[10]! ^ 0x01;
      return { ...r, body };
    },
    401,
    'content_hash_mismatch',
  ],
  [
    'a content hash that does not match the body (hex, signed over)',
    () => {
      const body = JSON.stringify(checkinPayload());
      return h.sign(body, { claimedHash: createHash('sha256').update(body).digest('hex') });
    },
    401,
    'content_hash_mismatch',
  ],
  [
    'x-ms-date unparseable (signed over)',
    () => h.sign(checkinPayload(), { msDate: 'not a date' }),
    401,
    'date_unparseable',
  ],
  [
    'x-ms-date 301 s old',
    () => h.sign(checkinPayload(), { date: new Date(NOW - 301_000) }),
    401,
    'date_out_of_window',
  ],
  [
    'x-ms-date 301 s in the future',
    () => h.sign(checkinPayload(), { date: new Date(NOW + 301_000) }),
    401,
    'date_out_of_window',
  ],
  [
    'the right path with a query string PUBLIC_WEBHOOK_URL lacks (correctly signed)',
    () => h.sign(checkinPayload(), { path: '/webhooks/vipps?replay=1' }),
    401,
    'url_mismatch',
  ],
  [
    'a body over 64 KiB (correctly signed)',
    () => h.sign(JSON.stringify({ ...checkinPayload(), pad: 'x'.repeat(MAX_BODY_BYTES) })),
    413,
    'payload_too_large',
  ],
  [
    'Content-Type text/plain (correctly signed)',
    () => h.sign(checkinPayload(), { headers: { 'content-type': 'text/plain' } }),
    415,
    'unsupported_media_type',
  ],
  [
    'Content-Type application/json with a non-UTF-8 charset',
    () => h.sign(checkinPayload(), { headers: { 'content-type': 'application/json; charset=iso-8859-1' } }),
    415,
    'unsupported_media_type',
  ],
  [
    'a gzip Content-Encoding',
    () => h.sign(checkinPayload(), { headers: { 'content-encoding': 'gzip' } }),
    415,
    'unsupported_media_type',
  ],
];

describe('webhook route: bad inputs get an exact problem and enqueue nothing', () => {
  it.each(BAD_INPUTS.map(([name, build, status, code]) => ({ name, build, status, code })))(
    '$name ⇒ $status $code',
    async ({ build, status, code }) => {
      const res = await h.send(build());
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, code });
      expect(await h.queue.jobs()).toHaveLength(0);
      expect(await deadLetters(db)).toHaveLength(0);
    },
  );

  it('counts verification failures by code', async () => {
    await h.send(h.sign(checkinPayload(), { secret: 'wrong-secret' }));
    await h.send(without(h.sign(checkinPayload()), 'x-ms-date'));
    expect(await counter(h.metrics.authFailures, { code: 'signature_mismatch' })).toBe(1);
    expect(await counter(h.metrics.authFailures, { code: 'missing_header' })).toBe(1);
    expect(await counter(h.metrics.webhookRequests, { outcome: 'rejected' })).toBe(2);
  });

  it('never reveals the expected hash or signature in a problem body', async () => {
    const good = h.sign(checkinPayload());
    const tampered = { ...good, body: Buffer.from(JSON.stringify(checkinPayload({ msn: '999999' }))) };
    const wrongSecret = h.sign(checkinPayload(), { secret: 'wrong-secret' });
    for (const req of [tampered, wrongSecret]) {
      const res = await h.send(req);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain(contentHash(tampered.body));
      expect(res.text).not.toContain(sigOf(good));
    }
  });

  it('answers another method 405 with Allow: POST', async () => {
    const res = await request(h.app).get('/webhooks/vipps');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(res.body).toMatchObject({ code: 'method_not_allowed' });
  });

  it('answers a POST without Content-Type 415', async () => {
    const res = await h.send(without(h.sign(checkinPayload()), 'content-type'));
    expect([res.status, res.body.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('leaves other paths to the rest of the app', async () => {
    const res = await h.send(h.sign(checkinPayload(), { path: '/webhooks/vipps/extra' }));
    expect([res.status, res.body.code]).toEqual([404, 'not_found']);
  });
});

describe('webhook route: what must pass', () => {
  it('accepts a correct signature over the public URL whatever Host the proxy sends', async () => {
    const res = await h.send(h.sign(checkinPayload()), { host: 'checkin-gateway.internal:8080' });
    expect([res.status, res.body]).toEqual([202, { status: 'accepted' }]);
    expect(await h.queue.jobs()).toHaveLength(1);
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const base = JSON.stringify({ ...checkinPayload(), pad: '' });
    const body = JSON.stringify({
      ...checkinPayload(),
      pad: 'x'.repeat(MAX_BODY_BYTES - Buffer.byteLength(base)),
    });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect((await h.send(h.sign(body))).status).toBe(202);
  });

  it('accepts X-Vipps-Authorization when Authorization was stripped', async () => {
    const res = await h.send(without(h.sign(checkinPayload()), 'authorization'));
    expect(res.status).toBe(202);
  });

  it('accepts x-ms-date exactly 300 s old', async () => {
    const res = await h.send(h.sign(checkinPayload(), { date: new Date(NOW - 300_000) }));
    expect(res.status).toBe(202);
  });

  it('reads the secret list per request: a secret added after start is accepted', async () => {
    const req = h.sign(checkinPayload(), { secret: 'whsec-added-by-the-sandbox' });
    expect((await h.send(req)).status).toBe(401);
    h.secrets.push('whsec-added-by-the-sandbox');
    expect((await h.send(req)).status).toBe(202);
    expect(h.logs()).toContain('"signingKeyIndex":1');
  });

  it('serves a PUBLIC_WEBHOOK_URL with a port and a query string, and rejects the path without the query', async () => {
    const url = new URL('https://gw.example.com:8443/hooks/vipps?tenant=kiosk-1');
    const q = buildHarness(db, { publicUrl: url });
    expect((await q.send(q.sign(checkinPayload()))).status).toBe(202);
    const res = await q.send(q.sign(checkinPayload(), { path: '/hooks/vipps' }));
    expect([res.status, res.body.code]).toEqual([401, 'url_mismatch']);
    expect(await q.queue.jobs()).toHaveLength(1);
  });

  it('answers 500 and says why when a JSON body parser ran before the router', async () => {
    const app = express();
    app.use(express.json());
    app.use(h.app);
    const req = h.sign(checkinPayload());
    const res = await request(app)
      .post(req.path)
      .set(req.headers)
      .serialize((bytes: unknown) => bytes as string)
      .send(req.body);
    expect([res.status, res.body.code]).toEqual([500, 'internal_error']);
    expect(h.logs()).toContain('mount it before any body parser');
    expect(await h.queue.jobs()).toHaveLength(0);
  });
});

describe('webhook route: failed-verification rate limit', () => {
  beforeEach(() => {
    h = buildHarness(db, { failedAuthLimitPerMin: 3 });
  });
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('answers 429 with Retry-After once an IP exceeds the limit, and still accepts verified deliveries from it', async () => {
    const forged = () => h.sign(checkinPayload(), { secret: 'forger-guess' });
    for (let i = 0; i < 3; i++) expect((await h.send(forged(), from('203.0.113.7'))).status).toBe(401);
    const limited = await h.send(forged(), from('203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    const genuine = await h.send(h.sign(checkinPayload()), from('203.0.113.7'));
    expect([genuine.status, genuine.body]).toEqual([202, { status: 'accepted' }]);
    expect((await h.send(forged(), from('203.0.113.7'))).status).toBe(429);
    expect(await h.queue.jobs()).toHaveLength(1);
  });

  it('never counts verified deliveries, even dropped ones', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await h.send(
        h.sign(checkinPayload({ merchantQrId: `unknown-${i}` })),
        from('198.51.100.1'),
      );
      expect(res.body).toEqual({ status: 'dropped', code: 'unknown_lane' });
    }
    expect((await h.send(h.sign(checkinPayload(), { secret: 'x' }), from('198.51.100.1'))).status).toBe(401);
  });

  it('keys the limit by the client IP behind the trusted proxy', async () => {
    const forged = h.sign(checkinPayload(), { secret: 'forger-guess' });
    for (let i = 0; i < 4; i++) await h.send(forged, from('203.0.113.8'));
    expect((await h.send(forged, from('203.0.113.8'))).status).toBe(429);
    expect((await h.send(forged, from('203.0.113.9'))).status).toBe(401);
  });
});
