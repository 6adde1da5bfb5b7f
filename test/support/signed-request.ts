// Builds Vipps webhook deliveries signed the way Vipps signs them (src/intake/signature.ts), for
// router, integration and e2e tests. Framework-free: send the result with supertest or fetch.
import { authorizationHeader, contentHash, signature, stringToSign } from '../../src/intake/signature';

export interface CheckinPayload {
  customerToken: string;
  merchantQrId: string;
  msn: string;
  initiatedAt: string;
}

/** A valid `user.checked-in.v1` payload; override any field. */
export function checkinPayload(
  overrides: Partial<CheckinPayload> & Record<string, unknown> = {},
): CheckinPayload {
  return {
    customerToken: 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=',
    merchantQrId: 'lane-1',
    msn: '123456',
    initiatedAt: '2026-01-01T11:59:50.1234567Z',
    ...overrides,
  };
}

export interface SignedRequest {
  readonly method: 'POST';
  /** Path + query to send the request to (the public URL's, unless overridden). */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface SignOptions {
  /** PUBLIC_WEBHOOK_URL: the URL Vipps signs over. */
  readonly url: URL;
  readonly secret: string;
  /** An object is JSON-serialised; a string or Buffer is sent as-is. */
  readonly body: unknown;
  /** The x-ms-date (the signature covers it). */
  readonly date: Date;
  /** Send and sign this x-ms-date text instead of `date` in HTTP-date form (e.g. an unparseable one). */
  readonly msDate?: string;
  /** Send and sign this x-ms-content-sha256 instead of the body's real hash. */
  readonly claimedHash?: string;
  /** Extra or replacement headers, applied after signing (a value of undefined removes the header). */
  readonly headers?: Record<string, string | undefined>;
  /** Send to a different path+query than the signed URL's. */
  readonly path?: string;
}

function toBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** A delivery exactly as Vipps would send it (Content-Type, Authorization and its X-Vipps-Authorization copy). */
export function signedRequest(options: SignOptions): SignedRequest {
  const { url } = options;
  const body = toBuffer(options.body);
  const msDate = options.msDate ?? options.date.toUTCString();
  const hash = options.claimedHash ?? contentHash(body);
  // Same computation as signDelivery, with the date text and hash overridable for bad-input tests.
  const authorization = authorizationHeader(
    signature(options.secret, stringToSign(url.pathname + url.search, msDate, url.host, hash)),
  );
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-date': msDate,
    'x-ms-content-sha256': hash,
    authorization,
    'x-vipps-authorization': authorization,
    'user-agent': 'Vipps MobilePay/1.0 Webhooks/1.0',
  };
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    if (v === undefined) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = v;
  }
  return { method: 'POST', path: options.path ?? url.pathname + url.search, headers, body };
}

/** Sends a SignedRequest with fetch to a running server (base = its http://127.0.0.1:port origin). */
export function sendSigned(base: string | URL, req: SignedRequest): Promise<globalThis.Response> {
  return fetch(new URL(req.path, base), { method: req.method, headers: req.headers, body: req.body });
}
