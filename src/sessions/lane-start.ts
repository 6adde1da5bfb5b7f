// Starting a lane session by pairing (issue 16): a controller (screen-qr, personal-qr) or the pay page
// (redirect-qr) asks for a session instead of waiting for a check-in.
//
// FOR THE PAY PAGE (helper H): call
//   startLaneSession(deps, laneId, { attemptId, pairing: 'redirect-qr', returnUrl })
// and send the browser to `result.redirectUrl` when `result.status` is 'created' or 'existing'; a 'problem'
// result carries a stable code (lane_busy, pairing_not_offered, …) and a detail to show.
//
// Design: the service checks what it can at once (lane, pairing offered, attemptId, personal QR, lane busy) so
// a refusal queues and charges nothing, then queues a `lane-start` job in the lane's group (its inputs stay in
// order with check-ins and Vipps events, and the worker does the ePayment create with the derived
// Idempotency-Key, as for a check-in). The caller needs the create's answer (the page its redirectUrl, the
// controller the session's fate), so the service then waits, bounded, for the worker to have created the
// payment or ended the session, reading the store. A start that lost a race for the lane ends `dropped: busy`
// in the worker and is answered lane_busy here. The same attemptId again is the same session (derived id,
// deduplicated job): answered 'existing', one payment.
import type { Clock } from '../clock';
import { lanePairings, type LaneRegistry } from '../lanes/lane';
import type { Queue } from '../queue/queue';
import { loadLaneView } from '../store/lane-view-repo';
import { loadSession } from '../store/sessions-repo';
import type { Sql } from '../store/sql';
import type { QrFormat } from '../vipps/epayment';
import { ATTEMPT_ID_PATTERN, sessionIdForAttempt } from './ids';
import { laneStartJob } from './job-inputs';
import { isActive, isFinalState } from './session-state';
import type { Session, StartPairing } from './types';

export interface LaneStartDeps {
  readonly db: Sql;
  readonly queue: Pick<Queue, 'enqueue'>;
  readonly lanes: () => LaneRegistry;
  readonly clock: Clock;
  /** How long to wait for the worker's create; default 10 s. The answer then says where the session is. */
  readonly waitMs?: number;
  /** Between store reads while waiting; default 25 ms. */
  readonly pollMs?: number;
}

export interface LaneStartRequest {
  readonly attemptId: string;
  readonly pairing: StartPairing;
  /** personal-qr: the full content of the customer's scanned personal QR. */
  readonly personalQr?: string;
  /** redirect-qr: where Vipps returns the customer (the pay page's result page). */
  readonly returnUrl?: string;
  /** screen-qr: the image to ask for; default IMAGE/SVG+XML. */
  readonly qrFormat?: QrFormat;
}

export type LaneStartProblem =
  | 'unknown_lane'
  | 'invalid_attempt_id'
  | 'lane_disabled'
  | 'pairing_not_offered'
  | 'invalid_personal_qr'
  | 'lane_busy'
  /** The attemptId was already used for another pairing on this lane. */
  | 'attempt_conflict';

export type LaneStartResult =
  | {
      readonly status: 'created' | 'existing';
      readonly sessionId: string;
      /** The session as the worker left it; null if the wait ran out before the worker took the job. */
      readonly session: Session | null;
      /** redirect-qr: the Vipps payment page; screen-qr: the QR image (also sent as session.qr-ready). */
      readonly redirectUrl?: string;
    }
  | { readonly status: 'problem'; readonly problem: LaneStartProblem; readonly detail: string };

// ePayment's 5–255 characters; a scanner's line ending or control character means a misread, not a QR.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const PERSONAL_QR = /^[^\u0000-\u001f\u007f]{5,255}$/;

const problem = (p: LaneStartProblem, detail: string): LaneStartResult => ({
  status: 'problem',
  problem: p,
  detail,
});

/** The checks that need no store: a refusal here has queued nothing. */
function refusal(deps: LaneStartDeps, laneId: string, req: LaneStartRequest): LaneStartResult | undefined {
  const lane = deps.lanes().byId(laneId);
  if (!lane) return problem('unknown_lane', `no lane ${laneId} in the lanes file`);
  if (typeof req.attemptId !== 'string' || !ATTEMPT_ID_PATTERN.test(req.attemptId))
    return problem('invalid_attempt_id', 'attemptId must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  if (!lanePairings(lane).includes(req.pairing))
    return problem(
      'pairing_not_offered',
      `lane ${laneId} does not offer ${req.pairing} (it offers ${lanePairings(lane).join(', ')})`,
    );
  if (!lane.enabled) return problem('lane_disabled', `lane ${laneId} is disabled in the lanes file`);
  if (
    req.pairing === 'personal-qr' &&
    (typeof req.personalQr !== 'string' || !PERSONAL_QR.test(req.personalQr))
  )
    return problem(
      'invalid_personal_qr',
      'personalQr must be the full content of the scanned code: 5-255 characters without control characters',
    );
  return undefined;
}

export async function startLaneSession(
  deps: LaneStartDeps,
  laneId: string,
  req: LaneStartRequest,
): Promise<LaneStartResult> {
  const refused = refusal(deps, laneId, req);
  if (refused) return refused;
  const sessionId = sessionIdForAttempt(laneId, req.attemptId);
  const stored = await loadSession(deps.db, sessionId);
  if (stored) {
    if ((stored.pairing ?? 'callback-qr') !== req.pairing)
      return problem(
        'attempt_conflict',
        `attemptId ${req.attemptId} already started a ${stored.pairing ?? 'callback-qr'} session on lane ${laneId}`,
      );
    return answer(deps, 'existing', sessionId);
  }
  const { activeSession } = await loadLaneView(deps.db, { by: 'none' }, laneId);
  if (activeSession && isActive(activeSession))
    return problem('lane_busy', `lane ${laneId} has a session in progress; try again when it has ended`);
  const queued = await deps.queue.enqueue(
    laneStartJob({
      sessionId,
      laneId,
      attemptId: req.attemptId,
      pairing: req.pairing,
      requestedAt: deps.clock.now().toISOString(),
      ...(req.personalQr === undefined || req.pairing !== 'personal-qr'
        ? {}
        : { personalQr: req.personalQr }),
      ...(req.returnUrl === undefined ? {} : { returnUrl: req.returnUrl }),
      ...(req.qrFormat === undefined ? {} : { qrFormat: req.qrFormat }),
    }),
  );
  return answer(deps, queued.duplicate ? 'existing' : 'created', sessionId);
}

/** Waits (bounded) for the worker's create or the session's end, then says how the start went. */
async function answer(
  deps: LaneStartDeps,
  status: 'created' | 'existing',
  sessionId: string,
): Promise<LaneStartResult> {
  const session = await settled(deps, sessionId);
  if (session?.state === 'dropped' && session.reason === 'busy')
    return problem(
      'lane_busy',
      `lane ${session.laneId} has a session in progress; try again when it has ended`,
    );
  if (session?.state === 'dropped' && session.reason === 'disabled')
    return problem(
      'pairing_not_offered',
      `lane ${session.laneId} no longer offers ${session.pairing ?? 'it'}`,
    );
  return {
    status,
    sessionId,
    session,
    ...(session?.redirectUrl === undefined ? {} : { redirectUrl: session.redirectUrl }),
  };
}

/** The session once the create answered (or was not needed yet), or as it is when the wait runs out. */
async function settled(deps: LaneStartDeps, sessionId: string): Promise<Session | null> {
  const until = Date.now() + (deps.waitMs ?? 10_000);
  for (;;) {
    const session = await loadSession(deps.db, sessionId);
    if (session && isSettled(session)) return session;
    if (Date.now() >= until) return session;
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 25));
  }
}

function isSettled(s: Session): boolean {
  if (isFinalState(s.state) || s.state === 'awaiting-sale') return true;
  if (s.state !== 'payment-requested') return true;
  // QR and redirect flows need the create's URL; a push needs only the payment to exist.
  const wantsUrl = s.pairing === 'screen-qr' || s.pairing === 'redirect-qr';
  return wantsUrl ? s.redirectUrl !== undefined : s.paymentCreated;
}
