// Lane messages (architecture §5): what the gateway tells a lane's controller. Versioned with `v`; a
// breaking change gets a new `v`, additions do not. Messages never carry the customer token.
import { laneMessageId } from './ids';
import type { CancelReason, DropReason, FailureReason, Money, Session } from './types';

export const LANE_MESSAGE_VERSION = 1;

export interface LaneMessageData {
  'session.checked-in': { readonly kind: Session['kind']; readonly awaitingSale: boolean };
  'session.payment-requested': { readonly amount: Money; readonly orderId: string | null };
  /** vending: "you may dispense up to maxAmount"; the report must not exceed it. */
  'session.authorized': { readonly maxAmount: Money };
  /** self-checkout: captured in full; release the goods / open the gate. */
  'session.paid': { readonly amount: Money; readonly orderId: string | null };
  /** vending: what the customer paid and what of the reservation was given back. */
  'session.completed': { readonly capturedAmount: Money; readonly cancelledAmount: Money };
  'session.cancelled': { readonly reason: CancelReason; readonly orderId: string | null };
  'session.failed': { readonly reason: FailureReason; readonly orderId: string | null };
  'session.dropped': { readonly reason: DropReason };
}

export type LaneMessageType = keyof LaneMessageData;

/** The messages that end a session: exactly one of them is a session's last. */
const FINAL_TYPES: ReadonlySet<string> = new Set<LaneMessageType>([
  'session.completed',
  'session.paid',
  'session.cancelled',
  'session.failed',
  'session.dropped',
]);

export function isFinalMessageType(type: string): boolean {
  return FINAL_TYPES.has(type);
}

export type LaneMessage = {
  [T in LaneMessageType]: {
    /** `<sessionId>.<step>`: the same message always has the same id, so controllers can dedupe. */
    readonly id: string;
    readonly v: typeof LANE_MESSAGE_VERSION;
    readonly type: T;
    readonly laneId: string;
    readonly sessionId: string;
    readonly at: string;
    readonly data: LaneMessageData[T];
  };
}[LaneMessageType];

export function laneMessage<T extends LaneMessageType>(
  session: Pick<Session, 'id' | 'laneId'>,
  type: T,
  data: LaneMessageData[T],
  now: Date,
): LaneMessage {
  return {
    id: laneMessageId(session.id, type.slice('session.'.length)),
    v: LANE_MESSAGE_VERSION,
    type,
    laneId: session.laneId,
    sessionId: session.id,
    at: now.toISOString(),
    data,
  } as LaneMessage;
}
