// Simulated customers for the pairings that do not start from a merchant-callback sticker (issue 16):
//   POST /emulator/v1/customers {behavior?}        → 201 {customerId, personalQr, behavior}: a customer whose
//        app shows a personal QR; a lane's scanner reads it and the merchant pushes a payment to it
//        (`customer.personalQr`), which the customer then approves, rejects or ignores as `behavior` says;
//   GET  /emulator/v1/customers/{customerId}      → the customer and the references of the payments they got;
//   POST /emulator/v1/payments/{reference}/scan {behavior?, msn?, customerId?}
//        → 200: a customer scans the dynamic QR of a payment made with userFlow QR (or opens a redirect
//        payment's page) and acts on it; `customerId` names one made above, else an anonymous one scans;
//   GET  /emulator/v1/payments/{reference}/request?msn= → what the merchant's create asked for ({userFlow,
//        customerInteraction, customer (a customerToken shown only as "sent"), qrFormat, returnUrl, …}) and the
//        simulated customer who got or scanned it.
// Errors use the control API's problem shape (`emulator.*` codes).
import { randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { sendProblem } from '../http/problem';
import type { EmulatorContext } from './context';
import { parseBehavior } from './customer-behavior';
import { invalid, isObject, unknownFields } from './control-problem';
import { ledgerView, lookup } from './control-payments';
import { actOn, settle } from './payments';
import type { SimulatedCustomer } from './state';

const BASE = '/emulator/v1';
/** What a real app's personal QR holds is Vipps's business; the emulator's is plainly its own. */
const PERSONAL_QR_PREFIX = 'emulator-personal-qr:';
/** Payments a customer can scan: the ones whose QR or page the customer opens themselves. */
const SCANNABLE_FLOWS = ['QR', 'WEB_REDIRECT', 'NATIVE_REDIRECT'];

export function customerByPersonalQr(
  ctx: EmulatorContext,
  personalQr: string,
): SimulatedCustomer | undefined {
  if (!personalQr.startsWith(PERSONAL_QR_PREFIX)) return undefined;
  const customer = ctx.state.customers.get(personalQr.slice(PERSONAL_QR_PREFIX.length));
  return customer?.personalQr === personalQr ? customer : undefined;
}

function customerView(ctx: EmulatorContext, c: SimulatedCustomer): Record<string, unknown> {
  return {
    customerId: c.customerId,
    personalQr: c.personalQr,
    behavior: c.behavior,
    createdAt: new Date(c.createdAt).toISOString(),
    payments: [...ctx.state.payments.values()]
      .filter((p) => p.customerId === c.customerId)
      .map((p) => ({ msn: p.msn, reference: p.reference, userFlow: p.userFlow, state: p.state })),
  };
}

function notFound(res: Response, code: string, detail: string): void {
  sendProblem(res, { status: 404, code, title: 'Not found', detail });
}

function conflict(res: Response, code: string, detail: string): void {
  sendProblem(res, { status: 409, code, title: 'The payment cannot be scanned', detail });
}

export function customersRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.post(`${BASE}/customers`, (req, res) => {
    const body: unknown = req.body ?? {};
    if (!isObject(body)) return invalid(res, 'the body must be a JSON object');
    const unknown = unknownFields(body, ['behavior']);
    if (unknown) return invalid(res, unknown);
    const behavior = parseBehavior(body['behavior']);
    if (typeof behavior === 'string') return invalid(res, behavior);
    const customerId = `c_${randomBytes(8).toString('hex')}`;
    const customer: SimulatedCustomer = {
      customerId,
      personalQr: `${PERSONAL_QR_PREFIX}${customerId}`,
      behavior: behavior ?? { action: 'approve' },
      createdAt: ctx.clock.now().getTime(),
    };
    ctx.state.customers.set(customerId, customer);
    res.status(201).json(customerView(ctx, customer));
  });

  router.get(`${BASE}/customers/:customerId`, (req, res) => {
    const customer = ctx.state.customers.get(req.params.customerId);
    if (!customer)
      return notFound(res, 'emulator.customer-not-found', `No customer ${req.params.customerId}.`);
    res.json(customerView(ctx, customer));
  });

  router.get(`${BASE}/payments/:reference/request`, (req, res) => {
    const payment = lookup(ctx, res, req.params.reference, req.query['msn']);
    if (payment)
      res.json({
        msn: payment.msn,
        reference: payment.reference,
        request: payment.request ?? null,
        customerId: payment.customerId ?? null,
      });
  });

  router.post(`${BASE}/payments/:reference/scan`, (req, res) => {
    const body: unknown = req.body ?? {};
    if (!isObject(body)) return invalid(res, 'the body must be a JSON object');
    const unknown = unknownFields(body, ['behavior', 'msn', 'customerId']);
    if (unknown) return invalid(res, unknown);
    const behavior = parseBehavior(body['behavior']);
    if (typeof behavior === 'string') return invalid(res, behavior);
    const { msn, customerId } = body;
    let customer: SimulatedCustomer | undefined;
    if (customerId !== undefined) {
      customer = typeof customerId === 'string' ? ctx.state.customers.get(customerId) : undefined;
      if (!customer)
        return notFound(res, 'emulator.customer-not-found', `No customer ${String(customerId)}.`);
    }
    const payment = lookup(ctx, res, req.params.reference, msn);
    if (!payment) return;
    settle(ctx, payment);
    if (!SCANNABLE_FLOWS.includes(payment.userFlow))
      return conflict(
        res,
        'emulator.payment-not-scannable',
        `The payment was made with userFlow ${payment.userFlow}: it is pushed to a customer, there is no QR to scan.`,
      );
    if (payment.state !== 'CREATED')
      return conflict(res, 'emulator.payment-not-waiting', `The payment is ${payment.state}.`);
    if (payment.outcome || payment.customerId !== undefined)
      return conflict(
        res,
        'emulator.payment-already-scanned',
        'Another customer has already scanned this QR.',
      );
    payment.customerId = customer?.customerId ?? `c_anonymous_${randomBytes(4).toString('hex')}`;
    actOn(ctx, payment, behavior ?? customer?.behavior ?? { action: 'approve' });
    res.status(200).json({ ...ledgerView(ctx, payment), customerId: payment.customerId });
  });

  return router;
}
