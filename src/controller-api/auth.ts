// Controller API authentication (architecture §5): `Authorization: Bearer <JWT>` verified against the
// configured keys with an explicit algorithm allow-list. Only keys whose algorithm equals the token header's
// `alg` are tried, each with exactly that algorithm, so `none` and HS/RS confusion cannot get through; `exp`
// is required; `aud`/`iss` are checked when configured; the `lanes` claim scopes the token.
import jwt from 'jsonwebtoken';
import type { Clock } from '../clock';
import type { ControllerAlgorithm, ControllerKey } from './controller-keys';

export { parseControllerKeys, ControllerKeyError, type ControllerKey } from './controller-keys';

export type ControllerAuthCode = 'missing_token' | 'invalid_token' | 'token_expired' | 'lane_forbidden';

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

function principal(payload: jwt.JwtPayload): ControllerPrincipal {
  if (typeof payload.exp !== 'number')
    throw invalid('the token has no exp claim; controller tokens must expire');
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
