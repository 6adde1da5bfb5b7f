// The Vipps webhook signature scheme (vipps-protocol.md §1.2), shared by the verifier and the emulator's
// signer so both sides compute the exact same bytes.
import { createHash, createHmac } from 'node:crypto';

/** base64(SHA-256(raw body)): standard base64 with padding, not hex. */
export function contentHash(rawBody: Buffer | string): string {
  return createHash('sha256').update(rawBody).digest('base64');
}

/** `POST\n{pathAndQuery}\n{x-ms-date};{host};{contentHash}` with LF separators and no trailing newline. */
export function stringToSign(pathAndQuery: string, msDate: string, host: string, hash: string): string {
  return `POST\n${pathAndQuery}\n${msDate};${host};${hash}`;
}

/** The secret is used as UTF-8 text, never base64-decoded. */
export function signature(secret: string, toSign: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(toSign, 'utf8').digest('base64');
}

export function authorizationHeader(sig: string): string {
  return `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${sig}`;
}

export interface SignedHeaders {
  readonly 'x-ms-date': string;
  readonly 'x-ms-content-sha256': string;
  readonly authorization: string;
}

/** Signs a delivery to `url` the way Vipps does (used by the emulator and by tests). */
export function signDelivery(url: URL, secret: string, rawBody: Buffer | string, date: Date): SignedHeaders {
  const msDate = date.toUTCString();
  const hash = contentHash(rawBody);
  const sig = signature(secret, stringToSign(url.pathname + url.search, msDate, url.host, hash));
  return { 'x-ms-date': msDate, 'x-ms-content-sha256': hash, authorization: authorizationHeader(sig) };
}
