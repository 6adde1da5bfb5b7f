// Access tokens (vipps-protocol.md §5) and the request authentication every emulated API applies, plus the
// customerTokens a simulated scan hands out (§3: valid 15 minutes, only for the MSN of the scanned QR).
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import type { EmulatorContext } from './context';
import { EmulatedApiError } from './problem';
import type { CustomerBehavior, CustomerToken } from './state';

// Azure AD style body the token endpoint uses for errors (the shape @vippsmobilepay/sdk models, §5).
function tokenError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({
    error,
    error_description: description,
    error_codes: [status === 401 ? 7000215 : 900144],
    timestamp: new Date().toISOString(),
    trace_id: randomBytes(16).toString('hex'),
    correlation_id: randomBytes(16).toString('hex'),
    error_uri: 'https://login.microsoftonline.com/error',
  });
}

export function accessTokenRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  // Any non-empty credentials are accepted: the emulator has no merchant portal to issue them.
  router.post('/accesstoken/get', (req, res) => {
    if (!req.get('Ocp-Apim-Subscription-Key')) {
      // API Management rejects before the identity provider sees the request.
      res.status(401).json({
        statusCode: 401,
        message: 'Access denied due to missing subscription key. Include it when making requests.',
      });
      return;
    }
    if (!req.get('client_id') || !req.get('client_secret')) {
      tokenError(
        res,
        400,
        'invalid_request',
        'The request must include the client_id and client_secret headers.',
      );
      return;
    }
    const now = Math.floor(ctx.clock.now().getTime() / 1000);
    const ttl = ctx.settings.tokenTtlS;
    const accessToken = jwt.sign({ iss: 'vipps-emulator', iat: now, nbf: now, exp: now + ttl }, ctx.jwtKey, {
      algorithm: 'HS256',
    });
    // The numeric-looking fields are strings, as real Vipps sends them.
    res.status(200).json({
      token_type: 'Bearer',
      expires_in: String(ttl),
      ext_expires_in: String(ttl),
      expires_on: String(now + ttl),
      not_before: String(now),
      resource: '00000002-0000-0000-c000-000000000000',
      access_token: accessToken,
    });
  });
  return router;
}

export interface AuthOptions {
  /** ePayment and QR merchant-callback need the header; Webhooks treats its absence as partner-wide. */
  readonly msn: 'required' | 'optional';
}

/** Subscription key, then a valid unexpired `Bearer` JWT of this emulator, then (if asked) the MSN header. */
export function requireAuth(ctx: EmulatorContext, options: AuthOptions) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.get('Ocp-Apim-Subscription-Key')) {
      throw new EmulatedApiError(401, 'Unauthorized', 'Access denied due to missing subscription key.');
    }
    const auth = req.get('Authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(auth);
    if (!match?.[1]) {
      throw new EmulatedApiError(401, 'Unauthorized', 'Authorization must be "Bearer <access token>".');
    }
    try {
      jwt.verify(match[1], ctx.jwtKey, {
        algorithms: ['HS256'],
        clockTimestamp: Math.floor(ctx.clock.now().getTime() / 1000),
      });
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw new EmulatedApiError(
        401,
        'Unauthorized',
        expired ? 'The access token has expired.' : 'Invalid JWT.',
      );
    }
    if (options.msn === 'required' && !req.get('Merchant-Serial-Number')) {
      throw EmulatedApiError.field(
        'Merchant-Serial-Number',
        'The Merchant-Serial-Number header is required.',
      );
    }
    next();
  };
}

/** The caller's MSN header (present: `requireAuth` checked it where it is required). */
export function msnOf(req: Request): string {
  return req.get('Merchant-Serial-Number') ?? '';
}

/** Base64 (47 random bytes, so it ends in `=` and usually holds `+` or `/`), like the real tokens (§3). */
export function issueCustomerToken(
  ctx: EmulatorContext,
  msn: string,
  merchantQrId: string,
  behavior: CustomerBehavior,
): string {
  const token = randomBytes(47).toString('base64');
  const record: CustomerToken = { msn, merchantQrId, issuedAt: ctx.clock.now().getTime(), behavior };
  ctx.state.customerTokens.set(token, record);
  return token;
}

/** The token's record when it was issued here, is within its 15 minutes and belongs to `msn`; else undefined. */
export function validCustomerToken(
  ctx: EmulatorContext,
  token: string,
  msn: string,
): CustomerToken | undefined {
  const record = ctx.state.customerTokens.get(token);
  if (!record || record.msn !== msn) return undefined;
  const age = ctx.clock.now().getTime() - record.issuedAt;
  return age >= 0 && age < ctx.settings.customerTokenTtlMs ? record : undefined;
}
