// Controller API authentication (architecture §5): `Authorization: Bearer <JWT>` verified against the
// configured keys with an explicit algorithm allow-list. Only keys whose algorithm equals the token header's
// `alg` are tried, each with exactly that algorithm, so `none` and HS/RS confusion cannot get through; `exp`
// is required and the lifetime (exp − iat, or exp − now without iat) is capped (issue 13: a 10-year token was
// accepted); `aud`/`iss` are checked when configured; the `lanes` claim scopes the token.
import jwt from 'jsonwebtoken';
import type { Clock } from '../clock';
import type { ControllerAlgorithm, ControllerKey } from './controller-keys';

export { parseControllerKeys, ControllerKeyError, type ControllerKey } from './controller-keys';

export type ControllerAuthCode =
  'missing_token' | 'invalid_token' | 'token_expired' | 'token_lifetime_too_long' | 'lane_forbidden';

/** CONTROLLER_JWT_MAX_TTL_S's default: 24 h. */
export const DEFAULT_MAX_TOKEN_LIFETIME_S = 86_400;

/** Details are fixed phrases: nothing from the key material and nothing echoed from the token. */
export class ControllerAuthError extends Error {
  override readonly name = 'ControllerAuthError';
  readonly status: 401 | 403;
  constructor(
    readonly code: ControllerAuthCode,
    readonly detail: string,
  ) {
    super(detail);
    this.status = code === 'lane_forbidden' ? 403 : 401;
  }
}

export interface ControllerTokenPolicy {
  readonly keys: readonly ControllerKey[];
  readonly audience?: string | undefined;
  readonly issuer?: string | undefined;
  readonly clock: Clock;
  /** Allowed clock skew for exp/nbf, in seconds. Default 30. */
  readonly clockToleranceS?: number;
  /** CONTROLLER_JWT_MAX_TTL_S: the longest lifetime a token may have, in seconds. Default 86400. */
  readonly maxLifetimeS?: number;
}

export interface ControllerPrincipal {
  readonly subject: string | undefined;
  /** "*" = every lane (a fleet controller). */
  readonly lanes: '*' | readonly string[];
}

const ALLOWED: readonly ControllerAlgorithm[] = ['HS256', 'RS256', 'ES256'];
const invalid = (detail: string) => new ControllerAuthError('invalid_token', detail);

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer +([^\s]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) {
    throw new ControllerAuthError('missing_token', 'send the token as "Authorization: Bearer <JWT>"');
  }
  return match[1];
}

export function verifyControllerToken(token: string, policy: ControllerTokenPolicy): ControllerPrincipal {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw invalid('the bearer token is not a JWT');
  const alg = decoded.header.alg as ControllerAlgorithm;
  if (!ALLOWED.includes(alg))
    throw invalid(`the token algorithm is not accepted (use ${ALLOWED.join(', ')})`);
  const candidates = policy.keys.filter((k) => k.alg === alg);
  if (candidates.length === 0) throw invalid(`no configured key verifies ${alg} tokens`);

  const options: jwt.VerifyOptions & { complete: false } = {
    algorithms: [alg],
    clockTimestamp: Math.floor(policy.clock.now().getTime() / 1000),
    clockTolerance: policy.clockToleranceS ?? 30,
    complete: false,
  };
  if (policy.audience !== undefined) options.audience = policy.audience;
  if (policy.issuer !== undefined) options.issuer = policy.issuer;

  for (const candidate of candidates) {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, candidate.key, options);
    } catch (err) {
      // jsonwebtoken checks the signature before any claim, so a claim error means this key matched.
      if (err instanceof jwt.JsonWebTokenError && err.message === 'invalid signature') continue;
      throw claimError(err);
    }
    if (typeof payload === 'string') throw invalid('the token payload is not a JSON object');
    checkLifetime(payload, options.clockTimestamp ?? 0, policy.maxLifetimeS ?? DEFAULT_MAX_TOKEN_LIFETIME_S);
    return principal(payload);
  }
  throw invalid('the token signature does not match any configured key');
}

function claimError(err: unknown): ControllerAuthError {
  if (err instanceof jwt.TokenExpiredError)
    return new ControllerAuthError('token_expired', 'the token has expired');
  if (err instanceof jwt.NotBeforeError) return invalid('the token is not valid yet (nbf)');
  const message = err instanceof Error ? err.message : '';
  if (message.startsWith('jwt audience invalid')) return invalid('the token audience (aud) is not accepted');
  if (message.startsWith('jwt issuer invalid')) return invalid('the token issuer (iss) is not accepted');
  return invalid('the token was rejected');
}

// A leaked long-lived token is a standing key to the lanes; a short one ages out. Without iat the remaining
// lifetime is what counts, so a token cannot dodge the cap by leaving iat out.
function checkLifetime(payload: jwt.JwtPayload, nowS: number, maxS: number): void {
  if (typeof payload.exp !== 'number')
    throw invalid('the token has no exp claim; controller tokens must expire');
  const from = typeof payload.iat === 'number' ? payload.iat : nowS;
  if (payload.exp - from > maxS) {
    throw new ControllerAuthError(
      'token_lifetime_too_long',
      `the token lives longer than ${maxS} s (exp - iat, or exp - now without iat); issue tokens that expire sooner`,
    );
  }
}

function principal(payload: jwt.JwtPayload): ControllerPrincipal {
  const lanes: unknown = payload.lanes;
  const subject = typeof payload.sub === 'string' ? payload.sub : undefined;
  if (lanes === '*') return { subject, lanes: '*' };
  if (Array.isArray(lanes) && lanes.every((l): l is string => typeof l === 'string' && l.length > 0)) {
    return { subject, lanes };
  }
  throw invalid('the lanes claim must be "*" or an array of lane ids');
}

export function mayAccessLane(principal: ControllerPrincipal, laneId: string): boolean {
  return principal.lanes === '*' || principal.lanes.includes(laneId);
}
