// The ePayment state machine (vipps-protocol.md §6): CREATED → AUTHORIZED | ABORTED | EXPIRED | TERMINATED, and
// the aggregate after capture / cancel / refund. State stays AUTHORIZED after modifications; money moves in the
// aggregate. Every event is logged on the payment and published as `epayments.payment.<name>.v1` (§6.5).
import { randomInt } from 'node:crypto';
import type { EmulatorContext } from './context';
import type { CreateRequest } from './epayment-validate';
import {
  assertCancelWindow,
  assertCaptureAllowed,
  assertCaptureWindow,
  assertRefundWindow,
} from './payment-rules';
import { customerByPersonalQr } from './customers';
import { paymentQrUrl } from './payment-qr';
import { EmulatedApiError } from './problem';
import type { CreateRecord, CustomerBehavior, Money, Payment, PaymentEventName, PaymentState } from './state';
import { paymentKey } from './state';
import { validCustomerToken } from './tokens';

const pspReference = (): string => String(randomInt(1_000_000_000, 9_999_999_999));
const coded = EmulatedApiError.coded;

export function findPayment(ctx: EmulatorContext, msn: string, reference: string): Payment {
  const payment = ctx.state.payments.get(paymentKey(msn, reference));
  if (!payment)
    throw coded(
      404,
      '5090',
      'Reference not found',
      'No payment with this reference for this Merchant-Serial-Number.',
    );
  settle(ctx, payment);
  return payment;
}

function record(ctx: EmulatorContext, p: Payment, name: PaymentEventName, amount: Money, key?: string): void {
  const event = {
    reference: p.reference,
    pspReference: pspReference(),
    name,
    amount,
    timestamp: ctx.clock.now().toISOString(),
    ...(key === undefined ? {} : { idempotencyKey: key }),
    success: true,
  };
  p.events.push(event);
  ctx.events.emit('payment', p, event);
  ctx.publish(`epayments.payment.${name.toLowerCase()}.v1`, p.msn, { msn: p.msn, ...event }, p.reference);
}

function transition(
  ctx: EmulatorContext,
  p: Payment,
  to: Exclude<PaymentState, 'CREATED'>,
  key?: string,
): void {
  if (p.state !== 'CREATED') return;
  p.state = to;
  if (to === 'AUTHORIZED') {
    p.aggregate.authorized = p.amount.value;
    p.authorizedAt = ctx.clock.now().getTime();
  }
  record(ctx, p, to, p.amount, key);
}

/** Applies a customer action or the user timeout that is due by the injected clock (lets a FakeClock drive it). */
export function settle(ctx: EmulatorContext, p: Payment): void {
  if (p.state !== 'CREATED') return;
  const now = ctx.clock.now().getTime();
  if (p.outcome && now >= p.outcome.at) transition(ctx, p, p.outcome.state);
  else if (now >= p.expiresAt) transition(ctx, p, 'EXPIRED');
}

/**
 * Real-time trigger for the same transitions, ignored once the payment was reset away. An EXPIRED trigger is
 * also ignored when the expiry moved later meanwhile (the customer opened the payment: openPayment).
 */
function schedule(
  ctx: EmulatorContext,
  p: Payment,
  delayMs: number,
  to: 'AUTHORIZED' | 'ABORTED' | 'EXPIRED',
): void {
  const expiresAt = p.expiresAt;
  ctx.timers.after(delayMs, () => {
    if (ctx.state.payments.get(paymentKey(p.msn, p.reference)) !== p) return;
    if (to === 'EXPIRED' && p.expiresAt > expiresAt) return;
    transition(ctx, p, to);
  });
}

/**
 * When a CREATED payment expires: "the user has 5 minutes to open the payment request, then 5 minutes to
 * approve it" (https://developer.vippsmobilepay.com/docs/knowledge-base/timeouts), so before it is opened the
 * expiry is 5 minutes after creation and once opened 5 minutes after the opening. `userTimeoutMs` given as an
 * option relaxes this to one flat timeout (the emulator's earlier behaviour, 10 minutes by default).
 */
function expiryOf(ctx: EmulatorContext, createdAt: number, openedAt: number | undefined): number {
  const split = ctx.settings.paymentTimeouts;
  if (!split) return createdAt + ctx.settings.userTimeoutMs;
  if (openedAt === undefined || openedAt > createdAt + split.openMs) return createdAt + split.openMs;
  return openedAt + split.approveMs;
}

/**
 * The customer opens the payment (in the app, or the landing page of a redirect flow): from now they have the
 * approve window. No effect on a payment that is not CREATED, already opened, long-living or past its window.
 */
export function openPayment(ctx: EmulatorContext, p: Payment): void {
  settle(ctx, p);
  if (p.state !== 'CREATED' || p.openedAt !== undefined || p.longLiving) return;
  const now = ctx.clock.now().getTime();
  p.openedAt = now;
  p.expiresAt = expiryOf(ctx, p.createdAt, now);
  schedule(ctx, p, Math.max(0, p.expiresAt - now), 'EXPIRED');
}

/**
 * After a restart from saved state (state-file.ts): the customer's action and the user timeout of a payment
 * still CREATED fire at the saved instants, or at once when those passed while the emulator was down.
 */
export function resumePaymentTimers(ctx: EmulatorContext, p: Payment): void {
  if (p.state !== 'CREATED') return;
  const now = ctx.clock.now().getTime();
  if (p.outcome) schedule(ctx, p, Math.max(0, p.outcome.at - now), p.outcome.state);
  schedule(ctx, p, Math.max(0, p.expiresAt - now), 'EXPIRED');
}

export function createPayment(
  ctx: EmulatorContext,
  msn: string,
  req: CreateRequest,
  idempotencyKey: string,
  baseUrl: string,
): Payment {
  if (ctx.state.payments.has(paymentKey(msn, req.reference)))
    throw coded(
      409,
      '4150',
      'Reference already exists',
      'A payment with this reference exists for this MSN.',
    );
  let behavior: CustomerBehavior | undefined;
  // A push to a simulated customer's personal QR follows what that customer does (customers.ts).
  const scanned =
    req.customer?.kind === 'personalQr' ? customerByPersonalQr(ctx, req.customer.value) : undefined;
  if (scanned) behavior = scanned.behavior;
  else if (req.customer?.kind === 'customerToken') {
    const token = validCustomerToken(ctx, req.customer.value, msn);
    if (!token) throw coded(400, '4050', 'Invalid CustomerToken', 'The parameter CustomerToken is invalid.');
    behavior = token.behavior;
  } else if (req.userFlow === 'PUSH_MESSAGE') {
    // A push to a phone number or personal QR: the simulated customer approves.
    behavior = { action: 'approve' };
  } // Redirect and QR flows wait for the test approve endpoint or the user timeout.

  const now = ctx.clock.now().getTime();
  const opened = behavior !== undefined;
  const afterMs = behavior?.afterMs ?? ctx.settings.approveAfterMs;
  const outcome =
    behavior?.action === 'approve'
      ? ({ state: 'AUTHORIZED', at: now + afterMs } as const)
      : behavior?.action === 'reject'
        ? ({ state: 'ABORTED', at: now + afterMs } as const)
        : undefined;
  const payment: Payment = {
    msn,
    reference: req.reference,
    pspReference: pspReference(),
    amount: req.amount,
    paymentMethod: { type: req.paymentMethodType },
    userFlow: req.userFlow,
    customerKind: req.customer?.kind ?? 'none',
    ...(req.metadata ? { metadata: req.metadata } : {}),
    ...(req.userFlow === 'PUSH_MESSAGE'
      ? {}
      : req.userFlow === 'QR'
        ? { redirectUrl: paymentQrUrl(baseUrl, msn, req.reference, req.qrFormat) }
        : { redirectUrl: `${baseUrl}/emulator/v1/landing/${msn}/${req.reference}` }),
    ...(req.qrFormat ? { qrFormat: req.qrFormat } : {}),
    request: createRecord(req),
    ...(scanned ? { customerId: scanned.customerId } : {}),
    ...(req.returnUrl === undefined ? {} : { returnUrl: req.returnUrl }),
    createdAt: now,
    state: 'CREATED',
    aggregate: { authorized: 0, captured: 0, cancelled: 0, refunded: 0 },
    events: [],
    createCalls: 0,
    ...(outcome ? { outcome } : {}),
    // A customer who checked in (customerToken) or the simulated one of a push is in the app: it is open at
    // once. A redirect or QR payment is opened by its landing page (openPayment).
    ...(opened ? { openedAt: now } : {}),
    ...(req.expiresAt === undefined ? {} : { longLiving: true }),
    expiresAt: req.expiresAt ?? expiryOf(ctx, now, opened ? now : undefined),
  };
  ctx.state.payments.set(paymentKey(msn, req.reference), payment);
  record(ctx, payment, 'CREATED', payment.amount, idempotencyKey);
  if (outcome) schedule(ctx, payment, afterMs, outcome.state);
  schedule(ctx, payment, payment.expiresAt - now, 'EXPIRED');
  return payment;
}

function createRecord(req: CreateRequest): CreateRecord {
  const c = req.customer;
  return {
    userFlow: req.userFlow,
    customerInteraction: req.customerInteraction ?? null,
    customer:
      c === undefined
        ? null
        : c.kind === 'customerToken'
          ? { customerToken: 'sent' }
          : c.kind === 'personalQr'
            ? { personalQr: c.value }
            : { phoneNumber: c.value },
    ...(req.qrFormat ? { qrFormat: req.qrFormat } : {}),
    ...(req.returnUrl === undefined ? {} : { returnUrl: req.returnUrl }),
    ...(req.paymentDescription === undefined ? {} : { paymentDescription: req.paymentDescription }),
  };
}

/**
 * A customer acts on a payment that waits for them (a scanned dynamic QR, customers.ts): approve or reject
 * after `afterMs` (default: the emulator's approve delay), or ignore it until the user timeout.
 */
export function actOn(ctx: EmulatorContext, p: Payment, behavior: CustomerBehavior): void {
  if (behavior.action === 'ignore') return;
  const afterMs = behavior.afterMs ?? ctx.settings.approveAfterMs;
  const state = behavior.action === 'approve' ? 'AUTHORIZED' : 'ABORTED';
  p.outcome = { state, at: ctx.clock.now().getTime() + afterMs };
  schedule(ctx, p, afterMs, state);
}

function assertCurrency(p: Payment, m: Money): void {
  if (m.currency !== p.amount.currency)
    throw coded(400, '5040', 'Invalid currency for merchant', `The payment is in ${p.amount.currency}.`);
}

export function capture(ctx: EmulatorContext, p: Payment, m: Money, key: string): void {
  assertCurrency(p, m);
  if (p.state === 'CREATED')
    throw coded(400, '6080', 'Cannot capture before reservation', 'The user must accept the payment first.');
  if (p.state !== 'AUTHORIZED')
    throw coded(400, '6200', 'Payment cannot be captured', `The payment is ${p.state}.`);
  const remaining = p.aggregate.authorized - p.aggregate.captured - p.aggregate.cancelled;
  if (remaining === 0 && p.aggregate.cancelled > 0)
    throw coded(400, '6070', 'Cannot capture a cancelled payment', 'The remaining amount was cancelled.');
  assertCaptureWindow(ctx, p);
  if (m.value > remaining)
    throw coded(400, '6090', 'Capture amount too high', `At most ${remaining} can still be captured.`);
  assertCaptureAllowed(ctx, p, m.value, remaining);
  p.aggregate.captured += m.value;
  record(ctx, p, 'CAPTURED', m, key);
}

export function refund(ctx: EmulatorContext, p: Payment, m: Money, key: string): void {
  assertCurrency(p, m);
  if (p.state !== 'AUTHORIZED')
    throw coded(
      400,
      '6020',
      'Attempted refund before reservation',
      'Cannot refund a payment that is not reserved.',
    );
  assertRefundWindow(ctx, p);
  const refundable = p.aggregate.captured - p.aggregate.refunded;
  if (m.value > refundable)
    throw coded(400, '6150', 'Not enough refundable', `At most ${refundable} can be refunded.`);
  p.aggregate.refunded += m.value;
  record(ctx, p, 'REFUNDED', m, key);
}

/** Before authorization ⇒ TERMINATED; after ⇒ the remaining reservation is cancelled (§6.4). */
export function cancel(ctx: EmulatorContext, p: Payment, transactionOnly: boolean, key: string): void {
  if (p.state === 'CREATED') return transition(ctx, p, 'TERMINATED', key);
  if (p.state === 'TERMINATED') return; // Cancelling twice changes nothing.
  if (p.state !== 'AUTHORIZED')
    throw coded(400, '6050', 'Cannot cancel a non-reserved payment', `The payment is ${p.state}.`);
  if (transactionOnly)
    throw coded(
      400,
      '6060',
      'Cannot cancel authorized payment',
      'cancelTransactionOnly was set and the user approved.',
    );
  const remaining = p.aggregate.authorized - p.aggregate.captured - p.aggregate.cancelled;
  if (remaining === 0 && p.aggregate.cancelled === 0)
    throw coded(
      400,
      '6040',
      'Cannot cancel a captured payment',
      'The full amount is captured; refund instead.',
    );
  if (remaining === 0) return;
  assertCancelWindow(ctx, p);
  p.aggregate.cancelled += remaining;
  record(ctx, p, 'CANCELLED', { currency: p.amount.currency, value: remaining }, key);
}

/** The customer presses Reject on the landing page (landing-page.ts): CREATED ⇒ ABORTED, as a reject in the app. */
export function customerReject(ctx: EmulatorContext, p: Payment): void {
  if (p.state !== 'CREATED')
    throw coded(
      400,
      '10020',
      'Reject not allowed',
      `Only a CREATED payment can be rejected; it is ${p.state}.`,
    );
  transition(ctx, p, 'ABORTED');
}

/** The test environment's force-approve (`POST /epayment/v1/test/payments/{reference}/approve`). */
export function forceApprove(ctx: EmulatorContext, p: Payment): void {
  if (p.state !== 'CREATED')
    throw coded(
      400,
      '10020',
      'Approve not allowed',
      `Only a CREATED payment can be approved; it is ${p.state}.`,
    );
  transition(ctx, p, 'AUTHORIZED');
}

export function aggregateView(p: Payment): Record<string, Money> {
  const money = (value: number): Money => ({ currency: p.amount.currency, value });
  return {
    authorizedAmount: money(p.aggregate.authorized),
    cancelledAmount: money(p.aggregate.cancelled),
    capturedAmount: money(p.aggregate.captured),
    refundedAmount: money(p.aggregate.refunded),
  };
}

export function paymentView(p: Payment): Record<string, unknown> {
  return {
    aggregate: aggregateView(p),
    amount: p.amount,
    state: p.state,
    paymentMethod: p.paymentMethod,
    profile: {},
    pspReference: p.pspReference,
    reference: p.reference,
    ...(p.redirectUrl ? { redirectUrl: p.redirectUrl } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
  };
}

export function modificationView(p: Payment): Record<string, unknown> {
  return {
    amount: p.amount,
    state: p.state,
    aggregate: aggregateView(p),
    pspReference: p.pspReference,
    reference: p.reference,
  };
}
