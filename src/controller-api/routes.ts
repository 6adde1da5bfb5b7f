// The controller API (docs/controller-api.openapi.yaml): open/cancel a sale on a self-checkout lane, report a
// vending dispense result, read a lane's status. Order of checks: token (401, 429 past the failed-auth limit) →
// JSON parsing (400/413) → lane scope (403, before existence so a token cannot probe other lanes) → lane exists
// (404) → body fields (422) → service (409). A session on another lane answers exactly as one that does not
// exist (404), and no answer names a lane the caller did not give (issue 13). A store that cannot be reached is 503 with Retry-After, anything unexpected 500.
// Parsers and auth are mounted per route, never router-wide, so this router cannot touch other routes' bodies
// (the Vipps webhook needs its raw bytes).
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../log';
import type { Lane, LaneRegistry } from '../lanes/lane';
import { mayAccessLane, type ControllerTokenPolicy } from './auth';
import { controllerPrincipal, requireControllerToken } from './auth-middleware';
import { createControllerAuthLimiter } from './controller-auth-limiter';
import type { Store } from 'express-rate-limit';
import { validateDispense, validateSale } from './body-validation';
import { ControllerServiceError, type ControllerService, type Sale } from './controller-service';
import { isStoreUnavailable } from '../store/unavailable';
import {
  sendControllerProblem,
  unknownSessionDetail,
  type ControllerProblemCode,
  type FieldError,
} from './problems';
import { addRefundRoute, type RefundDeps } from './refund-route';
import { addLaneSessionsRoute } from './lane-sessions-route';

export interface ControllerRouterDeps {
  readonly service: ControllerService;
  /** Refunds after capture (POST /v1/sessions/{id}/refund); absent = the route is not offered. */
  readonly refund?: RefundDeps['refund'];
  /** The current lane registry (swapped on reload). */
  readonly lanes: () => LaneRegistry;
  readonly auth: ControllerTokenPolicy;
  /** CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN: failed authentications per IP per window before 429 (default 30). */
  readonly failedAuthLimitPerMin?: number;
  /** Window of that limit in ms; default one minute. */
  readonly failedAuthWindowMs?: number;
  /** Shared store for the limit across instances; default in-memory, per process. */
  readonly failedAuthStore?: Store;
  readonly logger?: Logger;
}

/** CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN's default, the same as the webhook route's. */
export const DEFAULT_CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN = 30;

/** What a 503 asks the controller to wait before trying again. */
const STORE_RETRY_AFTER_S = 5;

const SERVICE_PROBLEM: Record<ControllerServiceError['code'], ControllerProblemCode> = {
  sale_conflict: 'sale_conflict',
  sale_finished: 'sale_finished',
  unknown_session: 'unknown_session',
  session_finished: 'session_finished',
  amount_exceeds_authorized: 'amount_exceeds_authorized',
  dispense_window_closed: 'dispense_window_closed',
  invalid_amount: 'invalid_body',
};

/** 422 invalid_body: every offending field, and a detail that says it in one line. */
function sendInvalidBody(res: Response, errors: readonly FieldError[]): void {
  const detail = errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`)).join('; ');
  sendControllerProblem(res, 'invalid_body', detail, { errors });
}

export function createControllerRouter(deps: ControllerRouterDeps): Router {
  const router = Router();
  const limiter = createControllerAuthLimiter({
    limit: deps.failedAuthLimitPerMin ?? DEFAULT_CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN,
    ...(deps.failedAuthWindowMs === undefined ? {} : { windowMs: deps.failedAuthWindowMs }),
    ...(deps.failedAuthStore ? { store: deps.failedAuthStore } : {}),
  });
  const auth = requireControllerToken(deps.auth, limiter);
  const json = express.json({ limit: '16kb' });

  /** The lane named in the path, if the token may see it and it exists; otherwise answers and returns undefined. */
  function laneInScope(req: Request, res: Response): Lane | undefined {
    const laneId = String(req.params.laneId);
    if (!mayAccessLane(controllerPrincipal(res), laneId)) {
      sendControllerProblem(res, 'lane_forbidden', `the token's lanes claim does not include ${laneId}`);
      return undefined;
    }
    const lane = deps.lanes().byId(laneId);
    if (!lane) sendControllerProblem(res, 'unknown_lane', `no lane ${laneId} in the lanes file`);
    return lane;
  }

  function selfCheckout(lane: Lane, res: Response): boolean {
    if (lane.kind === 'self-checkout') return true;
    sendControllerProblem(res, 'sale_not_supported', `lane ${lane.id} is a ${lane.kind} lane`);
    return false;
  }

  router.post('/v1/lanes/:laneId/sale', auth, json, async (req, res) => {
    const lane = laneInScope(req, res);
    if (!lane || !selfCheckout(lane, res)) return;
    const body = validateSale(req.body, lane);
    if (!body.ok) return sendInvalidBody(res, body.errors);
    const { status, sale } = await deps.service.openSale(lane.id, body.value);
    res.status(status === 'opened' ? 201 : 200).json(saleJson(sale));
  });

  router.delete('/v1/lanes/:laneId/sale', auth, async (req, res) => {
    const lane = laneInScope(req, res);
    if (!lane || !selfCheckout(lane, res)) return;
    await deps.service.cancelSale(lane.id);
    res.status(204).end();
  });

  router.post('/v1/sessions/:sessionId/dispense', auth, json, async (req, res) => {
    const sessionId = String(req.params.sessionId);
    const laneId = await deps.service.sessionLane(sessionId);
    // The same answer for another lane's session as for none (as the refund route), so a lane's token can
    // neither learn that a session exists nor which lane it is on.
    if (laneId === undefined || !mayAccessLane(controllerPrincipal(res), laneId))
      return sendControllerProblem(res, 'unknown_session', unknownSessionDetail(sessionId));
    const body = validateDispense(req.body);
    if (!body.ok) return sendInvalidBody(res, body.errors);
    const { status } = await deps.service.reportDispense(sessionId, body.value);
    res.status(202).json({ sessionId, status });
  });

  // Sessions started by pairing (screen-qr, personal-qr; issue 16), when the service offers them.
  const { service } = deps;
  if (service.startSession)
    // Looked up per request, as the other routes call the service.
    addLaneSessionsRoute(router, auth, json, laneInScope, (laneId, req) => {
      const start = service.startSession as NonNullable<ControllerService['startSession']>;
      return start.call(service, laneId, req);
    });

  const { refund } = deps;
  if (refund)
    addRefundRoute(router, auth, json, { sessionLane: (id) => deps.service.sessionLane(id), refund });

  router.get('/v1/lanes/:laneId', auth, async (req, res) => {
    const lane = laneInScope(req, res);
    if (!lane) return;
    const status = await deps.service.laneStatus(lane.id);
    res.json({
      laneId: lane.id,
      kind: lane.kind,
      enabled: lane.enabled,
      currency: lane.currency,
      currentSession: status.currentSession,
      openSale: status.openSale === null ? null : saleJson(status.openSale),
      lastSeenAt: status.lastSeenAt,
      recentOutcomes: status.recentOutcomes,
    });
  });

  // Scoped to this API's paths so errors from other routers are not answered here.
  router.use(
    ['/v1/lanes', '/v1/sessions'],
    (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(err);
      if (err instanceof ControllerServiceError) {
        if (err.code === 'invalid_amount')
          return sendInvalidBody(res, [{ field: 'amount', message: err.detail }]);
        const code = SERVICE_PROBLEM[err.code];
        const errors =
          code === 'amount_exceeds_authorized' ? [{ field: 'amount', message: err.detail }] : undefined;
        return sendControllerProblem(res, code, err.detail, errors ? { errors } : {});
      }
      const parserError = err as { type?: unknown; status?: unknown };
      if (parserError.type === 'entity.parse.failed') return sendControllerProblem(res, 'invalid_json');
      if (parserError.status === 413) return sendControllerProblem(res, 'payload_too_large', 'at most 16 kB');
      if (isStoreUnavailable(err)) {
        // Nothing was decided: the controller may send the same request again (sales are idempotent on
        // orderId, dispense reports on the session).
        deps.logger?.warn('controller API: the store is unavailable', { method: req.method, path: req.path });
        return sendControllerProblem(res, 'store_unavailable', undefined, {
          headers: { 'Retry-After': String(STORE_RETRY_AFTER_S) },
        });
      }
      deps.logger?.error('controller API request failed', { err, method: req.method, path: req.path });
      sendControllerProblem(res, 'internal_error');
    },
  );

  return router;
}

function saleJson(sale: Sale): Record<string, unknown> {
  return {
    laneId: sale.laneId,
    orderId: sale.orderId,
    amount: sale.amount,
    currency: sale.currency,
    description: sale.description,
    openedAt: sale.openedAt,
    sessionId: sale.sessionId ?? null,
  };
}
