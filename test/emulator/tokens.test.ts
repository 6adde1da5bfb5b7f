import { startHarness, type Harness } from './helpers';

describe('emulator access tokens (vipps-protocol.md §5)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ tokenTtlS: 3600 });
  });
  afterAll(() => h.close());

  const getToken = (headers: Record<string, string>): Promise<Response> =>
    fetch(`${h.url}/accesstoken/get`, { method: 'POST', headers });

  it('issues a Bearer JWT with string-typed expiry fields', async () => {
    const res = await getToken({
      client_id: 'id',
      client_secret: 'secret',
      'Ocp-Apim-Subscription-Key': 'sub',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const now = Math.floor(h.clock.now().getTime() / 1000);
    expect(body).toEqual({
      token_type: 'Bearer',
      expires_in: '3600',
      ext_expires_in: '3600',
      expires_on: String(now + 3600),
      not_before: String(now),
      resource: '00000002-0000-0000-c000-000000000000',
      access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
    });
  });

  it('answers 401 without a subscription key', async () => {
    const res = await getToken({ client_id: 'id', client_secret: 'secret' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      statusCode: 401,
      message: 'Access denied due to missing subscription key. Include it when making requests.',
    });
  });

  it('answers 400 invalid_request without client_secret and never echoes the credentials', async () => {
    const res = await getToken({ client_id: 'my-client-id', 'Ocp-Apim-Subscription-Key': 'sub' });
    expect(res.status).toBe(400);
    const text = await res.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body['error']).toBe('invalid_request');
    expect(body['error_description']).toBe(
      'The request must include the client_id and client_secret headers.',
    );
    expect(text).not.toContain('my-client-id');
  });

  it('accepts a token until it expires, then answers 401', async () => {
    const token = await h.token();
    const call = (): Promise<Response> =>
      fetch(`${h.url}/webhooks/v1/webhooks`, {
        headers: {
          Authorization: `Bearer ${token}`,
          'Ocp-Apim-Subscription-Key': 'sub',
          'Merchant-Serial-Number': '123456',
        },
      });
    expect((await call()).status).toBe(200);
    h.clock.advance(3599_000);
    expect((await call()).status).toBe(200);
    h.clock.advance(2_000);
    const res = await call();
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      detail: 'The access token has expired.',
    });
  });

  it.each([
    ['no Authorization header', 'none', 'Authorization must be "Bearer <access token>".'],
    ['a token without the word Bearer', 'raw-token', 'Authorization must be "Bearer <access token>".'],
    ['a token this emulator did not sign', 'foreign', 'Invalid JWT.'],
  ] as const)('answers 401 for %s', async (_name, auth, detail) => {
    const headers: Record<string, string> = {
      'Ocp-Apim-Subscription-Key': 'sub',
      'Merchant-Serial-Number': '123456',
    };
    if (auth === 'raw-token') headers['Authorization'] = await h.token();
    if (auth === 'foreign') headers['Authorization'] = 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x';
    const res = await fetch(`${h.url}/epayment/v1/payments/abcdefgh-1`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized', detail, extraDetails: [] });
  });

  it('answers 401 when an API call lacks the subscription key', async () => {
    const res = await h.api('/epayment/v1/payments/abcdefgh-1', {
      headers: { 'Ocp-Apim-Subscription-Key': '' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: 'Access denied due to missing subscription key.' });
  });

  it('answers 400 naming Merchant-Serial-Number when ePayment is called without it', async () => {
    const res = await h.api('/epayment/v1/payments/abcdefgh-1', {
      headers: { 'Merchant-Serial-Number': '' },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      title: 'Bad Request',
      status: 400,
      extraDetails: [
        { name: 'Merchant-Serial-Number', reason: 'The Merchant-Serial-Number header is required.' },
      ],
    });
  });
});
