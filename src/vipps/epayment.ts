// ePayment API request factories (vipps-protocol.md §6): pure data, executed by VippsTransport.
// Every call carries the lane's MSN; create/capture/cancel/refund carry the caller's Idempotency-Key, which the
// caller derives from its own identifiers so redeliveries and retries map to the same operation (§6.6).
import {
  checkAmount,
  checkIdempotencyKey,
  checkMsn,
  checkReference,
  checkText,
  invalid,
} from './input-checks';
import type { Amount } from './input-checks';
import { createPaymentResponse, payment, paymentEvents, paymentModification } from './epayment-types';
import type { Payment, PaymentEvent, PaymentModification } from './epayment-types';
import { bodyOf, segment } from './request';
import type { VippsRequest } from './request';

const BASE = '/epayment/v1/payments';

export interface PaymentRef {
  readonly msn: string;
  readonly reference: string;
}

export interface CreatePaymentInput extends PaymentRef {
  readonly amount: Amount;
  /** From `user.checked-in.v1`; valid 15 minutes. Secret: never logged. */
  readonly customerToken: string;
  /** Shown in the app, 3-100 characters. */
  readonly paymentDescription?: string;
  readonly idempotencyKey: string;
}

/** A push payment to the customer who scanned: `PUSH_MESSAGE` + `customerToken` + `CUSTOMER_PRESENT` (§6.1). */
export function createPayment(input: CreatePaymentInput): VippsRequest<{ reference: string }> {
  const op = 'epayment.create';
  if (input.customerToken === '') throw invalid(op, 'customerToken', 'the token from the check-in');
  const description =
    input.paymentDescription === undefined
      ? undefined
      : checkText(op, 'paymentDescription', input.paymentDescription, 3, 100);
  return {
    operation: op,
    method: 'POST',
    path: BASE,
    msn: checkMsn(op, input.msn),
    idempotencyKey: checkIdempotencyKey(op, input.idempotencyKey),
    auth: 'bearer',
    body: {
      amount: checkAmount(op, 'amount', input.amount, true),
      paymentMethod: { type: 'WALLET' },
      customer: { customerToken: input.customerToken },
      customerInteraction: 'CUSTOMER_PRESENT',
      reference: checkReference(op, input.reference),
      userFlow: 'PUSH_MESSAGE',
      ...(description === undefined ? {} : { paymentDescription: description }),
    },
    secrets: [input.customerToken],
    expect: [201],
    parse: bodyOf(createPaymentResponse),
  };
}

export function getPayment(ref: PaymentRef): VippsRequest<Payment> {
  return read('epayment.get', ref, '', bodyOf(payment));
}

export function getPaymentEvents(ref: PaymentRef): VippsRequest<PaymentEvent[]> {
  return read('epayment.events', ref, '/events', bodyOf(paymentEvents));
}

export interface ModifyInput extends PaymentRef {
  readonly amount: Amount;
  readonly idempotencyKey: string;
}

/** Partial captures are allowed up to the authorized amount (§6.4). */
export function capturePayment(input: ModifyInput): VippsRequest<PaymentModification> {
  return modify('epayment.capture', '/capture', input, {
    modificationAmount: checkAmount('epayment.capture', 'amount', input.amount, false),
  });
}

/** Refunds up to the captured amount, within 365 days (§6.4). */
export function refundPayment(input: ModifyInput): VippsRequest<PaymentModification> {
  return modify('epayment.refund', '/refund', input, {
    modificationAmount: checkAmount('epayment.refund', 'amount', input.amount, false),
  });
}

export interface CancelInput extends PaymentRef {
  readonly idempotencyKey: string;
  /** Cancel only if not yet authorized (else Vipps answers error 6060 and the reservation stays). */
  readonly cancelTransactionOnly?: boolean;
}

/** Before authorization ⇒ TERMINATED; after ⇒ the remaining reservation is released (§6.4). */
export function cancelPayment(input: CancelInput): VippsRequest<PaymentModification> {
  return modify(
    'epayment.cancel',
    '/cancel',
    input,
    input.cancelTransactionOnly ? { cancelTransactionOnly: true } : undefined,
  );
}

function read<T>(
  operation: string,
  ref: PaymentRef,
  suffix: string,
  parse: (status: number, json: unknown) => T,
): VippsRequest<T> {
  return {
    operation,
    method: 'GET',
    path: `${BASE}/${segment(checkReference(operation, ref.reference))}${suffix}`,
    msn: checkMsn(operation, ref.msn),
    auth: 'bearer',
    expect: [200],
    parse,
  };
}

function modify(
  operation: string,
  suffix: string,
  input: PaymentRef & { readonly idempotencyKey: string },
  body: unknown,
): VippsRequest<PaymentModification> {
  return {
    operation,
    method: 'POST',
    path: `${BASE}/${segment(checkReference(operation, input.reference))}${suffix}`,
    msn: checkMsn(operation, input.msn),
    idempotencyKey: checkIdempotencyKey(operation, input.idempotencyKey),
    auth: 'bearer',
    ...(body === undefined ? {} : { body }),
    expect: [200],
    parse: bodyOf(paymentModification),
  };
}
