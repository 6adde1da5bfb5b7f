// ePayment API v1 (vipps-protocol.md §6) over HTTP: create, get, events, capture, cancel, refund and the test
// environment's force-approve. Order of checks per request: auth → Idempotency-Key → rate limit → idempotency
// replay/conflict → body validation → state machine, so replays are counted and answered like the original.
import express, { type Request, type Response, type Router } from 'express';
import { baseUrlOf, type EmulatorContext } from './context';
import { validateCreate, validateIdempotencyKey, validateModification } from './epayment-validate';
import { idempotencySlot, type Operation } from './idempotency';
import * as payments from './payments';
import {
  apiErrorHandler,
  EmulatedApiError,
  notFound,
  problemBody,
  sendRendered,
  type RenderedError,
} from './problem';
import { takeRateSlot } from './rate-limit';
import { paymentKey } from './state';
import { msnOf, requireAuth } from './tokens';

const BASE = '/epayment/v1';
const instanceOf = (req: Request): string => req.originalUrl.split('?')[0] ?? req.path;
const ok = (status: number, body: unknown): RenderedError => ({
  status,
  body,
  contentType: 'application/json',
});

/** One create/capture/cancel/refund call, with rate limiting and idempotency around `run`. */
function modify(
  ctx: EmulatorContext,
  req: Request,
  res: Response,
  operation: Operation,
  reference: string,
  run: (key: string) => RenderedError,
): void {
  const msn = msnOf(req);
  const key = validateIdempotencyKey(req.get('Idempotency-Key'));
  takeRateSlot(ctx, JSON.stringify(['modify', msn, operation, reference]), ctx.settings.modificationsPerMin);
  const existing = operation === 'create' ? ctx.state.payments.get(paymentKey(msn, reference)) : undefined;
  if (existing) existing.createCalls += 1;
  const slot = idempotencySlot(ctx, { msn, operation, reference, key }, req.body);
  if (slot.replay) {
    sendRendered(res, slot.replay);
    return;
  }
  let result: RenderedError;
  try {
    result = run(key);
  } catch (err) {
    if (!(err instanceof EmulatedApiError)) throw err;
    result = problemBody(err, instanceOf(req));
  }
  slot.save(result);
  sendRendered(res, result);
}

function readSlot(ctx: EmulatorContext, req: Request, operation: string, reference: string): void {
  const subscriptionKey = req.get('Ocp-Apim-Subscription-Key') ?? '';
  takeRateSlot(
    ctx,
    JSON.stringify(['read', subscriptionKey, operation, reference]),
    ctx.settings.readsPerMin,
  );
}

function cancelOnly(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body !== 'object' || Array.isArray(body))
    throw EmulatedApiError.field('body', 'The cancel body is empty or {"cancelTransactionOnly": boolean}.');
  const flag = (body as Record<string, unknown>)['cancelTransactionOnly'];
  if (flag !== undefined && typeof flag !== 'boolean')
    throw EmulatedApiError.field('cancelTransactionOnly', 'cancelTransactionOnly must be a boolean.');
  return flag === true;
}

export function epaymentRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.use(BASE, express.json({ limit: '100kb' }), requireAuth(ctx, { msn: 'required' }));

  router.post(`${BASE}/payments`, (req, res) => {
    const raw = (req.body as Record<string, unknown> | undefined)?.['reference'];
    modify(ctx, req, res, 'create', typeof raw === 'string' ? raw : '', (key) => {
      const create = validateCreate(req.body, ctx.clock.now().getTime());
      const payment = payments.createPayment(ctx, msnOf(req), create, key, baseUrlOf(ctx, req));
      payment.createCalls = 1;
      // PUSH_MESSAGE answers without redirectUrl (§6.1).
      return ok(201, {
        reference: payment.reference,
        ...(payment.redirectUrl ? { redirectUrl: payment.redirectUrl } : {}),
      });
    });
  });

  router.get(`${BASE}/payments/:reference`, (req, res) => {
    readSlot(ctx, req, 'get', req.params.reference);
    res.json(payments.paymentView(payments.findPayment(ctx, msnOf(req), req.params.reference)));
  });

  router.get(`${BASE}/payments/:reference/events`, (req, res) => {
    readSlot(ctx, req, 'events', req.params.reference);
    res.json(payments.findPayment(ctx, msnOf(req), req.params.reference).events);
  });

  router.post(`${BASE}/payments/:reference/capture`, (req, res) => {
    modify(ctx, req, res, 'capture', req.params.reference, (key) => {
      const amount = validateModification(req.body);
      const payment = payments.findPayment(ctx, msnOf(req), req.params.reference);
      payments.capture(ctx, payment, amount, key);
      return ok(200, payments.modificationView(payment));
    });
  });

  router.post(`${BASE}/payments/:reference/refund`, (req, res) => {
    modify(ctx, req, res, 'refund', req.params.reference, (key) => {
      const amount = validateModification(req.body);
      const payment = payments.findPayment(ctx, msnOf(req), req.params.reference);
      payments.refund(ctx, payment, amount, key);
      return ok(200, payments.modificationView(payment));
    });
  });

  router.post(`${BASE}/payments/:reference/cancel`, (req, res) => {
    modify(ctx, req, res, 'cancel', req.params.reference, (key) => {
      const transactionOnly = cancelOnly(req.body);
      const payment = payments.findPayment(ctx, msnOf(req), req.params.reference);
      payments.cancel(ctx, payment, transactionOnly, key);
      return ok(200, payments.modificationView(payment));
    });
  });

  // Test environment only (§6.4); the body ({customer} or {token}) is accepted and not needed here.
  router.post(`${BASE}/test/payments/:reference/approve`, (req, res) => {
    payments.forceApprove(ctx, payments.findPayment(ctx, msnOf(req), req.params.reference));
    res.status(200).end();
  });

  router.use(BASE, notFound, apiErrorHandler(problemBody, ctx.logger));
  return router;
}
