// The lane session domain (architecture §2) as plain JSON-serialisable data: the worker stores a Session as
// JSON, feeds Inputs to `step` and executes the Effects it returns. Instants are ISO-8601 strings; amounts
// are integer minor units (øre, cents).
import type { Lane, LaneKind, Pairing } from '../lanes/lane';
import type { PaymentFlow, QrFormat } from '../vipps/epayment';
import type { CheckinIdentity } from './ids';
import type { LaneMessage } from './lane-message';
import type { SessionTiming } from './timing';

export type Currency = Lane['currency'];

export interface Money {
  readonly currency: Currency;
  readonly value: number;
}

/**
 * `capturing` and `cancelling` are the intermediate states the brief allows: the call has been issued and
 * its result is awaited (a retry timer watches it). Self-checkout goes straight from `payment-requested` to
 * `capturing` (it never rests in `authorized`).
 */
export type SessionState =
  | 'awaiting-sale'
  | 'payment-requested'
  | 'authorized'
  | 'capturing'
  | 'cancelling'
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'dropped';

export type FinalState = 'completed' | 'cancelled' | 'failed' | 'dropped';
export const FINAL_STATES: readonly FinalState[] = ['completed', 'cancelled', 'failed', 'dropped'];

export type FailureReason =
  | 'aborted'
  | 'expired'
  | 'terminated'
  | 'invalid-customer-token'
  | 'push-not-allowed'
  | 'rejected'
  | 'create-failed'
  | 'capture-failed';
export type CancelReason =
  'sale-timeout' | 'sale-cancelled' | 'dispense-failed' | 'nothing-dispensed' | 'dispense-timeout';
export type DropReason = 'busy' | 'stale' | 'disabled';
export type SessionReason = FailureReason | CancelReason | DropReason;

export type TimerName = 'poll' | 'payment-deadline' | 'dispense-timeout' | 'sale-wait' | 'retry';

/** How a session ends; the reason's type follows the state. */
export type Ending =
  | { readonly state: 'completed'; readonly reason: null }
  | { readonly state: 'cancelled'; readonly reason: CancelReason }
  | { readonly state: 'failed'; readonly reason: FailureReason }
  | { readonly state: 'dropped'; readonly reason: DropReason };

/** Where a cancel leads once Vipps confirms it (or the cancel turns out to be moot). */
export type CancelPlan = Exclude<Ending, { readonly state: 'dropped' }>;

/** The ePayment call in flight; `attempts` counts executions (first call = 1). */
export type PendingOperation =
  | { readonly op: 'create'; readonly attempts: number }
  | { readonly op: 'capture'; readonly attempts: number; readonly amount: Money }
  | { readonly op: 'cancel'; readonly attempts: number; readonly then: CancelPlan };

export interface SessionSale {
  readonly orderId: string;
  readonly amount: Money;
  readonly description: string | null;
}

export interface Session {
  readonly id: string;
  readonly laneId: string;
  readonly kind: LaneKind;
  readonly state: SessionState;
  readonly msn: string;
  readonly merchantQrId: string;
  readonly initiatedAt: string;
  /**
   * Secret for 15 minutes; null once the payment exists or the session is over. A personal-qr session keeps the
   * scanned personal QR here instead, so it is stored, never logged and erased exactly as a token is.
   */
  readonly customerToken: string | null;
  readonly reference: string;
  /** The amount requested from the customer; null while awaiting a sale and for dropped sessions. */
  readonly amount: Money | null;
  readonly sale: SessionSale | null;
  /** The create's paymentDescription, fixed when requested so a re-issued create has an identical body. */
  readonly description: string | null;
  /** True once Vipps confirmed the payment exists (create answered, CREATED event or a poll saw it). */
  readonly paymentCreated: boolean;
  readonly authorizedValue: number;
  readonly capturedValue: number;
  readonly cancelledValue: number;
  readonly dispensedValue: number | null;
  /** Why a session ended as failed, cancelled or dropped (the brief's `failureReason`, widened). */
  readonly reason: SessionReason | null;
  readonly pending: PendingOperation | null;
  /** Each armed timer's instant; a timer input whose `at` differs is stale and ignored. */
  readonly timers: Partial<Record<TimerName, string>>;
  /** vending: the instant after which a dispense report is refused and the reservation released. */
  readonly dispenseBy?: string;
  /** The payment deadline fired once (a last read was made); the next firing cancels. */
  readonly deadlinePassed: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic concurrency: 1 when born, +1 per saved change. */
  readonly version: number;
  /** How the session was started (issue 16); absent = callback-qr (a check-in), as for sessions stored before. */
  readonly pairing?: Pairing;
  /** The caller's attemptId of a session started through the lane API or the pay page. */
  readonly attemptId?: string;
  /** redirect-qr: where Vipps sends the customer back after the payment page. */
  readonly returnUrl?: string;
  /** screen-qr: the QR image asked of ePayment. */
  readonly qrFormat?: QrFormat;
  /** screen-qr / redirect-qr: the create's redirectUrl (the QR image, or the Vipps payment page). */
  readonly redirectUrl?: string;
}

/** A session start by pairing (issue 16): everything but the callback sticker, which starts from a check-in. */
export type StartPairing = Exclude<Pairing, 'callback-qr'>;

export interface OpenSale {
  readonly laneId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: Currency;
  readonly description: string | null;
  readonly openedAt: string;
  /** The session paying it; null while it waits for a scan. */
  readonly sessionId: string | null;
}

// ---- inputs ----

export type PaymentEventName =
  'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED' | 'CAPTURED' | 'CANCELLED' | 'REFUNDED';
export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';

export interface PaymentAggregate {
  readonly authorizedAmount: Money;
  readonly cancelledAmount: Money;
  readonly capturedAmount: Money;
  readonly refundedAmount: Money;
}

/** An ePayment call that did not succeed, as the worker's transport classified it. */
export interface OperationFailure {
  /** The Vipps `ErrorCode` from `extraDetails` (e.g. "4050"), when there was one. */
  readonly code?: string;
  /** HTTP status; absent for a network error or timeout. */
  readonly status?: number;
  /** 429/5xx/network: the same call may succeed later with the same Idempotency-Key. */
  readonly retryable: boolean;
  /** For the worker's own records; the machine never copies it into logs or messages. */
  readonly message: string;
  readonly retryAfterS?: number;
  /** Vipps's traceId of the answer, for an operator's support case. */
  readonly traceId?: string;
}

export type Input =
  | ({ readonly type: 'checkin' } & CheckinIdentity)
  | {
      readonly type: 'epayment-event';
      readonly reference: string;
      readonly name: PaymentEventName;
      readonly success: boolean;
      readonly amount: Money;
      readonly pspReference: string;
      readonly timestamp: string;
    }
  | {
      readonly type: 'poll-result';
      readonly reference: string;
      readonly state: PaymentState;
      readonly aggregate: PaymentAggregate;
    }
  | {
      readonly type: 'lane-start';
      /** sessionIdForAttempt(laneId, attemptId): carried so the worker loads the session by id. */
      readonly sessionId: string;
      readonly laneId: string;
      readonly attemptId: string;
      readonly pairing: StartPairing;
      /** When the controller or page asked; the session's initiatedAt. */
      readonly requestedAt: string;
      /** personal-qr: the scanned QR's full content (personal data: never logged). */
      readonly personalQr?: string;
      readonly returnUrl?: string;
      readonly qrFormat?: QrFormat;
    }
  | {
      readonly type: 'payment-created';
      readonly sessionId: string;
      /** The create's redirectUrl (QR and redirect flows): the QR image or the Vipps payment page. */
      readonly redirectUrl?: string;
    }
  | ({ readonly type: 'payment-create-failed'; readonly sessionId: string } & OperationFailure)
  | { readonly type: 'capture-done'; readonly sessionId: string; readonly aggregate?: PaymentAggregate }
  | ({ readonly type: 'capture-failed'; readonly sessionId: string } & OperationFailure)
  | { readonly type: 'cancel-done'; readonly sessionId: string; readonly aggregate?: PaymentAggregate }
  | ({ readonly type: 'cancel-failed'; readonly sessionId: string } & OperationFailure)
  | { readonly type: 'sale-opened'; readonly sale: Omit<OpenSale, 'sessionId'> }
  | { readonly type: 'sale-cancelled'; readonly laneId: string; readonly orderId: string }
  | {
      readonly type: 'dispense-report';
      readonly sessionId: string;
      readonly result: 'dispensed' | 'failed';
      readonly amount?: Money;
    }
  | { readonly type: 'timer'; readonly sessionId: string; readonly name: TimerName; readonly at: string };

export type InputType = Input['type'];

// ---- effects ----

interface PaymentTarget {
  readonly sessionId: string;
  readonly laneId: string;
  readonly msn: string;
  readonly reference: string;
}

export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

export type Effect =
  | (PaymentTarget & {
      readonly type: 'create-payment';
      readonly idempotencyKey: string;
      readonly amount: Money;
      readonly description: string;
    } & CreateCustomer)
  | (PaymentTarget & { readonly type: 'get-payment' })
  | (PaymentTarget & { readonly type: 'capture'; readonly idempotencyKey: string; readonly amount: Money })
  /** A full cancel: TERMINATED before authorization, releases the uncaptured rest after it. */
  | (PaymentTarget & { readonly type: 'cancel'; readonly idempotencyKey: string })
  | { readonly type: 'send-lane-message'; readonly message: LaneMessage }
  | {
      readonly type: 'schedule-timer';
      /** Queue dedup key (ids.timerJobId). */
      readonly id: string;
      readonly sessionId: string;
      readonly laneId: string;
      readonly name: TimerName;
      readonly at: string;
    }
  /**
   * The session ended for the customer; its payment's settlement starts (owed: Vipps has not confirmed every
   * operation yet) or is re-opened by a late event that contradicts it (src/settlement/).
   */
  | { readonly type: 'open-settlement'; readonly seed: SettlementSeed }
  /** Drop any copy of the token kept outside the session JSON; the returned session already has null. */
  | { readonly type: 'erase-token'; readonly sessionId: string }
  | {
      readonly type: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly event: string;
      readonly fields: LogFields;
    };

export type EffectType = Effect['type'];

/**
 * Who the create is for: the check-in's token (callback-qr, the one effect that carries it: execute it, never
 * log or persist it), or the flow of a session started by pairing (a personal QR is as secret as a token).
 */
export type CreateCustomer =
  | { readonly customerToken: string; readonly flow?: undefined }
  | { readonly customerToken?: undefined; readonly flow: PaymentFlow };

/** What a settlement starts from: the session's view of the money when it ended. */
export interface SettlementSeed {
  readonly sessionId: string;
  readonly laneId: string;
  readonly msn: string;
  readonly reference: string;
  readonly kind: LaneKind;
  readonly currency: Currency;
  readonly paymentCreatedAt: string;
  /** Dispensed (vending) or sold (self-checkout); 0 when the session did not sell. */
  readonly soldValue: number;
  readonly authorizedValue: number;
  readonly capturedValue: number;
  readonly cancelledValue: number;
  /** True when Vipps has not confirmed everything: the settlement reads the payment and works what is owed. */
  readonly owed: boolean;
}

// ---- step ----

export interface StepContext {
  readonly lane: Lane;
  /**
   * The stored session the input names: by `sessionId`, by `reference` (ePayment inputs) or, for a
   * check-in, by `sessionIdFor(checkin)`. Null when there is none. Unused by sale inputs.
   */
  readonly session: Session | null;
  /** The lane's session that is not final, if any (one per lane). */
  readonly activeSession: Session | null;
  readonly openSale: OpenSale | null;
  readonly timing?: Partial<SessionTiming>;
}

export type Outcome =
  | { readonly kind: 'applied' }
  | { readonly kind: 'duplicate' | 'ignored' | 'invalid'; readonly reason: string };

export interface StepResult {
  /** The session to save (new or changed, version already bumped); null when nothing changed. */
  readonly session: Session | null;
  /** Present only when the lane's open sale changed: the new value, or null when it is gone. */
  readonly sale?: OpenSale | null;
  /** To execute in order; results come back as inputs. */
  readonly effects: readonly Effect[];
  readonly outcome: Outcome;
}
