// Every problem the controller API answers, by stable code (documented in docs/controller-api.openapi.yaml).
import type { Response } from 'express';
import { sendProblem } from '../http/problem';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

const PROBLEMS = {
  missing_token: { status: 401, title: 'A bearer token is required' },
  invalid_token: { status: 401, title: 'The bearer token is not valid' },
  token_expired: { status: 401, title: 'The bearer token has expired' },
  token_lifetime_too_long: { status: 401, title: 'The bearer token lives too long' },
  rate_limited: {
    status: 429,
    title: 'Too many failed controller authentications from this address; retry later',
  },
  lane_forbidden: { status: 403, title: 'The token does not grant access to this lane' },
  unknown_lane: { status: 404, title: 'No such lane' },
  unknown_session: { status: 404, title: 'No such session' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  sale_not_supported: { status: 409, title: 'Sales are for self-checkout lanes' },
  sale_conflict: { status: 409, title: 'Another sale is open on this lane' },
  sale_finished: { status: 409, title: 'The sale is already paid' },
  session_finished: { status: 409, title: 'The session has already finished' },
  invalid_body: { status: 422, title: 'The request body is invalid' },
  amount_exceeds_authorized: { status: 422, title: 'The amount exceeds what was authorized' },
  dispense_window_closed: {
    status: 409,
    title: 'The dispense window has closed; the reservation is being released',
  },
  // POST /v1/lanes/{laneId}/sessions (issue 16): a session started by pairing.
  invalid_attempt_id: { status: 422, title: 'The attemptId is not valid' },
  invalid_personal_qr: { status: 422, title: 'The personal QR is malformed' },
  pairing_not_offered: { status: 409, title: 'The lane does not offer this pairing' },
  lane_disabled: { status: 409, title: 'The lane is disabled' },
  lane_busy: { status: 409, title: 'The lane has a session in progress' },
  attempt_conflict: { status: 409, title: 'The attemptId already started another kind of session' },
  internal_error: { status: 500, title: 'Internal error' },
  store_unavailable: { status: 503, title: 'The store is unavailable; retry later' },
} as const;

export type ControllerProblemCode = keyof typeof PROBLEMS;

/**
 * The 404 detail for a session that does not exist and for one on a lane outside the token's claim: one
 * wording for both, so the two answers are byte-identical and a token cannot probe other lanes' sessions.
 */
export function unknownSessionDetail(sessionId: string): string {
  return `no session ${sessionId} on the token's lanes`;
}

export function sendControllerProblem(
  res: Response,
  code: ControllerProblemCode,
  detail?: string,
  extra: { errors?: readonly FieldError[]; headers?: Record<string, string> } = {},
): void {
  const { status, title } = PROBLEMS[code];
  sendProblem(
    res,
    {
      status,
      code,
      title,
      ...(detail === undefined ? {} : { detail }),
      ...(extra.errors === undefined ? {} : { errors: extra.errors }),
    },
    extra.headers,
  );
}
