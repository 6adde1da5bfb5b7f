// Operator endpoints used by the CLI while the gateway owns the data directory (architecture §4): only from
// loopback (the socket address, never X-Forwarded-For), and with ADMIN_TOKEN when one is configured.
import { timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Queue } from '../queue/queue';
import type { PaymentsApi } from '../settlement/payments-api';
import { adminPaymentsRouter } from './admin-payments';
import { sendProblem } from './problem';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function adminGuard(adminToken: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      sendProblem(res, {
        status: 403,
        code: 'admin_loopback_only',
        title: 'Admin endpoints answer loopback only',
      });
      return;
    }
    if (adminToken !== undefined) {
      const given = (req.get('authorization') ?? '').replace(/^Bearer /, '');
      if (!sameSecret(given, adminToken)) {
        sendProblem(res, {
          status: 401,
          code: 'admin_token_required',
          title: 'Missing or wrong admin token',
        });
        return;
      }
    }
    next();
  };
}

export function adminRouter(deps: {
  queue: Queue;
  adminToken: string | undefined;
  payments?: PaymentsApi;
}): Router {
  const router = Router();
  router.use('/admin', adminGuard(deps.adminToken));
  router.get('/admin/queue/stats', async (_req, res) => {
    res.json(await deps.queue.stats());
  });
  if (deps.payments) router.use(adminPaymentsRouter(deps.payments));
  return router;
}
