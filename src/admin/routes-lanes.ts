// GET /admin/v1/lanes (paginated server-side, filter by q and state) and GET /admin/v1/lanes/{id}.
import { Router } from 'express';
import { sendProblem } from '../http/problem';
import { MAX_PAGE_SIZE } from './lanes-query';
import { count, oneOf, text, withQuery } from './query-params';
import type { AdminServices } from './services';

export function lanesRoutes(services: AdminServices): Router {
  const router = Router();
  router.get(
    '/admin/v1/lanes',
    withQuery(async (req, res) => {
      const q = text(req.query, 'q');
      const state = oneOf(req.query, 'state', ['idle', 'busy', 'disabled'] as const);
      const page = count(req.query, 'page', 1_000_000, 1);
      const pageSize = count(req.query, 'pageSize', MAX_PAGE_SIZE, 1);
      res.json(
        await services.lanes({
          ...(q ? { q } : {}),
          ...(state ? { state } : {}),
          ...(page ? { page } : {}),
          ...(pageSize ? { pageSize } : {}),
        }),
      );
    }),
  );
  router.get('/admin/v1/lanes/:id', async (req, res) => {
    const lane = await services.lane(String(req.params['id']));
    if (!lane) return sendProblem(res, { status: 404, code: 'lane_not_found', title: 'No such lane' });
    res.json(lane);
  });
  return router;
}
