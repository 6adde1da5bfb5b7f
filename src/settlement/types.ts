// A payment's settlement (architecture §2 "Settlement: the money after the session"): what the payment still
// owes once its lane session has ended for the customer, worked until Vipps confirms every operation. Plain
// JSON data, like the session; amounts are integer minor units, instants ISO-8601 strings.
import type { LaneKind } from '../lanes/lane';
import type { Currency, OperationFailure } from '../sessions/types';

export type SettlementStatus = 'open' | 'settled' | 'needs-attention';
export type SettlementOp = 'capture' | 'cancel' | 'refund';

/**
 * How the sold amount is captured. `partial`: capture what was sold, cancel the rest (the default). After
 * Vipps answers 6140 (partial capture not allowed for the sales unit), `capture-all`: capture the whole
 * reservation and refund the difference at once (docs/money.md "6140").
 */
export type CaptureStrategy = 'partial' | 'capture-all';

export interface SettlementRefund {
  /** The caller's id (controller `refundId`, CLI's generated one) or `partial-capture` for the 6140 strategy. */
  readonly id: string;
  readonly amount: number;
  readonly reason: string | null;
  readonly kind: 'refund' | 'partial-capture';
  /** Who asked: `controller:<laneId>`, `operator:<label>`, or `gateway`. */
  readonly requestedBy: string;
  readonly requestedAt: string;
  /** When Vipps's aggregate first showed it; null while owed. */
  readonly confirmedAt: string | null;
}

/** Vipps's answer about the payment, as last seen. `NOT_FOUND`: Vipps has no such payment (404). */
export interface Observed {
  readonly state: string;
  readonly authorized: number;
  readonly captured: number;
  readonly cancelled: number;
  readonly refunded: number;
  readonly at: string;
}

/** An operation Vipps refused (a 4xx that is not "try again"): the next read decides whether it stands. */
export interface Refusal {
  readonly op: SettlementOp;
  /** The refused call's Idempotency-Key: only that same call counts as refused again (another refund does not). */
  readonly key: string | null;
  readonly code: string | null;
  readonly status: number | null;
}

export interface Settlement {
  readonly reference: string;
  readonly sessionId: string;
  readonly laneId: string;
  readonly msn: string;
  readonly kind: LaneKind;
  readonly currency: Currency;
  /** When the payment was created (its session began): Vipps's time limits count from here. */
  readonly paymentCreatedAt: string;
  /** What was dispensed (vending) or sold (self-checkout): what the customer must end up paying. */
  readonly soldValue: number;
  /** What must end captured at Vipps: soldValue, or the whole reservation under `capture-all`. */
  readonly captureTarget: number;
  readonly strategy: CaptureStrategy;
  readonly refunds: readonly SettlementRefund[];
  readonly status: SettlementStatus;
  /** Why it needs attention (stable words, e.g. `capture-refused:4010`, `cancel-deadline-passed`). */
  readonly reason: string | null;
  readonly observed: Observed | null;
  readonly refusal: Refusal | null;
  /** Consecutive failed attempts since the last progress; drives the backoff. */
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic concurrency, as for sessions. */
  readonly version: number;
}

/** One Vipps call a settlement asks for; keys are derived (keys.ts) so a repeat is the same operation. */
export type SettlementCall =
  | { readonly call: 'get' }
  | { readonly call: 'capture'; readonly amount: number; readonly idempotencyKey: string }
  | { readonly call: 'cancel'; readonly idempotencyKey: string }
  | {
      readonly call: 'refund';
      readonly amount: number;
      readonly idempotencyKey: string;
      readonly refundId: string;
    };

/** What came back from a call. */
export type SettlementInput =
  | { readonly type: 'read'; readonly observed: Observed }
  | { readonly type: 'read-failed'; readonly failure: OperationFailure }
  | { readonly type: 'op-done'; readonly op: SettlementOp; readonly observed: Observed }
  | {
      readonly type: 'op-failed';
      readonly op: SettlementOp;
      readonly idempotencyKey?: string;
      readonly failure: OperationFailure;
    };

export interface SettlementLog {
  readonly level: 'info' | 'warn' | 'error';
  readonly event: string;
  readonly fields: Readonly<Record<string, string | number | null>>;
}

export interface SettlementStep {
  readonly settlement: Settlement;
  /** The next call to make now, or null: the settlement waits for `nextAttemptAt` or is final. */
  readonly next: SettlementCall | null;
  readonly logs: readonly SettlementLog[];
  /** Customer refunds this step saw confirmed by Vipps (each is told to the lane once). */
  readonly confirmedRefunds: readonly SettlementRefund[];
}
