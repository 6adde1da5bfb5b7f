// GET /admin/v1/webhooks/health, GET /admin/v1/config (secrets masked), GET /admin/v1/audit.
import { Router } from 'express';
import { count, text, withQuery, QueryError } from './query-params';
import type { AdminServices } from './services';

export function miscRoutes(services: AdminServices): Router {
  const router = Router();
  router.get(
    '/admin/v1/webhooks/health',
    withQuery(async (req, res) => {
      res.json(await services.webhookHealth(count(req.query, 'page', 1_000_000, 1)));
    }),
  );
  router.get('/admin/v1/config', (_req, res) => {
    res.json({ settings: services.configSummary() });
  });
  router.get(
    '/admin/v1/audit',
    withQuery(async (req, res) => {
      const limit = count(req.query, 'limit', 500, 1);
      const before = text(req.query, 'before');
      if (before !== undefined && !/^\d{1,18}$/.test(before))
        throw new QueryError('before must be the nextBefore of a previous page');
      res.json(await services.listAudit({ ...(limit ? { limit } : {}), ...(before ? { before } : {}) }));
    }),
  );
  return router;
}
