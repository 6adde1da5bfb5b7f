// /admin/v1/dead-letters: list, replay, discard (docs/admin-api.openapi.yaml, "dead letters and outbox").
// Mounted by the admin server behind requireOperator: res.locals.operator names who acts, in the audit.
import express, { Router, type Request, type Response } from 'express';
import { sendProblem } from '../http/problem';
import { operatorOf } from './auth';
import { DeadLetterQueryError, type DeadLetterService, MAX_IDS_PER_CALL } from './dead-letters';
import { DEAD_LETTER_KINDS, DEAD_LETTER_STATES } from './dead-letters-types';
import { count, oneOf, QueryError, text, withQuery } from './query-params';

const BODY_HELP = `the body must be {"ids": [...]}: 1 to ${MAX_IDS_PER_CALL} dead-letter ids (intake-N, job-N, job-sqs-ID, lane-message-ID)`;

/** The ids of a replay/discard body, or undefined when the body is not {ids: [1..100 strings]}. */
export function idsOf(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  const ids = (body as { ids?: unknown }).ids;
  if (keys.length !== 1 || !Array.isArray(ids)) return undefined;
  if (ids.length < 1 || ids.length > MAX_IDS_PER_CALL) return undefined;
  if (!ids.every((id): id is string => typeof id === 'string')) return undefined;
  return [...new Set(ids)];
}

function badBody(res: Response, detail: string): void {
  sendProblem(res, { status: 400, code: 'invalid_body', title: 'The request body is invalid', detail });
}

/** Answers the service's refusals (bad id, bad cursor) as 400 problems naming what to fix. */
async function answering(res: Response, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof DeadLetterQueryError)
      return sendProblem(res, {
        status: 400,
        code: err.code,
        title: 'The request is invalid',
        detail: err.message,
      });
    throw err;
  }
}

export function deadLettersRoutes(service: DeadLetterService): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });
  // A body that is not JSON at all gets the same answer as one of the wrong shape.
  const parse = (req: Request, res: Response, next: (err?: unknown) => void): void =>
    json(req, res, (err?: unknown) => (err ? badBody(res, BODY_HELP) : next()));

  router.get(
    '/admin/v1/dead-letters',
    withQuery(async (req, res) => {
      const q = req.query;
      for (const name of Object.keys(q))
        if (!['kind', 'lane', 'state', 'limit', 'cursor'].includes(name))
          throw new QueryError(
            `unknown parameter ${JSON.stringify(name.slice(0, 40))}: use kind, lane, state, limit, cursor`,
          );
      const query = {
        kind: oneOf(q, 'kind', DEAD_LETTER_KINDS),
        laneId: text(q, 'lane'),
        state: oneOf(q, 'state', [...DEAD_LETTER_STATES, 'all'] as const),
        limit: count(q, 'limit', 500, 1),
        cursor: text(q, 'cursor'),
      };
      await answering(res, async () => {
        const [page, counts] = await Promise.all([service.list(query), service.counts()]);
        res.json({ ...page, counts });
      });
    }),
  );

  for (const action of ['replay', 'discard'] as const) {
    router.post(`/admin/v1/dead-letters/${action}`, parse, async (req, res) => {
      const ids = idsOf(req.body);
      if (!ids) return badBody(res, BODY_HELP);
      await answering(res, async () => {
        const results = await service[action](ids, operatorOf(res));
        res.json({ results });
      });
    });
  }
  return router;
}
