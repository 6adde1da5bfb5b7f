// ePayment response shapes and their runtime validators (vipps-protocol.md §6.3, §6.4). Only the fields the
// gateway uses are checked and kept; Vipps may add fields at any time.
import {
  array,
  boolean,
  integer,
  isKnown,
  nonEmptyString,
  object,
  oneOfOrUnknown,
  optional,
  record,
  string,
} from './validate';
import type { UnknownValue, Validator } from './validate';

export const PAYMENT_STATES = ['CREATED', 'AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED'] as const;
/** `AUTHORIZED` stays after capture/refund/cancel: read `aggregate` for the money (§6.3). */
export type PaymentState = (typeof PAYMENT_STATES)[number];

export const PAYMENT_EVENT_NAMES = [
  'CREATED',
  'ABORTED',
  'EXPIRED',
  'CANCELLED',
  'CAPTURED',
  'REFUNDED',
  'AUTHORIZED',
  'TERMINATED',
] as const;
export type PaymentEventName = (typeof PAYMENT_EVENT_NAMES)[number];

// A state or event name this gateway does not know is read as an UnknownValue, not a malformed answer
// (issue 12): callers must check with these before treating it as one of the known words.
export function isPaymentState(state: string): state is PaymentState {
  return isKnown(PAYMENT_STATES, state);
}

export function isPaymentEventName(name: string): name is PaymentEventName {
  return isKnown(PAYMENT_EVENT_NAMES, name);
}

export interface ResponseAmount {
  readonly currency: string;
  readonly value: number;
}

export interface PaymentAggregate {
  readonly authorizedAmount: ResponseAmount;
  readonly cancelledAmount: ResponseAmount;
  readonly capturedAmount: ResponseAmount;
  readonly refundedAmount: ResponseAmount;
}

/** `ModificationResponse`, returned by capture, cancel and refund. */
export interface PaymentModification {
  readonly reference: string;
  /** A state newer than this gateway is an UnknownValue: not final, never a failed operation. */
  readonly state: PaymentState | UnknownValue;
  readonly amount: ResponseAmount;
  readonly aggregate: PaymentAggregate;
  readonly pspReference: string;
}

/** `GetPaymentResponse`. */
export interface Payment extends PaymentModification {
  readonly paymentMethod?: { readonly type: string };
  readonly redirectUrl?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly captureGuaranteedUntil?: string;
}

export interface PaymentEvent {
  readonly reference: string;
  readonly pspReference: string;
  readonly name: PaymentEventName | UnknownValue;
  readonly amount: ResponseAmount;
  readonly timestamp: string;
  /** Absent for some events (e.g. a CANCELLED made by Vipps); null on the wire is read as absent. */
  readonly idempotencyKey?: string;
  readonly success: boolean;
}

const amount: Validator<ResponseAmount> = object({ currency: nonEmptyString, value: integer });

const modificationShape = {
  reference: nonEmptyString,
  state: oneOfOrUnknown(PAYMENT_STATES),
  amount,
  aggregate: object({
    authorizedAmount: amount,
    cancelledAmount: amount,
    capturedAmount: amount,
    refundedAmount: amount,
  }),
  pspReference: string,
};

export const paymentModification: Validator<PaymentModification> = object(modificationShape);

export const payment: Validator<Payment> = object({
  ...modificationShape,
  paymentMethod: optional(object({ type: string })),
  redirectUrl: optional(string),
  metadata: optional(record(string)),
  captureGuaranteedUntil: optional(string),
});

export const paymentEvents: Validator<PaymentEvent[]> = array(
  object({
    reference: nonEmptyString,
    pspReference: string,
    name: oneOfOrUnknown(PAYMENT_EVENT_NAMES),
    amount,
    timestamp: nonEmptyString,
    idempotencyKey: optional(string),
    success: boolean,
  }),
);

/** `redirectUrl` is absent for PUSH_MESSAGE; for QR it is the QR image, for WEB_REDIRECT the payment page. */
export const createPaymentResponse: Validator<{ reference: string; redirectUrl?: string }> = object({
  reference: nonEmptyString,
  redirectUrl: optional(string),
});
