// POST /admin/v1/controllers/token {lane, ttl?, key?}: mints a controller JWT for onboarding a machine. The
// running gateway knows the sandbox's generated key, which no CLI can read. Audited without the token.
import express, { Router } from 'express';
import { sendProblem } from '../http/problem';
import { operatorOf } from './auth';
import { MintError, parseTtl } from './controller-token';
import { jsonBody, refuseInvalidBody } from './invalid-body';
import type { AdminServices } from './services';

const DEFAULT_TTL = '1h';

export function controllersRoutes(services: AdminServices): Router {
  const router = Router();
  router.post('/admin/v1/controllers/token', express.json({ limit: '4kb' }), async (req, res) => {
    const { lane, ttl, key } = jsonBody(req);
    const ttlS = typeof ttl === 'number' ? ttl : parseTtl(typeof ttl === 'string' ? ttl : DEFAULT_TTL);
    const errors: string[] = [];
    if (typeof lane !== 'string' || lane === '') errors.push('lane must be a lane id');
    if (ttlS === undefined) errors.push('ttl must be seconds or e.g. 1h, 30m, 45s');
    if (key !== undefined && (typeof key !== 'number' || !Number.isSafeInteger(key) || key < 1))
      errors.push('key must be a 1-based CONTROLLER_JWT_KEYS entry number');
    const operator = operatorOf(res);
    const target = typeof lane === 'string' ? lane : null;
    if (errors.length > 0)
      return refuseInvalidBody(res, services.audit, { operator, action: 'controller.token', target }, errors);
    try {
      const minted = services.mintControllerToken({
        laneId: lane as string,
        ttlS: ttlS as number,
        ...(typeof key === 'number' ? { keyNumber: key } : {}),
      });
      await services.audit({
        operator,
        action: 'controller.token',
        target,
        outcome: 'ok',
        detail: { expiresAt: minted.expiresAt, key: minted.key },
      });
      res.status(201).setHeader('Cache-Control', 'no-store').json(minted);
    } catch (err) {
      if (!(err instanceof MintError)) throw err;
      await services.audit({
        operator,
        action: 'controller.token',
        target,
        outcome: 'refused',
        detail: { reason: err.message },
      });
      sendProblem(res, {
        status: 422,
        code: 'cannot_mint',
        title: 'Cannot mint that token',
        detail: err.message,
      });
    }
  });
  return router;
}
