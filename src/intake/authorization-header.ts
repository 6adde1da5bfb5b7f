// Parses the Vipps `Authorization` header (vipps-protocol.md §1.2, step 5). Only the one scheme and the one
// SignedHeaders list Vipps uses are accepted: anything else cannot have been produced by Vipps.
export const SIGNED_HEADERS = 'x-ms-date;host;x-ms-content-sha256';

// base64 of a 32-byte HMAC-SHA256 is always 44 characters ending in one `=`.
const HEADER = /^HMAC-SHA256 SignedHeaders=([^&\s]+)&Signature=([A-Za-z0-9+/]{43}=)$/;

/** True when the header has Vipps's exact shape: scheme, SignedHeaders list and a 32-byte base64 signature. */
export function isWellFormedAuthorization(value: string): boolean {
  const m = HEADER.exec(value);
  return m !== null && m[1] === SIGNED_HEADERS;
}
