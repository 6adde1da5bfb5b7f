import {
  VippsApiError,
  VippsNetworkError,
  isInvalidCustomerToken,
  isPushNotAllowed,
  isRetryableStatus,
} from '../../src/vipps/errors';
import { apiErrorFromResponse } from '../../src/vipps/problem';
import { CUSTOMER_TOKEN } from './support/fixtures';

// Bodies shaped like vipps-protocol.md §2 / §5 / §6.6.
const invalidToken = {
  type: 'https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/errors',
  title: 'Bad Request',
  detail: 'Invalid customer token',
  status: 400,
  traceId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
  instance: '/epayment/v1/payments',
  extraDetails: [{ name: 'ErrorCode', reason: '4050' }],
};

function map(
  status: number,
  json: unknown,
  extra: { statusText?: string; secrets?: string[]; retryAfterMs?: number } = {},
) {
  return apiErrorFromResponse('epayment.create', {
    status,
    statusText: extra.statusText ?? '',
    json,
    ...extra,
  });
}

describe('mapping Vipps error responses', () => {
  it('reads status, the ErrorCode from extraDetails and the traceId from problem+json', () => {
    const e = map(400, invalidToken);
    expect(e).toBeInstanceOf(VippsApiError);
    expect(e).toMatchObject({
      kind: 'api',
      operation: 'epayment.create',
      status: 400,
      title: 'Bad Request',
      code: '4050',
      traceId: invalidToken.traceId,
      detail: 'Invalid customer token',
      retryable: false,
      name: 'VippsApiError',
    });
    expect(e.message).toBe(
      'Vipps epayment.create failed: HTTP 400 Bad Request (Vipps error 4050) [traceId 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00]',
    );
    expect(isInvalidCustomerToken(e)).toBe(true);
    expect(isPushNotAllowed(e)).toBe(false);
  });

  it('recognises 5080 PUSH_MESSAGE not allowed', () => {
    const e = map(400, {
      ...invalidToken,
      detail: 'PUSH_MESSAGE not allowed',
      extraDetails: [{ name: 'ErrorCode', reason: '5080' }],
    });
    expect(isPushNotAllowed(e)).toBe(true);
    expect(isInvalidCustomerToken(e)).toBe(false);
  });

  it('takes an all-digit reason when no item is named ErrorCode', () => {
    const e = map(400, {
      ...invalidToken,
      extraDetails: [
        { name: 'customer.customerToken', reason: 'must not be empty' },
        { name: 'code', reason: '4140' },
      ],
    });
    expect(e.code).toBe('4140');
  });

  it('has no code when extraDetails names only fields', () => {
    expect(
      map(400, { ...invalidToken, extraDetails: [{ name: 'amount', reason: 'invalid' }] }).code,
    ).toBeUndefined();
  });

  it('maps the access-token error body (Azure AD style) and tells the operator what to check', () => {
    const e = apiErrorFromResponse('accesstoken.get', {
      status: 401,
      statusText: 'Unauthorized',
      json: {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
        error_codes: [7000215],
        timestamp: '2026-01-01 12:00:00Z',
        trace_id: 'b5a9f3c2-1111-2222-3333-444455556666',
        correlation_id: 'c1',
      },
    });
    expect(e).toMatchObject({ status: 401, title: 'invalid_client', code: '7000215', retryable: false });
    expect(e.message).toBe(
      'Vipps accesstoken.get failed: HTTP 401 invalid_client (Vipps error 7000215) [traceId b5a9f3c2-1111-2222-3333-444455556666]: check VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET and VIPPS_SUBSCRIPTION_KEY (or the set for this MSN in VIPPS_CREDENTIALS_FILE) for this VIPPS_ENV',
    );
  });

  it('maps the QR error body (invalidParams, no code)', () => {
    const e = apiErrorFromResponse('qr.put', {
      status: 400,
      statusText: 'Bad Request',
      json: {
        title: 'Validation failed',
        detail: 'One or more fields are invalid',
        instance: '/qr/v1/merchant-callback/kiosk-1',
        invalidParams: [{ name: 'locationDescription', reason: 'too long' }],
      },
    });
    expect(e.message).toBe('Vipps qr.put failed: HTTP 400 Validation failed');
    expect(e.code).toBeUndefined();
  });

  it('falls back to the status text for a body that is not JSON (a proxy error page)', () => {
    const e = map(502, undefined, { statusText: 'Bad Gateway' });
    expect(e.message).toBe('Vipps epayment.create failed: HTTP 502 Bad Gateway');
    expect(e.retryable).toBe(true);
    expect(map(500, undefined).title).toBe('HTTP 500');
  });

  it('adds a hint for 403 (product not enabled)', () => {
    expect(map(403, { title: 'Forbidden', status: 403 }).message).toBe(
      'Vipps epayment.create failed: HTTP 403 Forbidden: the API product may not be enabled for this sales unit (Merchant-Serial-Number)',
    );
  });

  it('scrubs secrets that Vipps echoes back in title or detail', () => {
    const e = map(
      400,
      {
        ...invalidToken,
        title: `Bad token ${CUSTOMER_TOKEN}`,
        detail: `customerToken ${CUSTOMER_TOKEN} is invalid`,
      },
      { secrets: [CUSTOMER_TOKEN] },
    );
    expect(e.message).not.toContain(CUSTOMER_TOKEN);
    expect(e.detail).toBe('customerToken [redacted] is invalid');
    expect(e.title).toBe('Bad token [redacted]');
  });

  it('keeps the Retry-After hint', () => {
    expect(map(429, { title: 'Too Many Requests', status: 429 }, { retryAfterMs: 3000 }).retryAfterMs).toBe(
      3000,
    );
  });

  it.each([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [423, true],
    [429, true],
    [500, true],
    [503, true],
  ])('HTTP %i is retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
    expect(map(status, { title: 't', status }).retryable).toBe(retryable);
  });

  it('names the network failure cause without secrets', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7070'), { code: 'ECONNREFUSED' });
    const e = new VippsNetworkError(
      'epayment.get',
      'http://127.0.0.1:7070',
      new TypeError('fetch failed', { cause }),
    );
    expect(e.message).toBe(
      'Vipps epayment.get could not reach http://127.0.0.1:7070: fetch failed (ECONNREFUSED)',
    );
    expect(e.retryable).toBe(true);
  });
});
