// The pay page's per-page token (a CSRF-ish guard without cookies): the form carries
// `<issued at>.<nonce>.<HMAC(lane, issued at, nonce)>`, so only a page this gateway rendered for this lane, in
// the last TOKEN_TTL_MS, can start a payment. The nonce is also the session's attemptId: pressing Pay twice on
// one page (or a retried POST) is the same session and one payment; a new page load is a new attempt.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_TTL_MS = 10 * 60_000;
/** A page from a clock slightly ahead (another instance) is still accepted. */
const FUTURE_SKEW_MS = 60_000;

export interface PageTokens {
  issue(laneId: string, now: Date): string;
  /** The attemptId the token stands for, or undefined when it is forged, for another lane or too old. */
  check(laneId: string, token: unknown, now: Date): string | undefined;
}

/**
 * `key`: the HMAC key; instances behind one load balancer must share it (main.ts derives it from secrets they
 * share); absent = random per process.
 */
export function pageTokens(key: Buffer = randomBytes(32)): PageTokens {
  const mac = (laneId: string, issuedAt: string, nonce: string): Buffer =>
    createHmac('sha256', key).update(`pay-page\n${laneId}\n${issuedAt}\n${nonce}`).digest();
  return {
    issue(laneId, now) {
      const issuedAt = now.getTime().toString(36);
      const nonce = randomBytes(12).toString('hex');
      return `${issuedAt}.${nonce}.${mac(laneId, issuedAt, nonce).toString('base64url')}`;
    },
    check(laneId, token, now) {
      if (typeof token !== 'string' || token.length > 200) return undefined;
      const [issuedAt, nonce, given, extra] = token.split('.');
      if (!issuedAt || !nonce || !given || extra !== undefined || !/^[0-9a-f]{24}$/.test(nonce))
        return undefined;
      const expected = mac(laneId, issuedAt, nonce);
      const actual = Buffer.from(given, 'base64url');
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
      const age = now.getTime() - parseInt(issuedAt, 36);
      if (!(age <= TOKEN_TTL_MS && age >= -FUTURE_SKEW_MS)) return undefined;
      return `pay-${nonce}`;
    },
  };
}
