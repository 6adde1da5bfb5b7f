// Lane messages (architecture §5): what the gateway tells a lane's controller. Versioned with `v`; a
// breaking change gets a new `v`, additions do not. Messages never carry the customer token.
import { laneMessageId } from './ids';
import type { CancelReason, DropReason, FailureReason, Money, Session } from './types';

export const LANE_MESSAGE_VERSION = 1;

export interface LaneMessageData {
  'session.checked-in': { readonly kind: Session['kind']; readonly awaitingSale: boolean };
  'session.payment-requested': { readonly amount: Money; readonly orderId: string | null };
  /**
   * screen-qr (issue 16): show this dynamic QR on the customer-facing screen until expiresAt (the customer's time
   * to scan and approve). `qrFormat` is the image's ePayment format (IMAGE/SVG+XML, IMAGE/PNG).
   */
  'session.qr-ready': { readonly qrImageUrl: string; readonly qrFormat: string; readonly expiresAt: string };
  /**
   * vending: "you may dispense up to maxAmount" until dispenseBy; the report must not exceed it, and one after
   * dispenseBy is refused (409 dispense_window_closed) because the reservation is being released.
   */
  'session.authorized': { readonly maxAmount: Money; readonly dispenseBy: string };
  /**
   * self-checkout: paid; release the goods / open the gate. `settlement: pending` when the capture is still
   * being confirmed with Vipps (the amount is reserved for the merchant; the settlement captures it).
   */
  'session.paid': {
    readonly amount: Money;
    readonly orderId: string | null;
    readonly settlement: SettlementView;
  };
  /** vending: what the customer pays and what of the reservation is given back (confirmed when settled). */
  'session.completed': {
    readonly capturedAmount: Money;
    readonly cancelledAmount: Money;
    readonly settlement: SettlementView;
  };
  /** A refund Vipps confirmed (controller or operator asked for it after the session). */
  'session.refunded': {
    readonly refundId: string;
    readonly amount: Money;
    readonly refundedAmount: Money;
    readonly reason: string | null;
  };
  'session.cancelled': { readonly reason: CancelReason; readonly orderId: string | null };
  'session.failed': { readonly reason: FailureReason; readonly orderId: string | null };
  'session.dropped': { readonly reason: DropReason };
}

export type LaneMessageType = keyof LaneMessageData;

/** `settled`: Vipps confirmed every amount; `pending`: the payment's settlement is still working on it. */
export type SettlementView = 'settled' | 'pending';

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
  /** A step name other than the type's, for a type a session may send more than once (refunds). */
  step: string = type.slice('session.'.length),
): LaneMessage {
  return {
    id: laneMessageId(session.id, step),
    v: LANE_MESSAGE_VERSION,
    type,
    laneId: session.laneId,
    sessionId: session.id,
    at: now.toISOString(),
    data,
  } as LaneMessage;
}
