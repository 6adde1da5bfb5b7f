// ePayment response shapes and their runtime validators (vipps-protocol.md §6.3, §6.4). Only the fields the
// gateway uses are checked and kept; Vipps may add fields at any time.
import { array, boolean, integer, nonEmptyString, object, oneOf, optional, record, string } from './validate';
import type { Validator } from './validate';

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
  readonly state: PaymentState;
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
  readonly name: PaymentEventName;
  readonly amount: ResponseAmount;
  readonly timestamp: string;
  /** Absent for some events (e.g. a CANCELLED made by Vipps); null on the wire is read as absent. */
  readonly idempotencyKey?: string;
  readonly success: boolean;
}

const amount: Validator<ResponseAmount> = object({ currency: nonEmptyString, value: integer });

const modificationShape = {
  reference: nonEmptyString,
  state: oneOf(PAYMENT_STATES),
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
    name: oneOf(PAYMENT_EVENT_NAMES),
    amount,
    timestamp: nonEmptyString,
    idempotencyKey: optional(string),
    success: boolean,
  }),
);

export const createPaymentResponse: Validator<{ reference: string }> = object({ reference: nonEmptyString });
