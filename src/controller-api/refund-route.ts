// POST /v1/sessions/{sessionId}/refund (docs/controller-api.openapi.yaml): a machine that detects a failed vend
// after capture gives money back. Idempotent on refundId; the amount is at most what the customer paid less
// what was already refunded (422 otherwise). The refund becomes a settlement operation: durable, retried and
// confirmed with Vipps, after which the lane gets `session.refunded`. Checks: token → JSON → the session on
// the token's lanes (404 alike for none and another lane's) → body (422) → refund.
import type { RequestHandler, Router } from 'express';
import { answerRefund } from '../http/refund-answer';
import { REFUND_ID_PATTERN, type RefundResult } from '../settlement/refund-request';
import { mayAccessLane } from './auth';
import { controllerPrincipal } from './auth-middleware';
import { sendControllerProblem, unknownSessionDetail, type FieldError } from './problems';

export interface RefundDeps {
  /** The lane of a session, undefined when there is none. */
  readonly sessionLane: (sessionId: string) => Promise<string | undefined>;
  readonly refund: (
    sessionId: string,
    ask: { refundId: string; amount: number; reason: string | null },
    requestedBy: string,
  ) => Promise<RefundResult>;
}

const REASON_MAX = 200;

export function validateRefund(
  body: unknown,
):
  | { ok: true; value: { refundId: string; amount: number; reason: string | null } }
  | { ok: false; errors: FieldError[] } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : null) as Record<
    string,
    unknown
  > | null;
  if (!b) return { ok: false, errors: [{ field: '', message: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  const { refundId, amount, reason } = b;
  if (typeof refundId !== 'string' || !REFUND_ID_PATTERN.test(refundId))
    errors.push({ field: 'refundId', message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' });
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
    errors.push({ field: 'amount', message: 'must be a positive integer of minor units (øre, cents)' });
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > REASON_MAX))
    errors.push({ field: 'reason', message: `must be a string of at most ${REASON_MAX} characters` });
  for (const key of Object.keys(b))
    if (!['refundId', 'amount', 'reason'].includes(key))
      errors.push({ field: key, message: 'is not allowed' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      refundId: refundId as string,
      amount: amount as number,
      reason: (reason as string | undefined) ?? null,
    },
  };
}

export function addRefundRoute(
  router: Router,
  auth: RequestHandler,
  json: RequestHandler,
  deps: RefundDeps,
): void {
  router.post('/v1/sessions/:sessionId/refund', auth, json, async (req, res) => {
    const sessionId = String(req.params.sessionId);
    const laneId = await deps.sessionLane(sessionId);
    // The same answer for another lane's session as for none, so a lane's token cannot probe the fleet.
    if (laneId === undefined || !mayAccessLane(controllerPrincipal(res), laneId))
      return sendControllerProblem(res, 'unknown_session', unknownSessionDetail(sessionId));
    const body = validateRefund(req.body);
    if (!body.ok) {
      const detail = body.errors
        .map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`))
        .join('; ');
      return sendControllerProblem(res, 'invalid_body', detail, { errors: body.errors });
    }
    const result = await deps.refund(sessionId, body.value, `controller:${laneId}`);
    answerRefund(res, result);
  });
}
