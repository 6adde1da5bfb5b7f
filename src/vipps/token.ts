// Access token (vipps-protocol.md §5): `POST /accesstoken/get`, cached per credential set, refreshed before it
// expires, one refresh in flight however many callers ask, dropped on an unexpected 401.
import { decode } from 'jsonwebtoken';
import type { Clock } from '../clock';
import { VippsResponseError } from './errors';
import { bodyOf } from './request';
import type { VippsRequest } from './request';
import { nonEmptyString, object, optional } from './validate';
import type { Validator } from './validate';

export interface VippsCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly subscriptionKey: string;
  /**
   * Partner keys: the token is asked for with the sales unit's Merchant-Serial-Number (mandatory for partners),
   * so it is kept per MSN rather than trusted across the partner's sales units.
   */
  readonly tokenPerMsn?: boolean;
}

export interface TokenResponse {
  readonly accessToken: string;
  /** `expires_in` arrives as a string ("86398"); undefined when absent or not a positive number. */
  readonly expiresInS: number | undefined;
}

const OPERATION = 'accesstoken.get';

const tokenBody = object({
  access_token: nonEmptyString,
  expires_in: optional((v: unknown) =>
    typeof v === 'string' || typeof v === 'number' ? String(v) : undefined,
  ),
});

const tokenResponse: Validator<TokenResponse> = (v, path) => {
  const body = tokenBody(v, path);
  const seconds =
    body.expires_in !== undefined && /^\d+$/.test(body.expires_in) ? Number(body.expires_in) : 0;
  return { accessToken: body.access_token, expiresInS: seconds > 0 ? seconds : undefined };
};

/**
 * An empty POST with the credentials in headers. The MSN is recommended (mandatory for partner keys); the token
 * is cached per credential set, so it carries the MSN of whichever call needed it first.
 */
export function accessTokenRequest(credentials: VippsCredentials, msn?: string): VippsRequest<TokenResponse> {
  return {
    operation: OPERATION,
    method: 'POST',
    path: '/accesstoken/get',
    headers: { client_id: credentials.clientId, client_secret: credentials.clientSecret },
    ...(msn === undefined ? {} : { msn }),
    auth: 'none',
    secrets: [credentials.clientSecret],
    expect: [200],
    parse: bodyOf(tokenResponse),
  };
}

export interface CachedToken {
  readonly value: string;
  readonly expiresAtMs: number;
  /** When to stop handing it out: 60 s before expiry, or 10% of the lifetime if that is smaller. */
  readonly refreshAtMs: number;
}

/** Lifetime from `expires_in`, else from the JWT's own `exp` (test tokens live 1 h, production 24 h). */
export function tokenLifetime(res: TokenResponse, nowMs: number): CachedToken {
  let expiresAtMs: number | undefined;
  if (res.expiresInS !== undefined) expiresAtMs = nowMs + res.expiresInS * 1000;
  else {
    const payload = decode(res.accessToken, { json: true });
    if (payload && typeof payload.exp === 'number') expiresAtMs = payload.exp * 1000;
  }
  if (expiresAtMs === undefined)
    throw new VippsResponseError(
      OPERATION,
      200,
      'neither expires_in nor a JWT exp tells when the token expires',
    );
  const lifetime = expiresAtMs - nowMs;
  if (lifetime <= 0)
    throw new VippsResponseError(
      OPERATION,
      200,
      'the token is already expired on arrival (is the clock right?)',
    );
  return { value: res.accessToken, expiresAtMs, refreshAtMs: expiresAtMs - Math.min(60_000, lifetime * 0.1) };
}

interface Entry {
  token?: CachedToken;
  inflight?: Promise<CachedToken>;
}

/**
 * Tokens keyed by credential set. Shareable between transports in one process: several tokens may be valid at
 * once (§5), but fetching one per caller would hammer `/accesstoken/get` at every expiry.
 */
export class AccessTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** A valid token for `key`; `fetchToken` runs at most once at a time per key, its result shared. */
  async get(key: string, fetchToken: () => Promise<TokenResponse>): Promise<string> {
    const entry = this.entry(key);
    if (entry.token && this.clock.now().getTime() < entry.token.refreshAtMs) return entry.token.value;
    if (!entry.inflight) {
      const inflight = this.refresh(entry, fetchToken);
      entry.inflight = inflight;
      // Cleared only once settled, and only if still ours, so a synchronous failure cannot leave it stuck.
      const clear = (): void => {
        if (entry.inflight === inflight) delete entry.inflight;
      };
      inflight.then(clear, clear);
    }
    return (await entry.inflight).value;
  }

  /**
   * Drops the cached token after a 401. With `stale`, only if it is still the cached one: when ten calls fail
   * with the same old token, the first invalidates it and the other nine reuse the refetched token.
   */
  invalidate(key: string, stale?: string): void {
    const entry = this.entries.get(key);
    if (entry?.token && (stale === undefined || entry.token.value === stale)) delete entry.token;
  }

  private async refresh(entry: Entry, fetchToken: () => Promise<TokenResponse>): Promise<CachedToken> {
    const token = tokenLifetime(await fetchToken(), this.clock.now().getTime());
    entry.token = token;
    return token;
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = {}));
    return entry;
  }
}
