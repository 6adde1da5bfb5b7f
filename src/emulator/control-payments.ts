// The emulator's ledger in the control API: `GET /emulator/v1/payments` (filters msn, reference) and
// `GET /emulator/v1/payments/{reference}` (?msn= when the reference exists for several MSNs) show each payment's
// state, aggregate and refunds; `POST /emulator/v1/payments/{reference}/adjust` is a test aid that sets aggregate
// numbers directly, as if someone had used the merchant portal, so a reconciliation has a difference to find.
// The adjustment logs no event and sends no webhook: only reading the payment shows it.
import express, { type Response, type Router } from 'express';
import { sendProblem } from '../http/problem';
import type { EmulatorContext } from './context';
import { invalid, isObject, unknownFields } from './control-problem';
import { aggregateView, settle } from './payments';
import type { Aggregate, Payment } from './state';

const BASE = '/emulator/v1/payments';
const AMOUNTS = ['authorized', 'captured', 'cancelled', 'refunded'] as const;

export function ledgerView(ctx: EmulatorContext, p: Payment): Record<string, unknown> {
  settle(ctx, p);
  return {
    msn: p.msn,
    reference: p.reference,
    state: p.state,
    amount: p.amount,
    aggregate: aggregateView(p),
    refunds: p.events
      .filter((e) => e.name === 'REFUNDED')
      .map((e) => ({ amount: e.amount, idempotencyKey: e.idempotencyKey ?? null, at: e.timestamp })),
    createCalls: p.createCalls,
    userFlow: p.userFlow,
    customer: p.customerKind,
    createdAt: new Date(p.createdAt).toISOString(),
    authorizedAt: p.authorizedAt === undefined ? null : new Date(p.authorizedAt).toISOString(),
    events: p.events.map((e) => e.name),
  };
}

/** The one payment with this reference (and MSN, when given); answers the problem itself otherwise. */
export function lookup(
  ctx: EmulatorContext,
  res: Response,
  reference: string,
  msn: unknown,
): Payment | undefined {
  if (msn !== undefined && (typeof msn !== 'string' || msn === '')) {
    invalid(res, 'msn must be a non-empty string');
    return undefined;
  }
  const found = [...ctx.state.payments.values()].filter(
    (p) => p.reference === reference && (msn === undefined || p.msn === msn),
  );
  if (found.length > 1) invalid(res, `msn is required: reference ${reference} exists for several MSNs`);
  else if (found.length === 0)
    sendProblem(res, {
      status: 404,
      code: 'emulator.payment-not-found',
      title: 'No such payment',
      detail: `No payment with reference ${reference}${msn === undefined ? '' : ` for MSN ${msn as string}`}.`,
    });
  return found.length === 1 ? found[0] : undefined;
}

type Adjustment = { msn?: unknown; changes: Partial<Aggregate> };

export function parseAdjustment(body: unknown): Adjustment | { errors: string[] } {
  if (!isObject(body)) return { errors: ['the body must be a JSON object'] };
  const errors: string[] = [];
  const unknown = unknownFields(body, ['msn', ...AMOUNTS]);
  if (unknown) errors.push(unknown);
  const changes: Partial<Aggregate> = {};
  for (const name of AMOUNTS) {
    const v = body[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      errors.push(`${name} must be a non-negative integer (minor units)`);
    else changes[name] = v;
  }
  if (AMOUNTS.every((name) => body[name] === undefined))
    errors.push(`give at least one of ${AMOUNTS.join(', ')}`);
  return errors.length > 0 ? { errors } : { msn: body['msn'], changes };
}

/** Vipps never shows an aggregate that breaks these, so neither does an adjusted one. */
function aggregateProblem(a: Aggregate, amount: number): string | undefined {
  if (a.authorized <= amount && a.captured + a.cancelled <= a.authorized && a.refunded <= a.captured)
    return undefined;
  return (
    'the adjusted aggregate must keep captured + cancelled ≤ authorized ≤ amount and refunded ≤ captured; ' +
    `it would be authorized ${a.authorized}, captured ${a.captured}, cancelled ${a.cancelled}, ` +
    `refunded ${a.refunded} of amount ${amount}`
  );
}

export function paymentsControlRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.get(BASE, (req, res) => {
    const { msn, reference } = req.query;
    const payments = [...ctx.state.payments.values()]
      .filter(
        (p) => (msn === undefined || p.msn === msn) && (reference === undefined || p.reference === reference),
      )
      .map((p) => ledgerView(ctx, p));
    res.json({ payments });
  });

  router.get(`${BASE}/:reference`, (req, res) => {
    const payment = lookup(ctx, res, req.params.reference, req.query['msn']);
    if (payment) res.json(ledgerView(ctx, payment));
  });

  router.post(`${BASE}/:reference/adjust`, (req, res) => {
    const parsed = parseAdjustment(req.body);
    if ('errors' in parsed) return invalid(res, parsed.errors.join('; '));
    const payment = lookup(ctx, res, req.params.reference, parsed.msn);
    if (!payment) return;
    settle(ctx, payment);
    if (payment.state !== 'AUTHORIZED')
      return sendProblem(res, {
        status: 409,
        code: 'emulator.payment-not-authorized',
        title: 'Only an AUTHORIZED payment has an aggregate to adjust',
        detail: `The payment is ${payment.state}.`,
      });
    const next = { ...payment.aggregate, ...parsed.changes };
    const problem = aggregateProblem(next, payment.amount.value);
    if (problem) return invalid(res, problem);
    payment.aggregate = next;
    res.json(ledgerView(ctx, payment));
  });

  return router;
}
