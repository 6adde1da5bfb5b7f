// Express glue for controller tokens: a verified principal in res.locals.controller, or a problem+json 401
// with a WWW-Authenticate challenge (RFC 6750 §3). Failures pass through the failed-auth limiter first, which
// answers 429 instead once an address has failed too often.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  bearerToken,
  ControllerAuthError,
  verifyControllerToken,
  type ControllerPrincipal,
  type ControllerTokenPolicy,
} from './auth';
import { sendControllerProblem } from './problems';

const REALM = 'realm="checkin-gateway"';

export function requireControllerToken(policy: ControllerTokenPolicy, failedAuthLimiter?: RequestHandler) {
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      res.locals.controller = verifyControllerToken(bearerToken(req.get('authorization')), policy);
    } catch (err) {
      if (!(err instanceof ControllerAuthError)) throw err;
      const challenge =
        err.code === 'missing_token' ? `Bearer ${REALM}` : `Bearer ${REALM}, error="invalid_token"`;
      const answer = (): void =>
        sendControllerProblem(res, err.code, err.detail, { headers: { 'WWW-Authenticate': challenge } });
      if (failedAuthLimiter)
        void failedAuthLimiter(req, res, (limiterErr?: unknown) => {
          if (limiterErr) return next(limiterErr);
          answer();
        });
      else answer();
      return;
    }
    next();
  };
}

export function controllerPrincipal(res: Response): ControllerPrincipal {
  return res.locals.controller as ControllerPrincipal;
}
