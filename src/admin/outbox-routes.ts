// /admin/v1/outbox: each lane's lane-message backlog, and retry (docs/admin-api.openapi.yaml, "dead letters
// and outbox"). Mounted by the admin server behind requireOperator.
import { Router } from 'express';
import { sendProblem } from '../http/problem';
import { operatorOf } from './auth';
import type { OutboxService } from './outbox';
import { QueryError, text, withQuery } from './query-params';

const LANE_ID = /^[A-Za-z0-9_-]{1,64}$/; // as the lanes file allows (validate-lane.ts)

export function outboxRoutes(service: OutboxService): Router {
  const router = Router();
  router.get(
    '/admin/v1/outbox',
    withQuery(async (req, res) => {
      for (const name of Object.keys(req.query))
        if (name !== 'lane')
          throw new QueryError(`unknown parameter ${JSON.stringify(name.slice(0, 40))}: use lane`);
      res.json({ lanes: await service.list({ laneId: text(req.query, 'lane') }) });
    }),
  );
  router.post('/admin/v1/outbox/:laneId/retry', async (req, res) => {
    const laneId = String(req.params['laneId']);
    if (!LANE_ID.test(laneId))
      return sendProblem(res, {
        status: 400,
        code: 'invalid_lane_id',
        title: 'The request is invalid',
        detail: 'a lane id is 1-64 of A-Z a-z 0-9 _ -',
      });
    const r = await service.retry(laneId, operatorOf(res));
    if (r.outcome === 'not_found')
      return sendProblem(res, {
        status: 404,
        code: 'lane_not_found',
        title: 'No such lane',
        detail: `lane ${laneId} is not in the lanes file and has no lane messages waiting`,
      });
    res.json(r);
  });
  return router;
}
