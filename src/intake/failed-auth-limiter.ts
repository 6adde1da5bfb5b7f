// Rate limit for requests that FAIL verification, keyed by the caller's IP (req.ip, so `trust proxy` decides
// which address that is). Verified Vipps traffic never reaches it: the router calls it only after verification
// failed, so a forger sharing an address with Vipps cannot lock Vipps out, and Vipps is never counted or blocked.
import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { sendProblem } from '../http/problem';

export interface FailedAuthLimiterOptions {
  /** Failed verifications allowed per IP per window before answering 429. */
  readonly limit: number;
  /** Window length in ms. */
  readonly windowMs: number;
  /** Shared store for several instances; default: in-memory, per process. */
  readonly store?: Store;
}

/**
 * Counts one failed verification for req.ip. Calls `next` (which answers 401) while under the limit; past it,
 * answers 429 `rate_limited` with Retry-After itself.
 */
export function createFailedAuthLimiter(options: FailedAuthLimiterOptions): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The default key generator is kept: req.ip, IPv6 grouped by /56 so one host cannot rotate addresses.
    handler: (_req, res) => {
      sendProblem(res, {
        status: 429,
        code: 'rate_limited',
        title: 'Too many failed webhook authentications from this address; retry later',
      });
    },
    ...(options.store ? { store: options.store } : {}),
  });
}
