// Idempotency-Keys of settlement operations (vipps-protocol.md §6.6: max 50 characters). The first capture and
// the cancel use the session's own keys, so a call the session already sent is the same operation when the
// settlement repeats it: Vipps answers with the first result instead of charging or releasing twice.
import { sha256Hex } from '../hash';
import { idempotencyKey } from '../sessions/ids';

function shortHex(sessionId: string): string {
  return idempotencyKey(sessionId, 'capture').slice(3, 27); // the key checks the id; 24 of its 32 hex
}

export function captureKey(sessionId: string): string {
  return idempotencyKey(sessionId, 'capture');
}

export function cancelKey(sessionId: string): string {
  return idempotencyKey(sessionId, 'cancel');
}

/** The 6140 strategy's capture of the whole reservation: a new body, so a new key (47 characters). */
export function captureAllKey(sessionId: string): string {
  return `${idempotencyKey(sessionId, 'capture')}-all`;
}

/** A capture of what is still owed after someone else captured part of it (≤ 42 characters). */
export function captureRestKey(sessionId: string, alreadyCaptured: number): string {
  return `cg-${shortHex(sessionId)}-cap-${alreadyCaptured}`;
}

/** One key per refund id, so a repeated request (same refundId) is one refund at Vipps (43 characters). */
export function refundKey(sessionId: string, refundId: string): string {
  return `cg-${shortHex(sessionId)}-rf-${sha256Hex(refundId).slice(0, 12)}`;
}
