// Derived identifiers (architecture §2): nothing here is random, so a redelivered job or a restarted worker
// computes exactly the same session id, ePayment reference, Idempotency-Keys and lane message ids, and
// Vipps / controllers deduplicate for us.
import { sha256Hex } from '../hash';
// The lanes module owns laneRefKey (it rejects colliding keys when lanes load).
import { laneRefKey } from '../lanes/registry';

export interface CheckinIdentity {
  readonly msn: string;
  readonly merchantQrId: string;
  /** Verbatim from the event (7 fractional digits): re-formatting it would change the id. */
  readonly initiatedAt: string;
  readonly customerToken: string;
}

/** The ePayment operations that take an `Idempotency-Key` (vipps-protocol.md §6). */
export type IdempotentOperation = 'create' | 'capture' | 'cancel' | 'refund';

/** ePayment `reference` rule (vipps-protocol.md §6.1): 8–50 of `[a-zA-Z0-9-]`, the stricter of two readings. */
export const REFERENCE_PATTERN = /^[a-zA-Z0-9-]{8,50}$/;
/** Idempotency-Key: at most 50 characters (§6); we keep to the reference charset so it is safe everywhere. */
export const IDEMPOTENCY_KEY_PATTERN = /^[a-zA-Z0-9-]{1,50}$/;
export const SESSION_ID_PATTERN = /^s_[0-9a-f]{32}$/;

const STEP_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const OPERATIONS: readonly IdempotentOperation[] = ['create', 'capture', 'cancel', 'refund'];

/** A caller passed something that is not one of our ids: a programming error, never customer input. */
export class SessionIdError extends Error {
  readonly code = 'invalid-session-id';
  constructor(message: string) {
    super(message);
    this.name = 'SessionIdError';
  }
}

function hexOf(sessionId: string): string {
  // The value is not echoed: a caller mixing up arguments could be holding a customer token.
  if (!SESSION_ID_PATTERN.test(sessionId))
    throw new SessionIdError(`not a session id (expected s_ + 32 hex, got ${sessionId.length} characters)`);
  return sessionId.slice(2);
}

/**
 * `s_` + 32 hex of sha256(`msn|merchantQrId|initiatedAt|customerToken`). The token makes two scans in the
 * same millisecond distinct; hashing hides it, so the id may be logged.
 */
export function sessionIdFor(checkin: CheckinIdentity): string {
  const material = `${checkin.msn}|${checkin.merchantQrId}|${checkin.initiatedAt}|${checkin.customerToken}`;
  return `s_${sha256Hex(material).slice(0, 32)}`;
}

/**
 * A session started by a controller or the pay page instead of a check-in (issue 16): `s_` + 32 hex of
 * sha256(`start|laneId|attemptId`). The caller's attemptId makes a retried request the same session (and so the
 * same reference and Idempotency-Key: one payment), and the `start|` prefix keeps it apart from check-in ids.
 */
export function sessionIdForAttempt(laneId: string, attemptId: string): string {
  return `s_${sha256Hex(`start|${laneId}|${attemptId}`).slice(0, 32)}`;
}

/** attemptId: what a caller may use, 1–64 of the reference charset plus `_ . :` (never echoed into URLs). */
export const ATTEMPT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** `cg` + laneRefKey + `-` + 24 hex of the session id: 39 characters, matches REFERENCE_PATTERN. */
export function referenceFor(laneId: string, sessionId: string): string {
  return `cg${laneRefKey(laneId)}-${hexOf(sessionId).slice(0, 24)}`;
}

/**
 * `cg-` + 32 hex + `-` + op (≤ 43 chars). A session does one create, at most one capture and at most one
 * cancel, so one key per (session, op) is stable across every retry and redelivery; Vipps answers a
 * repeat with the first result instead of acting twice (vipps-protocol.md §6.6).
 */
export function idempotencyKey(sessionId: string, op: IdempotentOperation): string {
  if (!OPERATIONS.includes(op))
    throw new SessionIdError(`unknown idempotent operation: ${JSON.stringify(op)}`);
  return `cg-${hexOf(sessionId)}-${op}`;
}

/** `<sessionId>.<step>`: each step (e.g. `authorized`) is sent once per session, so controllers dedupe on it. */
export function laneMessageId(sessionId: string, step: string): string {
  hexOf(sessionId);
  if (!STEP_PATTERN.test(step)) throw new SessionIdError(`not a lane message step: ${JSON.stringify(step)}`);
  return `${sessionId}.${step}`;
}

/** Dedup key for a timer job: rescheduling a timer to a new instant makes a new job, a redelivery does not. */
export function timerJobId(sessionId: string, name: string, at: string): string {
  hexOf(sessionId);
  return `${sessionId}.timer.${name}.${Date.parse(at)}`;
}
