import { createHash } from 'node:crypto';
import { authorizationHeader, signature, stringToSign } from '../../src/intake/signature';
import { type HeaderValue, verifyWebhook, type VerifyOptions } from '../../src/intake/verify';

// Known-answer vectors. The expected hashes and signatures were computed with openssl, independently of the code
// under test, e.g. for vector 1:
//   printf '%s' "$body" | openssl dgst -sha256 -binary | base64
//   printf 'POST\n/webhooks/vipps\n%s;%s;%s' "$date" gw.example.com "$hash" \
//     | openssl dgst -sha256 -hmac "$secret" -binary | base64
// and for the base64-decoded-key counter-example: openssl dgst -sha256 -mac HMAC -macopt hexkey:<decoded hex>.
const VECTORS = [
  {
    name: 'a UUID-like secret and the plain registered URL',
    url: 'https://gw.example.com/webhooks/vipps',
    secret: '090a478d-37ff-4e77-970e-d457aeb00a3a',
    body: '{"customerToken":"wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=","merchantQrId":"d8b7d76d-49aa-48b8-90c6-38779372c163","msn":"12345","initiatedAt":"2023-10-06T10:45:40.3061965Z"}',
    date: 'Fri, 06 Oct 2023 10:45:41 GMT',
    hash: 'a1I3cGWJlDHkl9goi75rq2uxM4/CstwDvh1N/iJh7OQ=',
    signature: '99dUbEPn3i8cpNVdZKWC+upwC0EUZSUSffNYqh7zIO8=',
  },
  {
    name: 'a base64-looking secret used as UTF-8 text, a non-default port, a query string and a UTF-8 body',
    url: 'https://gw.example.com:8443/hooks/vipps?tenant=kiosk-1&v=2',
    secret: 'c2VjcmV0LWxvb2tzLWxpa2UtYmFzZTY0Lw==',
    body: '{"msn":"654321","reference":"kiosk-1-abc12345","pspReference":"7686f7788898767977","name":"AUTHORIZED","amount":{"currency":"NOK","value":4900},"timestamp":"2023-10-06T10:46:02.123Z","idempotencyKey":"kiosk-1-create","success":true,"note":"Kaffe på kiosk ø"}',
    date: 'Mon, 05 Jan 2026 09:00:00 GMT',
    hash: 'jpAa/DqktJ5ZZJ5ul0WKqawBDdEimOolRYUlFp47BmA=',
    signature: 'vuC+ZHupnKOJjhwBzZrHdUQlIvXrarfSUt9doYlOWVI=',
  },
  {
    name: 'a non-ASCII secret, the sandbox URL and a pretty-printed body (raw bytes, not re-serialised JSON)',
    url: 'http://127.0.0.1:8080/webhooks/vipps',
    secret: 'nøkkel-🔑-2026',
    body: '{\n  "customerToken": "dG9rZW4tMw==",\n  "merchantQrId": "lane-3",\n  "merchantSerialNumber": "777777",\n  "initiatedAt": "2026-01-05T09:00:00.0000000Z"\n}\n',
    date: 'Mon, 05 Jan 2026 09:00:01 GMT',
    hash: 'x9ehoSPjXhxpqryaNn1YejVGRbbE0Bh8UH87pb06V4Y=',
    signature: '+Cf/CIbMyDSDljRrygwQO13rDUUZas00TT4ZUR/YMkk=',
  },
] as const;

/** Vector 2's signature when the secret is wrongly base64-decoded first (openssl -macopt hexkey:...). */
const VECTOR_2_WITH_DECODED_KEY = 'E7rsoyAPsrcPH5YmpQLThZEEOTB/KGLaXRg289XDv8k=';

const header = (sig: string): string =>
  `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${sig}`;

function vectorRequest(v: (typeof VECTORS)[number], headers: Record<string, HeaderValue> = {}) {
  return {
    method: 'POST',
    headers: {
      'x-ms-date': v.date,
      'x-ms-content-sha256': v.hash,
      authorization: header(v.signature),
      host: 'internal-proxy-target:3000',
      ...headers,
    },
    rawBody: Buffer.from(v.body, 'utf8'),
  };
}

function vectorOptions(v: (typeof VECTORS)[number], overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    publicUrl: new URL(v.url),
    secrets: [v.secret],
    skewS: 300,
    now: new Date(Date.parse(v.date) + 1000),
    ...overrides,
  };
}

describe('verifyWebhook known-answer vectors (computed with openssl)', () => {
  it.each(VECTORS)('accepts the openssl-signed delivery with $name', (v) => {
    expect(verifyWebhook(vectorRequest(v), vectorOptions(v))).toEqual({ ok: true, secretIndex: 0 });
  });

  it.each(VECTORS)('the signature primitives reproduce the openssl values for $name', (v) => {
    const url = new URL(v.url);
    expect(createHash('sha256').update(Buffer.from(v.body, 'utf8')).digest('base64')).toBe(v.hash);
    expect(signature(v.secret, stringToSign(url.pathname + url.search, v.date, url.host, v.hash))).toBe(
      v.signature,
    );
    expect(authorizationHeader(v.signature)).toBe(header(v.signature));
  });

  it('rejects a signature made with the base64-decoded secret (the secret is UTF-8 text)', () => {
    const v = VECTORS[1];
    const r = verifyWebhook(
      vectorRequest(v, { authorization: header(VECTOR_2_WITH_DECODED_KEY) }),
      vectorOptions(v),
    );
    expect(r).toMatchObject({ ok: false, status: 401, code: 'signature_mismatch' });
  });

  it('rejects vector 2 when the verifier signs over the URL without its port', () => {
    const v = VECTORS[1];
    const r = verifyWebhook(
      vectorRequest(v),
      vectorOptions(v, { publicUrl: new URL('https://gw.example.com/hooks/vipps?tenant=kiosk-1&v=2') }),
    );
    expect(r).toMatchObject({ ok: false, code: 'signature_mismatch' });
  });
});

describe('verifyWebhook failures (vector 1 as the base delivery)', () => {
  const v = VECTORS[0];
  const run = (headers: Record<string, HeaderValue>, extra: Partial<VerifyOptions> = {}, body?: Buffer) =>
    verifyWebhook(
      { ...vectorRequest(v, headers), ...(body ? { rawBody: body } : {}) },
      vectorOptions(v, extra),
    );

  it.each(['x-ms-date', 'x-ms-content-sha256'])('rejects a delivery without %s as missing_header', (name) => {
    expect(run({ [name]: undefined })).toMatchObject({ ok: false, status: 401, code: 'missing_header' });
  });

  it('rejects a delivery with neither Authorization nor X-Vipps-Authorization as missing_header', () => {
    expect(run({ authorization: undefined })).toMatchObject({ code: 'missing_header' });
  });

  it('treats an empty header as missing', () => {
    expect(run({ 'x-ms-date': '  ' })).toMatchObject({ code: 'missing_header' });
  });

  it('falls back to X-Vipps-Authorization when Authorization is absent', () => {
    expect(run({ authorization: undefined, 'x-vipps-authorization': header(v.signature) })).toEqual({
      ok: true,
      secretIndex: 0,
    });
  });

  it('uses Authorization, not X-Vipps-Authorization, when both are present', () => {
    expect(
      run({ authorization: header(VECTORS[1].signature), 'x-vipps-authorization': header(v.signature) }),
    ).toMatchObject({
      code: 'signature_mismatch',
    });
  });

  it('matches header names case-insensitively', () => {
    const r = verifyWebhook(
      {
        method: 'post',
        headers: { 'X-MS-Date': v.date, 'X-Ms-Content-Sha256': v.hash, Authorization: header(v.signature) },
        rawBody: Buffer.from(v.body),
      },
      vectorOptions(v),
    );
    expect(r).toEqual({ ok: true, secretIndex: 0 });
  });

  it.each([
    ['garbage', 'not-a-signature'],
    ['a bearer token', 'Bearer abc.def.ghi'],
    [
      'another scheme',
      `HMAC-SHA512 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${v.signature}`,
    ],
    ['other SignedHeaders', `HMAC-SHA256 SignedHeaders=x-ms-date;host&Signature=${v.signature}`],
    [
      'reordered SignedHeaders',
      `HMAC-SHA256 SignedHeaders=host;x-ms-date;x-ms-content-sha256&Signature=${v.signature}`,
    ],
    ['a truncated signature', header(v.signature.slice(0, 20))],
    ['a hex signature', header('f'.repeat(64))],
  ])('rejects an Authorization header that is %s as malformed_authorization', (_name, value) => {
    expect(run({ authorization: value })).toMatchObject({ status: 401, code: 'malformed_authorization' });
  });

  it('rejects a signature from a wrong secret as signature_mismatch', () => {
    expect(run({}, { secrets: ['not-the-secret'] })).toMatchObject({ code: 'signature_mismatch' });
  });

  it('rejects everything when no secret is active yet', () => {
    expect(run({}, { secrets: [] })).toMatchObject({ code: 'signature_mismatch' });
  });

  it('accepts a signature from any active secret and reports which one matched', () => {
    expect(run({}, { secrets: ['old-secret-1', 'old-secret-2', v.secret] })).toEqual({
      ok: true,
      secretIndex: 2,
    });
  });

  it('rejects a body with one byte changed as content_hash_mismatch', () => {
    const body = Buffer.from(v.body);
    body[body.length - 3] = body[body.length - 3]! ^ 0x01;
    expect(run({}, {}, body)).toMatchObject({ code: 'content_hash_mismatch' });
  });

  it('rejects a hex content hash (the common mistake) as content_hash_mismatch', () => {
    const hex = createHash('sha256').update(v.body).digest('hex');
    expect(run({ 'x-ms-content-sha256': hex })).toMatchObject({ code: 'content_hash_mismatch' });
  });

  it.each(['yesterday', '2023-13-45T99:99:99Z', 'Thu, 32 Mar 2023 08:38:32 GMT'])(
    'rejects x-ms-date %j as date_unparseable',
    (date) => {
      expect(run({ 'x-ms-date': date })).toMatchObject({ status: 401, code: 'date_unparseable' });
    },
  );

  it('accepts a delivery exactly 300 s old and rejects one 301 s old', () => {
    const sent = Date.parse(v.date);
    expect(run({}, { now: new Date(sent + 300_000) })).toMatchObject({ ok: true });
    expect(run({}, { now: new Date(sent + 301_000) })).toMatchObject({ code: 'date_out_of_window' });
  });

  it('accepts a delivery 300 s in the future and rejects one 301 s in the future', () => {
    const sent = Date.parse(v.date);
    expect(run({}, { now: new Date(sent - 300_000) })).toMatchObject({ ok: true });
    expect(run({}, { now: new Date(sent - 301_000) })).toMatchObject({ code: 'date_out_of_window' });
  });

  it('checks the date before the content hash and the hash before the signature', () => {
    const late = { now: new Date(Date.parse(v.date) + 3_600_000), secrets: ['wrong'] };
    expect(run({ 'x-ms-content-sha256': 'AAAA' }, late)).toMatchObject({ code: 'date_out_of_window' });
    expect(run({ 'x-ms-content-sha256': 'AAAA' }, { secrets: ['wrong'] })).toMatchObject({
      code: 'content_hash_mismatch',
    });
  });

  it('ignores the request Host: only the registered URL is signed over', () => {
    expect(run({ host: 'evil.example:1' })).toMatchObject({ ok: true });
  });

  it('rejects a correctly signed delivery that arrived at a query string the registered URL lacks as url_mismatch', () => {
    const r = verifyWebhook(
      { ...vectorRequest(v), pathAndQuery: '/webhooks/vipps?debug=1' },
      vectorOptions(v),
    );
    expect(r).toMatchObject({ code: 'url_mismatch' });
  });

  it('rejects a delivery without the query string the registered URL has as url_mismatch', () => {
    const v2 = VECTORS[1];
    const ok = verifyWebhook(
      { ...vectorRequest(v2), pathAndQuery: '/hooks/vipps?tenant=kiosk-1&v=2' },
      vectorOptions(v2),
    );
    const bad = verifyWebhook({ ...vectorRequest(v2), pathAndQuery: '/hooks/vipps' }, vectorOptions(v2));
    expect([ok.ok, bad]).toEqual([true, expect.objectContaining({ code: 'url_mismatch' })]);
  });

  it('checks the path+query only after the signature, so a caller without the secret learns nothing from it', () => {
    const r = verifyWebhook(
      { ...vectorRequest(v), pathAndQuery: '/webhooks/vipps?x=1' },
      vectorOptions(v, { secrets: ['wrong'] }),
    );
    expect(r).toMatchObject({ code: 'signature_mismatch' });
  });

  it('rejects a method other than POST', () => {
    expect(verifyWebhook({ ...vectorRequest(v), method: 'PUT' }, vectorOptions(v))).toMatchObject({
      ok: false,
    });
  });

  it('never puts the expected hash or signature in a failure', () => {
    const url = new URL(v.url);
    const expectedWith = (secret: string): string =>
      signature(secret, stringToSign(url.pathname + url.search, v.date, url.host, v.hash));
    const failures = [
      run({ 'x-ms-content-sha256': 'AAAA' }),
      run({}, { secrets: ['wrong-secret'] }),
      run({ authorization: header(VECTORS[1].signature) }),
    ];
    for (const f of failures) {
      expect(f.ok).toBe(false);
      for (const secret of [v.secret, 'wrong-secret'])
        expect(JSON.stringify(f)).not.toContain(expectedWith(secret));
      expect(JSON.stringify(f)).not.toContain(v.hash);
    }
  });
});
