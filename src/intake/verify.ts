// Verifies a Vipps webhook delivery exactly as vipps-protocol.md §1.2 says. Pure: no Express, no clock, no
// environment; the caller passes the raw bytes, the headers, the registered URL, the secrets and `now`.
import { timingSafeEqual } from 'node:crypto';
import { isWellFormedAuthorization } from './authorization-header';
import { authorizationHeader, contentHash, signature, stringToSign } from './signature';

export type VerifyFailureCode =
  | 'missing_header'
  | 'malformed_authorization'
  | 'date_unparseable'
  | 'date_out_of_window'
  | 'content_hash_mismatch'
  | 'signature_mismatch'
  | 'url_mismatch';

// Titles tell an integrator what to fix without echoing any expected value a forger could use.
const TITLES: Record<VerifyFailureCode, string> = {
  missing_header:
    'A required header is missing: x-ms-date, x-ms-content-sha256 and Authorization (or X-Vipps-Authorization)',
  malformed_authorization:
    'Authorization must be "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>"',
  date_unparseable: 'x-ms-date is not an HTTP date',
  date_out_of_window: 'x-ms-date is outside the accepted clock skew',
  content_hash_mismatch: 'x-ms-content-sha256 does not match the request body',
  signature_mismatch: 'The signature does not match',
  url_mismatch: 'The request path or query differs from the registered webhook URL',
};

export type VerifyResult =
  | {
      readonly ok: true;
      /** Index of the secret that matched (rotation: tells when an old one is no longer used). */
      readonly secretIndex: number;
    }
  | { readonly ok: false; readonly status: 401; readonly code: VerifyFailureCode; readonly title: string };

export type HeaderValue = string | readonly string[] | undefined;

export interface WebhookRequest {
  readonly method: string;
  /** The path + query the request arrived at. When given, it must equal the registered URL's (see below). */
  readonly pathAndQuery?: string;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly rawBody: Buffer;
}

export interface VerifyOptions {
  /** The URL registered with Vipps: its host and path+query are what Vipps signed, whatever Host a proxy sends. */
  readonly publicUrl: URL;
  /** Every active secret (rotation: register new, accept both, delete old). Used as UTF-8 text. */
  readonly secrets: readonly string[];
  /** Maximum distance between x-ms-date and `now`, either way, in seconds. */
  readonly skewS: number;
  readonly now: Date;
}

function fail(code: VerifyFailureCode): VerifyResult {
  return { ok: false, status: 401, code, title: TITLES[code] };
}

/** Header lookup by lower-case name; Node already lower-cases (looked up directly), other callers may not. */
function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    if (key === undefined) return undefined;
    v = headers[key];
  }
  const value = typeof v === 'string' ? v : v?.join(', ');
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** `crypto.timingSafeEqual` throws on unequal lengths, so check the length first (the length is not secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A request at a query the registered URL does not have (or without the one it has) was not sent to the
 * registered URL, even if its signature over that URL is valid: answered `url_mismatch`. Checked only after the
 * signature, so a caller without a secret learns nothing about the registered URL from it.
 */
function sameTarget(pathAndQuery: string, publicUrl: URL): boolean {
  // Vipps sends the registered URL as registered: the common case needs no parsing.
  if (pathAndQuery === publicUrl.pathname + publicUrl.search) return true;
  if (!pathAndQuery.startsWith('/')) return false;
  try {
    // Parsed, not compared as text, so both sides are normalised the same way (percent-encoding, empty `?`).
    const received = new URL(publicUrl.origin + pathAndQuery);
    return received.pathname === publicUrl.pathname && received.search === publicUrl.search;
  } catch {
    return false;
  }
}

export function verifyWebhook(req: WebhookRequest, options: VerifyOptions): VerifyResult {
  // Vipps only ever POSTs; the router answers other methods 405 before getting here.
  if (req.method.toUpperCase() !== 'POST') return fail('signature_mismatch');

  const msDate = header(req.headers, 'x-ms-date');
  const claimedHash = header(req.headers, 'x-ms-content-sha256');
  // §1.1: some web servers strip Authorization; Vipps sends an identical X-Vipps-Authorization.
  const authorization = header(req.headers, 'authorization') ?? header(req.headers, 'x-vipps-authorization');
  if (msDate === undefined || claimedHash === undefined || authorization === undefined)
    return fail('missing_header');
  if (!isWellFormedAuthorization(authorization)) return fail('malformed_authorization');

  const sentAt = Date.parse(msDate);
  if (Number.isNaN(sentAt)) return fail('date_unparseable');
  if (Math.abs(options.now.getTime() - sentAt) > options.skewS * 1000) return fail('date_out_of_window');

  // §1.2 step 2: the hash of the raw bytes, never of re-serialised JSON.
  const actualHash = contentHash(req.rawBody);
  if (!constantTimeEqual(claimedHash, actualHash)) return fail('content_hash_mismatch');

  const { publicUrl } = options;
  const toSign = stringToSign(publicUrl.pathname + publicUrl.search, msDate, publicUrl.host, actualHash);
  // Try every secret without stopping early: which secret matched should not show in the timing.
  let secretIndex = -1;
  options.secrets.forEach((secret, i) => {
    const matches = constantTimeEqual(authorization, authorizationHeader(signature(secret, toSign)));
    if (matches && secretIndex === -1) secretIndex = i;
  });
  if (secretIndex === -1) return fail('signature_mismatch');

  if (req.pathAndQuery !== undefined && !sameTarget(req.pathAndQuery, publicUrl)) return fail('url_mismatch');
  return { ok: true, secretIndex };
}
