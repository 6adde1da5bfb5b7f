// Rate limit for controller requests whose token FAILS verification, keyed by the caller's IP (req.ip, so
// `trust proxy` decides which address that is), like the webhook route's (src/intake/failed-auth-limiter.ts).
// Only failures are counted and only failures are refused: a valid token is verified and served even from an
// address that is over the limit, so one misconfigured machine (or a scanner) behind a site's NAT cannot lock
// the other machines of that site out of their sales. Guessing a signature is not made easier by that: a
// verified token is a token the caller already holds.
import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { sendControllerProblem } from './problems';

export interface ControllerAuthLimiterOptions {
  /** CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN: failed authentications per IP per window before 429. */
  readonly limit: number;
  /** Window length in ms; default one minute. */
  readonly windowMs?: number;
  /** Shared store for several instances; default: in-memory, per process. */
  readonly store?: Store;
}

/**
 * Counts one failed authentication for req.ip. Calls `next` (which answers 401) while under the limit; past
 * it, answers 429 `rate_limited` with Retry-After itself.
 */
export function createControllerAuthLimiter(options: ControllerAuthLimiterOptions): RequestHandler {
  const windowMs = options.windowMs ?? 60_000;
  return rateLimit({
    windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The default key generator is kept: req.ip, IPv6 grouped by /56 so one host cannot rotate addresses.
    handler: (_req, res) => {
      sendControllerProblem(
        res,
        'rate_limited',
        `more than ${options.limit} failed authentications from this address in ${windowMs / 1000} s; wait the Retry-After seconds and fix the token`,
      );
    },
    ...(options.store ? { store: options.store } : {}),
  });
}
