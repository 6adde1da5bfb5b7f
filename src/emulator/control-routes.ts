// The emulator's own control API under /emulator/v1/ (paths are a contract): simulate scans, inspect and adjust
// payments (control-payments.ts), set sales-unit rules (control-merchants.ts), list webhook deliveries, inject
// faults (fault-body.ts), reset. Not part of Vipps; errors use the gateway's problem+json shape.
import express, { type Request, type Response, type Router } from 'express';
import { sendProblem } from '../http/problem';
import type { EmulatorContext } from './context';
import { merchantsControlRouter } from './control-merchants';
import { paymentsControlRouter } from './control-payments';
import { invalid } from './control-problem';
import { landingRouter } from './landing-page';
import { parseControllerBehavior } from './controller-behavior';
import { FAULT_OPERATIONS, faultView, parseFault } from './fault-body';
import { seededRandom } from './faults';
import { simulateScan, UnknownQrError } from './scans';
import type { SimulatedController } from './simulated-controller';
import { faultKey, resetState, type EpaymentOperation } from './state';
import { parseBehavior } from './customer-behavior';
import { customersRouter } from './customers';
import { oneTimeQrRouter } from './one-time-qr';
import { paymentQrImageRouter } from './payment-qr';

const BASE = '/emulator/v1';

export interface ControlHooks {
  /** Drops queued deliveries when the state is reset. */
  readonly onReset: () => void;
}

export function controlRouter(ctx: EmulatorContext, hooks: ControlHooks): Router {
  const router = express.Router();
  router.use(BASE, express.json({ limit: '10kb' }));

  router.post(`${BASE}/scans`, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { msn, merchantQrId } = body;
    if (typeof msn !== 'string' || msn === '') return invalid(res, 'msn must be a non-empty string');
    if (typeof merchantQrId !== 'string' || merchantQrId === '')
      return invalid(res, 'merchantQrId must be a non-empty string');
    const behavior = parseBehavior(body['behavior']);
    if (typeof behavior === 'string') return invalid(res, behavior);
    try {
      const result = simulateScan(ctx, { msn, merchantQrId, ...(behavior ? { behavior } : {}) });
      res.status(201).json(result);
    } catch (err) {
      if (!(err instanceof UnknownQrError)) throw err;
      sendProblem(res, { status: 404, code: err.code, title: 'Unknown QR', detail: err.message });
    }
  });

  // Issue 16: simulated customers with personal QRs and scans of a payment's dynamic QR (customers.ts), the QR
  // API's one-time payment QR (one-time-qr.ts) and the images of ePayment QR payments (payment-qr.ts).
  router.use(customersRouter(ctx));
  router.use(oneTimeQrRouter(ctx));
  router.use(paymentQrImageRouter(ctx));
  router.use(paymentsControlRouter(ctx));
  router.use(merchantsControlRouter(ctx));

  router.get(`${BASE}/deliveries`, (req, res) => {
    const { event, reference } = req.query;
    const deliveries = ctx.state.deliveries.filter(
      (d) =>
        (event === undefined || d.event === event) && (reference === undefined || d.reference === reference),
    );
    res.json({ deliveries });
  });

  router.get(`${BASE}/faults`, (_req, res) => {
    res.json({ faults: [...ctx.state.faults.values()].map(faultView) });
  });

  router.post(`${BASE}/faults`, (req, res) => {
    const parsed = parseFault(req.body);
    if ('errors' in parsed) return invalid(res, parsed.errors.join('; '));
    if (parsed.seed !== undefined) ctx.random = seededRandom(parsed.seed);
    ctx.state.faults.set(faultKey(parsed.fault.api, parsed.fault.operation), parsed.fault);
    res.status(201).json({ faults: [...ctx.state.faults.values()].map(faultView) });
  });

  // ?api=X removes every fault of X (API-wide and per operation); ?operation=Y only the epayment/Y one.
  router.delete(`${BASE}/faults`, (req, res) => {
    const { api, operation } = req.query;
    const faults = ctx.state.faults;
    if (operation !== undefined) {
      if (typeof operation !== 'string' || !FAULT_OPERATIONS.includes(operation as EpaymentOperation))
        return invalid(res, `operation must be one of ${FAULT_OPERATIONS.join(', ')}`);
      if (api !== undefined && api !== 'epayment')
        return invalid(res, 'operation is for the epayment API: give api epayment or omit it');
      faults.delete(faultKey('epayment', operation as EpaymentOperation));
    } else if (typeof api === 'string') {
      for (const [key, fault] of faults) if (fault.api === api) faults.delete(key);
    } else faults.clear();
    res.status(204).end();
  });

  router.post(`${BASE}/reset`, (_req, res) => {
    resetState(ctx.state);
    hooks.onReset();
    res.status(204).end();
  });

  // Where redirect flows send the customer: a page with Approve / Reject (landing-page.ts).
  router.use(landingRouter(ctx));

  router.use(BASE, (err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const parseError =
      typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
    if (!parseError) ctx.logger.error('emulator: control API error', { error: err });
    sendProblem(res, {
      status: parseError ? 400 : 500,
      code: parseError ? 'emulator.invalid-json' : 'emulator.internal',
      title: parseError ? 'The request body is not valid JSON' : 'Internal error',
    });
  });
  return router;
}

const LANE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The sandbox's simulated lane controller (simulated-controller.ts), added to the control API when the gateway
 * runs the emulator in-process: `PUT /emulator/v1/controllers/{laneId}` sets how the lane dispenses,
 * `GET …/{laneId}` shows that and the dispense reports made, `GET …/{laneId}/messages` the lane messages
 * received, in order. Mounted beside `controlRouter` on the emulator's app; errors use the same problem shape.
 */
export function controllersRouter(
  controller: Pick<SimulatedController, 'behavior' | 'setBehavior' | 'messages' | 'reports'>,
): Router {
  const router = express.Router();
  const path = `${BASE}/controllers/:laneId`;
  router.use(`${BASE}/controllers`, express.json({ limit: '10kb' }));
  const laneIdOf = (req: Request, res: Response): string | undefined => {
    const laneId = String(req.params['laneId']);
    if (LANE_ID.test(laneId)) return laneId;
    invalid(res, 'laneId must be 1-64 characters of A-Z a-z 0-9 _ -');
    return undefined;
  };

  router.put(path, (req, res) => {
    const laneId = laneIdOf(req, res);
    if (laneId === undefined) return;
    const parsed = parseControllerBehavior(req.body);
    if ('errors' in parsed) return invalid(res, parsed.errors.join('; '));
    controller.setBehavior(laneId, parsed);
    res.json({ laneId, ...controller.behavior(laneId) });
  });

  router.get(path, (req, res) => {
    const laneId = laneIdOf(req, res);
    if (laneId === undefined) return;
    res.json({ laneId, ...controller.behavior(laneId), reports: controller.reports(laneId) });
  });

  router.get(`${path}/messages`, (req, res) => {
    const laneId = laneIdOf(req, res);
    if (laneId === undefined) return;
    res.json({ laneId, messages: controller.messages(laneId) });
  });

  router.use(
    `${BASE}/controllers`,
    (err: unknown, _req: Request, res: Response, next: express.NextFunction) => {
      const parseError =
        typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
      if (!parseError || res.headersSent) return next(err);
      sendProblem(res, {
        status: 400,
        code: 'emulator.invalid-json',
        title: 'The request body is not valid JSON',
      });
    },
  );
  return router;
}
