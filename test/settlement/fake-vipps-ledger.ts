// An in-memory model of Vipps's ePayment ledger for property tests of the money path (issue 12), plus a port in
// front of it that injects one scripted answer per call. It behaves like real Vipps as far as the settlement
// depends on it: per reference a state (CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED) and an aggregate;
// capture ≤ authorized − captured − cancelled; a cancel releases everything uncaptured (before authorization it
// terminates the payment); refund ≤ captured − refunded; the time limits (capture and cancel 180 days in Norway,
// refund 365 days) answer 400; an optional "partial capture not allowed" sales unit answers 6140. Idempotency
// per (operation, reference, key): the same body gets the first result again — a first 4xx stays 4xx for that
// key — and another body gets 409. The codes are the ones src/emulator/payments.ts answers with (from Vipps's
// published error list). No HTTP: the port throws the same error classes the real client throws.
import type { Currency } from '../../src/sessions/types';
import { classifyFailure } from '../../src/vipps/error-codes';
import type { Payment, PaymentModification } from '../../src/vipps/epayment-types';
import type { CancelInput, CreatePaymentInput, ModifyInput, PaymentRef } from '../../src/vipps/epayment';
import {
  VippsApiError,
  VippsNetworkError,
  VippsResponseError,
  VippsTimeoutError,
  type VippsApiErrorFields,
} from '../../src/vipps/errors';

export const DAY_MS = 86_400_000;

export type LedgerState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export type LedgerOperation = 'capture' | 'cancel' | 'refund';
export type ModificationEventName = 'CAPTURED' | 'CANCELLED' | 'REFUNDED' | 'TERMINATED';

export interface LedgerOptions {
  readonly partialCaptureAllowed: boolean;
  /** Capture and cancel, counted from the reservation (Norway: 180 days). */
  readonly captureDays: number;
  /** Refund, counted from the reservation (365 days). */
  readonly refundDays: number;
}

export const VIPPS_NORWAY: LedgerOptions = { partialCaptureAllowed: true, captureDays: 180, refundDays: 365 };

export interface LedgerPayment {
  readonly reference: string;
  readonly msn: string;
  readonly currency: Currency;
  /** What the customer was asked for; authorized on approval. */
  readonly amount: number;
  state: LedgerState;
  readonly createdAtMs: number;
  authorizedAtMs: number | null;
  authorized: number;
  captured: number;
  cancelled: number;
  refunded: number;
}

/** A modification Vipps made, as its webhook would tell it. */
export interface LedgerEvent {
  readonly reference: string;
  readonly name: ModificationEventName;
  readonly amount: number;
  readonly idempotencyKey: string;
}

type Stored =
  | { readonly fingerprint: string; readonly ok: PaymentModification }
  | { readonly fingerprint: string; readonly error: VippsApiErrorFields };

const CONFLICT_CODE: Readonly<Record<LedgerOperation, string>> = {
  capture: '4010',
  cancel: '4020',
  refund: '4150',
};

let traceCounter = 0;

function refusal(status: number, code: string, title: string): VippsApiErrorFields {
  traceCounter += 1;
  return { status, code, title, traceId: `fake-trace-${traceCounter}` };
}

function bodyOf(op: LedgerOperation, amount: number | null, currency: Currency): string {
  return op === 'cancel' ? '{}' : JSON.stringify({ amount: { currency, value: amount } });
}

export class FakeVippsLedger {
  private readonly payments = new Map<string, LedgerPayment>();
  private readonly slots = new Map<string, Stored>();
  readonly events: LedgerEvent[] = [];
  /** Refunded amount per Idempotency-Key, so a test can see that one refund id was paid once. */
  readonly refundedByKey = new Map<string, number>();

  constructor(
    readonly options: LedgerOptions,
    private readonly nowMs: () => number,
  ) {}

  payment(reference: string): LedgerPayment | undefined {
    return this.payments.get(reference);
  }

  /** What is still reserved on the customer's card. */
  reserved(reference: string): number {
    const p = this.payments.get(reference);
    return p?.state === 'AUTHORIZED' ? p.authorized - p.captured - p.cancelled : 0;
  }

  // ---- the customer ----

  /** The user approves in the app: the whole amount is reserved. */
  approve(reference: string): void {
    const p = this.must(reference);
    if (p.state !== 'CREATED') return;
    p.state = 'AUTHORIZED';
    p.authorized = p.amount;
    p.authorizedAtMs = this.nowMs();
  }

  /** The user rejects in the app. */
  abort(reference: string): void {
    const p = this.must(reference);
    if (p.state === 'CREATED') p.state = 'ABORTED';
  }

  // ---- the API ----

  create(input: CreatePaymentInput): { reference: string; redirectUrl?: string } {
    if (!this.payments.has(input.reference)) {
      this.payments.set(input.reference, {
        reference: input.reference,
        msn: input.msn,
        currency: input.amount.currency as Currency,
        amount: input.amount.value,
        state: 'CREATED',
        createdAtMs: this.nowMs(),
        authorizedAtMs: null,
        authorized: 0,
        captured: 0,
        cancelled: 0,
        refunded: 0,
      });
    }
    // A QR or redirect flow's answer carries the QR image or the payment page, as Vipps's does.
    const flow = input.flow?.userFlow;
    return flow === 'QR' || flow === 'WEB_REDIRECT'
      ? { reference: input.reference, redirectUrl: `https://fake-vipps.test/${flow}/${input.reference}` }
      : { reference: input.reference };
  }

  get(ref: PaymentRef): Payment {
    const p = this.payments.get(ref.reference);
    if (!p || p.msn !== ref.msn) throw new VippsApiError('epayment.get', refusal(404, '5090', 'Not found'));
    return { ...this.modification(p, 0), pspReference: `psp-${p.reference}` };
  }

  capture(input: ModifyInput): PaymentModification {
    return this.modify('capture', input, input.amount.value, (p) => this.doCapture(p, input));
  }

  cancel(input: CancelInput): PaymentModification {
    return this.modify('cancel', input, null, (p) => this.doCancel(p, input.idempotencyKey));
  }

  refund(input: ModifyInput): PaymentModification {
    return this.modify('refund', input, input.amount.value, (p) => this.doRefund(p, input));
  }

  /**
   * Remembers a refusal for a key whose slot is still empty, as Vipps keeps a first 4xx for its key. Used by
   * the fault layer for an injected 4xx that is not "try again".
   */
  rememberRefusal(
    op: LedgerOperation,
    ref: PaymentRef & { idempotencyKey: string },
    amount: number | null,
    fields: VippsApiErrorFields,
  ): void {
    const p = this.payments.get(ref.reference);
    if (!p) return;
    const slot = this.slotKey(op, ref);
    if (this.slots.has(slot)) return;
    this.slots.set(slot, { fingerprint: bodyOf(op, amount, p.currency), error: fields });
  }

  // ---- internals ----

  private must(reference: string): LedgerPayment {
    const p = this.payments.get(reference);
    if (!p) throw new Error(`fake ledger: no payment ${reference}`);
    return p;
  }

  private slotKey(op: LedgerOperation, ref: PaymentRef & { idempotencyKey: string }): string {
    return JSON.stringify([ref.msn, op, ref.reference, ref.idempotencyKey]);
  }

  private modification(p: LedgerPayment, amount: number): PaymentModification {
    const money = (value: number) => ({ currency: p.currency, value });
    return {
      reference: p.reference,
      state: p.state,
      amount: money(amount),
      aggregate: {
        authorizedAmount: money(p.authorized),
        capturedAmount: money(p.captured),
        cancelledAmount: money(p.cancelled),
        refundedAmount: money(p.refunded),
      },
      pspReference: `psp-${p.reference}`,
    };
  }

  private modify(
    op: LedgerOperation,
    ref: PaymentRef & { idempotencyKey: string },
    amount: number | null,
    run: (p: LedgerPayment) => number,
  ): PaymentModification {
    const operation = `epayment.${op}`;
    const p = this.payments.get(ref.reference);
    if (!p || p.msn !== ref.msn)
      throw new VippsApiError(operation, refusal(404, '5090', 'Reference not found'));
    const slot = this.slotKey(op, ref);
    const fingerprint = bodyOf(op, amount, p.currency);
    const stored = this.slots.get(slot);
    if (stored) {
      if (stored.fingerprint !== fingerprint)
        throw new VippsApiError(operation, refusal(409, CONFLICT_CODE[op], 'Idempotency conflict'));
      if ('ok' in stored) return stored.ok;
      throw new VippsApiError(operation, stored.error);
    }
    try {
      const moved = run(p);
      const ok = this.modification(p, moved);
      this.slots.set(slot, { fingerprint, ok });
      return ok;
    } catch (err) {
      if (err instanceof VippsApiError && err.status < 500 && err.status !== 429) {
        const { status, title } = err;
        const fields: VippsApiErrorFields = {
          status,
          title,
          ...(err.code === undefined ? {} : { code: err.code }),
          ...(err.traceId === undefined ? {} : { traceId: err.traceId }),
        };
        this.slots.set(slot, { fingerprint, error: fields });
      }
      throw err;
    }
  }

  private withinDays(p: LedgerPayment, days: number): boolean {
    return this.nowMs() <= (p.authorizedAtMs ?? p.createdAtMs) + days * DAY_MS;
  }

  private event(p: LedgerPayment, name: ModificationEventName, amount: number, key: string): void {
    this.events.push({ reference: p.reference, name, amount, idempotencyKey: key });
  }

  private doCapture(p: LedgerPayment, input: ModifyInput): number {
    const op = 'epayment.capture';
    const value = input.amount.value;
    if (!Number.isInteger(value) || value <= 0)
      throw new VippsApiError(op, refusal(400, '4040', 'Invalid amount'));
    if (p.state === 'CREATED')
      throw new VippsApiError(op, refusal(400, '6080', 'Cannot capture before reservation'));
    if (p.state !== 'AUTHORIZED')
      throw new VippsApiError(op, refusal(400, '6200', 'Payment cannot be captured'));
    const remaining = p.authorized - p.captured - p.cancelled;
    if (remaining === 0 && p.cancelled > 0)
      throw new VippsApiError(op, refusal(400, '6070', 'Cannot capture a cancelled payment'));
    if (!this.withinDays(p, this.options.captureDays))
      throw new VippsApiError(op, refusal(400, '6100', 'Capture period expired'));
    if (value > remaining) throw new VippsApiError(op, refusal(400, '6090', 'Capture amount too high'));
    if (value < remaining && !this.options.partialCaptureAllowed)
      throw new VippsApiError(op, refusal(400, '6140', 'Must capture full amount'));
    p.captured += value;
    this.event(p, 'CAPTURED', value, input.idempotencyKey);
    return value;
  }

  private doCancel(p: LedgerPayment, key: string): number {
    const op = 'epayment.cancel';
    if (p.state === 'CREATED') {
      p.state = 'TERMINATED';
      this.event(p, 'TERMINATED', p.amount, key);
      return 0;
    }
    if (p.state === 'TERMINATED') return 0; // cancelling twice changes nothing
    if (p.state !== 'AUTHORIZED')
      throw new VippsApiError(op, refusal(400, '6050', 'Cannot cancel a non-reserved payment'));
    const remaining = p.authorized - p.captured - p.cancelled;
    if (remaining === 0 && p.cancelled === 0)
      throw new VippsApiError(op, refusal(400, '6040', 'Cannot cancel a captured payment'));
    if (remaining === 0) return 0;
    if (!this.withinDays(p, this.options.captureDays))
      throw new VippsApiError(op, refusal(400, '6030', 'Cancel period expired'));
    p.cancelled += remaining;
    this.event(p, 'CANCELLED', remaining, key);
    return remaining;
  }

  private doRefund(p: LedgerPayment, input: ModifyInput): number {
    const op = 'epayment.refund';
    const value = input.amount.value;
    if (!Number.isInteger(value) || value <= 0)
      throw new VippsApiError(op, refusal(400, '4040', 'Invalid amount'));
    if (p.state !== 'AUTHORIZED')
      throw new VippsApiError(op, refusal(400, '6020', 'Attempted refund before reservation'));
    if (!this.withinDays(p, this.options.refundDays))
      throw new VippsApiError(op, refusal(400, '6220', 'Refund period expired'));
    if (value > p.captured - p.refunded)
      throw new VippsApiError(op, refusal(400, '6150', 'Not enough refundable'));
    p.refunded += value;
    this.refundedByKey.set(input.idempotencyKey, (this.refundedByKey.get(input.idempotencyKey) ?? 0) + value);
    this.event(p, 'REFUNDED', value, input.idempotencyKey);
    return value;
  }
}

// ---- the fault layer ----

/** How a failed answer looks to the caller. */
export type FaultError =
  | { readonly type: 'status'; readonly status: number; readonly retryAfterS?: number }
  | { readonly type: 'code'; readonly status: number; readonly code: string }
  | { readonly type: 'network' }
  | { readonly type: 'timeout' }
  /** A 2xx whose body the client could not read. */
  | { readonly type: 'unreadable' };

/**
 * One call's fate. `ok`: Vipps's own answer. `error`: the caller sees `error`; with `applied` Vipps did the
 * operation first (it succeeded but answered an error). `lost`: no answer reaches the machine at all (the
 * worker crashed between the call and saving its result); with `applied` the call had reached Vipps.
 */
export type Answer =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly error: FaultError; readonly applied: boolean }
  | { readonly kind: 'lost'; readonly applied: boolean };

export const OK: Answer = { kind: 'ok' };

export function faultToError(operation: string, f: FaultError): Error {
  switch (f.type) {
    case 'status':
      return new VippsApiError(operation, {
        status: f.status,
        title: `HTTP ${f.status}`,
        ...(f.retryAfterS === undefined ? {} : { retryAfterMs: f.retryAfterS * 1000 }),
      });
    case 'code':
      return new VippsApiError(operation, refusal(f.status, f.code, `Vipps error ${f.code}`));
    case 'network':
      return new VippsNetworkError(operation, 'https://fake-vipps.test', new Error('socket hang up'));
    case 'timeout':
      return new VippsTimeoutError(operation, 10_000);
    case 'unreadable':
      return new VippsResponseError(operation, 200, 'aggregate is missing');
  }
}

/** A 4xx that is not "try again": Vipps refusing the operation, which ends a settlement needs-attention. */
export function isRefusal(f: FaultError): boolean {
  if (f.type !== 'code' && f.type !== 'status') return false;
  if (f.status >= 500 || f.status === 429 || f.status === 423) return false;
  const code = f.type === 'code' ? { code: f.code } : {};
  return classifyFailure({ status: f.status, retryable: false, ...code }) !== 'retry-same-key';
}

/**
 * ePayment in front of the ledger: each call takes the answer set in `answer` (then resets it to OK), so a
 * driver decides every call's fate. It counts refusals it injected into a capture, cancel or refund.
 */
export class FaultyEpayment {
  answer: Answer = OK;
  injectedRefusals = 0;

  constructor(private readonly ledger: FakeVippsLedger) {}

  private take(): Answer {
    const a = this.answer;
    this.answer = OK;
    return a;
  }

  private run<T>(operation: string, act: () => T, onRefusal?: (f: FaultError) => void): Promise<T> {
    const a = this.take();
    try {
      if (a.kind === 'ok') return Promise.resolve(act());
      if (a.applied) {
        try {
          act(); // Vipps did it; the caller never hears so
        } catch (err) {
          // Vipps refused it on its own: "succeeded but answered an error" does not apply. A refusal code in
          // place of Vipps's would be a made-up answer, so the caller gets Vipps's; a transport failure hides it.
          if (a.kind === 'error' && isRefusal(a.error)) throw err;
        }
      }
      if (a.kind === 'lost') throw new VippsTimeoutError(operation, 10_000);
      if (!a.applied && onRefusal && isRefusal(a.error)) onRefusal(a.error);
      throw faultToError(operation, a.error);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private remember(
    op: LedgerOperation,
    input: PaymentRef & { idempotencyKey: string },
    amount: number | null,
  ) {
    return (f: FaultError): void => {
      this.injectedRefusals += 1;
      if (f.type === 'code')
        this.ledger.rememberRefusal(op, input, amount, refusal(f.status, f.code, 'refused'));
      else if (f.type === 'status')
        this.ledger.rememberRefusal(op, input, amount, { status: f.status, title: `HTTP ${f.status}` });
    };
  }

  create(input: CreatePaymentInput): Promise<{ reference: string; redirectUrl?: string }> {
    return this.run('epayment.create', () => this.ledger.create(input));
  }

  get(ref: PaymentRef): Promise<Payment> {
    return this.run('epayment.get', () => this.ledger.get(ref));
  }

  capture(input: ModifyInput): Promise<PaymentModification> {
    const remember = this.remember('capture', input, input.amount.value);
    return this.run('epayment.capture', () => this.ledger.capture(input), remember);
  }

  cancel(input: CancelInput): Promise<PaymentModification> {
    return this.run('epayment.cancel', () => this.ledger.cancel(input), this.remember('cancel', input, null));
  }

  refund(input: ModifyInput): Promise<PaymentModification> {
    const remember = this.remember('refund', input, input.amount.value);
    return this.run('epayment.refund', () => this.ledger.refund(input), remember);
  }
}
