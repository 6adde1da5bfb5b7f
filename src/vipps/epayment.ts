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

/** ePayment `qrFormat` of a `userFlow: QR` create: the image the response's redirectUrl points at. */
export interface QrFormat {
  readonly format: 'IMAGE/SVG+XML' | 'IMAGE/PNG' | 'TEXT/TARGETURL';
  /** Pixels, 100–2000; PNG only in the spec's words, harmless otherwise. */
  readonly size?: number;
}

/**
 * A create that is not the check-in push (issue 16): a push to a scanned personal QR, a dynamic QR for a
 * customer-facing screen, or a web redirect (the merchant-redirect sticker's page). `customerInteraction` stays
 * CUSTOMER_PRESENT: every pairing is at a physical point of sale.
 */
export type PaymentFlow =
  | { readonly userFlow: 'PUSH_MESSAGE'; readonly personalQr: string }
  | { readonly userFlow: 'QR'; readonly qrFormat: QrFormat }
  | { readonly userFlow: 'WEB_REDIRECT'; readonly returnUrl: string };

export interface CreatePaymentInput extends PaymentRef {
  readonly amount: Amount;
  /** From `user.checked-in.v1`; valid 15 minutes. Secret: never logged. Ignored when `flow` is given. */
  readonly customerToken?: string;
  readonly flow?: PaymentFlow;
  /** Shown in the app, 3-100 characters. */
  readonly paymentDescription?: string;
  readonly idempotencyKey: string;
}

/** A push payment to the customer who scanned: `PUSH_MESSAGE` + `customerToken` + `CUSTOMER_PRESENT` (§6.1). */
export function createPayment(
  input: CreatePaymentInput,
): VippsRequest<{ reference: string; redirectUrl?: string }> {
  const op = 'epayment.create';
  const flow = flowBody(op, input);
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
      ...(flow.customer ? { customer: flow.customer } : {}),
      customerInteraction: 'CUSTOMER_PRESENT',
      reference: checkReference(op, input.reference),
      userFlow: flow.userFlow,
      ...flow.extra,
      ...(description === undefined ? {} : { paymentDescription: description }),
    },
    secrets: flow.secrets,
    expect: [201],
    parse: bodyOf(createPaymentResponse),
  };
}

interface FlowParts {
  readonly customer?: Record<string, string>;
  readonly userFlow: PaymentFlow['userFlow'];
  /** qrFormat or returnUrl, after userFlow in the body. */
  readonly extra: Record<string, unknown>;
  /** The values a log must never show. */
  readonly secrets: string[];
}

/** The body fields that differ by flow; the check-in push keeps its field order byte for byte. */
function flowBody(op: string, input: CreatePaymentInput): FlowParts {
  const flow = input.flow;
  if (flow === undefined) {
    if (!input.customerToken) throw invalid(op, 'customerToken', 'the token from the check-in');
    const customerToken = input.customerToken;
    return { customer: { customerToken }, userFlow: 'PUSH_MESSAGE', extra: {}, secrets: [customerToken] };
  }
  switch (flow.userFlow) {
    case 'PUSH_MESSAGE':
      // The spec's 5–255 characters: the full content of the scanned code.
      checkText(op, 'personalQr', flow.personalQr, 5, 255);
      return {
        customer: { personalQr: flow.personalQr },
        userFlow: 'PUSH_MESSAGE',
        extra: {},
        secrets: [flow.personalQr],
      };
    case 'QR':
      return { userFlow: 'QR', extra: { qrFormat: flow.qrFormat }, secrets: [] };
    case 'WEB_REDIRECT':
      return { userFlow: 'WEB_REDIRECT', extra: { returnUrl: flow.returnUrl }, secrets: [] };
  }
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
