// Admin endpoints for payments (behind adminGuard: loopback and ADMIN_TOKEN): what `checkin-gateway payments
// …` calls on the running gateway, so the CLI works while the gateway owns the embedded store.
import express, { Router, type Request, type Response } from 'express';
import type { PaymentsApi } from '../settlement/payments-api';
import { REFUND_ID_PATTERN } from '../settlement/refund-request';
import type { SettlementFilter } from '../store/settlements-repo';
import { answerRefund } from './refund-answer';
import { sendProblem } from './problem';

class QueryError extends Error {}

function text(q: Request['query'], name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new QueryError(`${name} must be given once, not empty`);
  return v;
}

function instant(q: Request['query'], name: string): Date | undefined {
  const v = text(q, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw new QueryError(`${name} must be an ISO-8601 instant, e.g. 2026-12-01T00:00:00Z`);
  return new Date(ms);
}

function count(q: Request['query'], name: string, max: number): number | undefined {
  const v = text(q, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > max)
    throw new QueryError(`${name} must be an integer from 0 to ${max}`);
  return Number(v);
}

/** The filter of `GET /admin/payments` and `POST /admin/payments/reconcile` (query string). */
export function paymentsFilter(q: Request['query']): SettlementFilter {
  const outstanding = text(q, 'outstanding');
  if (outstanding !== undefined && outstanding !== 'true' && outstanding !== 'false')
    throw new QueryError('outstanding must be true or false');
  const laneId = text(q, 'lane');
  const since = instant(q, 'since');
  const until = instant(q, 'until');
  const limit = count(q, 'limit', 10_000);
  const offset = count(q, 'offset', 1_000_000_000);
  return {
    ...(outstanding === 'true' ? { outstanding: true } : {}),
    ...(laneId ? { laneId } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(limit === undefined ? {} : { limit }),
    ...(offset === undefined ? {} : { offset }),
  };
}

function badRequest(res: Response, detail: string): void {
  sendProblem(res, { status: 400, code: 'invalid_query', title: 'The request is invalid', detail });
}

export function adminPaymentsRouter(payments: PaymentsApi): Router {
  const router = Router();
  const guarded =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await fn(req, res);
      } catch (err) {
        if (err instanceof QueryError) return badRequest(res, err.message);
        throw err;
      }
    };
  router.get(
    '/admin/payments',
    guarded(async (req, res) => {
      res.json({ payments: await payments.list(paymentsFilter(req.query)) });
    }),
  );
  router.post(
    '/admin/payments/settle',
    guarded(async (req, res) => {
      const reference = text(req.query, 'reference');
      res.json(await payments.settle(reference));
    }),
  );
  router.post(
    '/admin/payments/reconcile',
    guarded(async (req, res) => {
      const { since, until, laneId } = paymentsFilter(req.query);
      res.json(
        await payments.reconcile({
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
          ...(laneId ? { laneId } : {}),
        }),
      );
    }),
  );
  router.get(
    '/admin/payments/:reference',
    guarded(async (req, res) => {
      const detail = await payments.show(String(req.params['reference']));
      if (!detail)
        return sendProblem(res, { status: 404, code: 'payment_not_found', title: 'No such payment' });
      res.json(detail);
    }),
  );
  router.post(
    '/admin/payments/:reference/refund',
    express.json({ limit: '4kb' }),
    guarded(async (req, res) => {
      const reference = String(req.params['reference']);
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
        string,
        unknown
      >;
      const { amount, reason, refundId, operator } = body;
      const errors: string[] = [];
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
        errors.push('amount must be a positive integer of minor units');
      if (typeof refundId !== 'string' || !REFUND_ID_PATTERN.test(refundId))
        errors.push('refundId must be 1-64 of A-Z a-z 0-9 . _ : -');
      if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 200))
        errors.push('reason must be a string of at most 200 characters');
      if (errors.length > 0)
        return sendProblem(res, {
          status: 422,
          code: 'invalid_body',
          title: 'The request body is invalid',
          detail: errors.join('; '),
        });
      const by = typeof operator === 'string' && /^[\w.@-]{1,64}$/.test(operator) ? operator : 'cli';
      const r = await payments.refund(
        reference,
        {
          refundId: refundId as string,
          amount: amount as number,
          reason: (reason as string | undefined) ?? null,
        },
        `operator:${by}`,
      );
      answerRefund(res, r, reference);
    }),
  );
  return router;
}
