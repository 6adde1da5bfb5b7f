// Admin endpoints for payments, on the admin listener behind requireOperator (src/admin/server.ts): what
// `checkin-gateway payments …` calls on the running gateway (under /admin, kept for the CLI), and the same
// routes under /admin/v1. A refund is audited with the operator token's label.
import express, { Router, type Request } from 'express';
import type { PaymentsApi } from '../settlement/payments-api';
import { REFUND_ID_PATTERN } from '../settlement/refund-request';
import type { SettlementFilter } from '../store/settlements-repo';
import type { AuditEntry } from '../admin/audit';
import { operatorOf } from '../admin/auth';
import { jsonBody, refuseInvalidBody } from '../admin/invalid-body';
import { count, instant, QueryError, text, withQuery } from '../admin/query-params';
import { answerRefund } from './refund-answer';
import { sendProblem } from './problem';

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

export interface AdminPaymentsOptions {
  /** Where the routes live: `/admin` (the CLI's paths) or `/admin/v1`. */
  readonly prefix: string;
  /** Records mutating calls (refund, settle, reconcile) in the audit trail. */
  readonly audit?: (entry: AuditEntry) => Promise<void>;
}

export function adminPaymentsRouter(payments: PaymentsApi, options: AdminPaymentsOptions): Router {
  const { prefix } = options;
  const audit = options.audit ?? (() => Promise.resolve());
  const router = Router();
  const guarded = withQuery;
  router.get(
    `${prefix}/payments`,
    guarded(async (req, res) => {
      res.json({ payments: await payments.list(paymentsFilter(req.query)) });
    }),
  );
  router.post(
    `${prefix}/payments/settle`,
    guarded(async (req, res) => {
      const reference = text(req.query, 'reference');
      const result = await payments.settle(reference);
      await audit({
        operator: operatorOf(res),
        action: 'payment.settle',
        target: reference ?? null,
        outcome: 'ok',
        detail: { due: result.due },
      });
      res.json(result);
    }),
  );
  router.post(
    `${prefix}/payments/reconcile`,
    guarded(async (req, res) => {
      const { since, until, laneId } = paymentsFilter(req.query);
      const report = await payments.reconcile({
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(laneId ? { laneId } : {}),
      });
      await audit({
        operator: operatorOf(res),
        action: 'payment.reconcile',
        target: laneId ?? null,
        outcome: 'ok',
      });
      res.json(report);
    }),
  );
  router.get(
    `${prefix}/payments/:reference`,
    guarded(async (req, res) => {
      const detail = await payments.show(String(req.params['reference']));
      if (!detail)
        return sendProblem(res, { status: 404, code: 'payment_not_found', title: 'No such payment' });
      res.json(detail);
    }),
  );
  router.post(
    `${prefix}/payments/:reference/refund`,
    express.json({ limit: '4kb' }),
    guarded(async (req, res) => {
      const reference = String(req.params['reference']);
      const { amount, reason, refundId, operator } = jsonBody(req);
      const errors: string[] = [];
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
        errors.push('amount must be a positive integer of minor units');
      if (typeof refundId !== 'string' || !REFUND_ID_PATTERN.test(refundId))
        errors.push('refundId must be 1-64 of A-Z a-z 0-9 . _ : -');
      if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 200))
        errors.push('reason must be a string of at most 200 characters');
      if (errors.length > 0) {
        const entry = { operator: operatorOf(res), action: 'payment.refund', target: reference };
        return refuseInvalidBody(res, audit, entry, errors);
      }
      // The token's label names who asked; the CLI's `operator` body field is kept as a note of the client.
      const label = operatorOf(res);
      const client = typeof operator === 'string' && /^[\w.@-]{1,64}$/.test(operator) ? operator : null;
      const by = client && client !== label ? `${label}/${client}` : label;
      const r = await payments.refund(
        reference,
        {
          refundId: refundId as string,
          amount: amount as number,
          reason: (reason as string | undefined) ?? null,
        },
        `operator:${by}`,
      );
      await audit({
        operator: label,
        action: 'payment.refund',
        target: reference,
        outcome: r.kind,
        detail: { refundId, amount, ...(client ? { client } : {}) },
      });
      answerRefund(res, r, reference);
    }),
  );
  return router;
}
