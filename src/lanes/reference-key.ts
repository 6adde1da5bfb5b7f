// ePayment references name their lane so that an `epayments.payment.*.v1` event, which carries only the
// reference, maps back to a lane in O(1) (architecture §1). A reference is `cg` + laneRefKey(laneId) + `-` +
// a session hash; references allow only [a-zA-Z0-9-] and 8–50 characters (vipps-protocol §6.1), so the
// lane id itself (which may contain `_`, up to 64 chars) cannot be embedded and a short hash is used.
import { sha256Hex } from '../hash';

const REFERENCE_LANE = /^cg([0-9a-f]{12})-/;

/** The first 12 lowercase hex characters of sha256(laneId). Collisions are rejected when lanes load. */
export function laneRefKey(laneId: string): string {
  return sha256Hex(laneId).slice(0, 12);
}

/** `cg<refKey>-`: the start of every ePayment reference the worker builds for this lane (15 characters). */
export function laneReferencePrefix(laneId: string): string {
  return `cg${laneRefKey(laneId)}-`;
}

/** The lane ref key inside a reference built by this gateway, or undefined for any other reference. */
export function refKeyOfReference(reference: string): string | undefined {
  return REFERENCE_LANE.exec(reference)?.[1];
}
