// GET /admin/v1/sessions (filter by lane, state, time; newest first with a cursor) and
// GET /admin/v1/sessions/{id} (the whole timeline).
import { Router } from 'express';
import { sendProblem } from '../http/problem';
import { count, instant, QueryError, text, withQuery } from './query-params';
import { MAX_LIMIT, parseCursor } from './sessions-query';
import type { AdminServices } from './services';

/** Session states, plus `active` for every state that is not final. */
export const SESSION_STATE_FILTERS = [
  'active',
  'awaiting-sale',
  'payment-requested',
  'authorized',
  'capturing',
  'cancelling',
  'completed',
  'cancelled',
  'failed',
  'dropped',
] as const;

export function sessionsRoutes(services: AdminServices): Router {
  const router = Router();
  router.get(
    '/admin/v1/sessions',
    withQuery(async (req, res) => {
      const laneId = text(req.query, 'lane');
      const state = text(req.query, 'state');
      if (state !== undefined && !(SESSION_STATE_FILTERS as readonly string[]).includes(state))
        throw new QueryError(`state must be one of ${SESSION_STATE_FILTERS.join(', ')}`);
      const from = instant(req.query, 'from');
      const to = instant(req.query, 'to');
      const limit = count(req.query, 'limit', MAX_LIMIT, 1);
      const cursor = text(req.query, 'cursor');
      if (cursor !== undefined && !parseCursor(cursor))
        throw new QueryError('cursor must be the nextCursor of a previous page');
      res.json(
        await services.sessions({
          ...(laneId ? { laneId } : {}),
          ...(state ? { state } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(limit ? { limit } : {}),
          ...(cursor ? { cursor } : {}),
        }),
      );
    }),
  );
  router.get('/admin/v1/sessions/:id', async (req, res) => {
    const detail = await services.session(String(req.params['id']));
    if (!detail)
      return sendProblem(res, { status: 404, code: 'session_not_found', title: 'No such session' });
    res.json(detail);
  });
  return router;
}
