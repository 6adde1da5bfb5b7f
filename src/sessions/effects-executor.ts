// Executes the ePayment effects of a step and turns each outcome into the input the state machine expects
// (architecture §2). Every call carries the Idempotency-Key the machine derived from the session id, so
// re-issuing one after a crash or a redelivery reaches Vipps as the same operation (vipps-protocol.md §6.6).
// Failures are never thrown past here: a Vipps error becomes a `*-failed` input and the machine decides
// (4050/5080 end the session; what vipps/error-codes.ts classifies as retry-same-key — 429/5xx/network/
// timeouts, and codes such as 6280 and 6160 that come with a 4xx — is retried with backoff by its `retry`
// timer). A state newer than this gateway (issue 12) is not final and never a failure: a capture or cancel
// that answered 2xx succeeded, and a read that shows one feeds nothing (the timers read again).
import type { Logger } from '../log';
import type { VippsClient } from '../vipps/client';
import { classifyFailure } from '../vipps/error-codes';
import { VippsApiError, VippsError, VippsResponseError } from '../vipps/errors';
import { isPaymentState } from '../vipps/epayment-types';
import type { PaymentAggregate as VippsAggregate, ResponseAmount } from '../vipps/epayment-types';
import { warnUnknownOnce } from '../vipps/unknown-words';
import type { Currency, Effect, Input, Money, OperationFailure, PaymentAggregate } from './types';

export type PaymentEffect = Extract<
  Effect,
  { type: 'create-payment' | 'get-payment' | 'capture' | 'cancel' }
>;

/** The part of the Vipps client the worker uses. */
export type EpaymentPort = Pick<VippsClient['epayment'], 'create' | 'get' | 'capture' | 'cancel'>;

export function isPaymentEffect(effect: Effect): effect is PaymentEffect {
  return (
    effect.type === 'create-payment' ||
    effect.type === 'get-payment' ||
    effect.type === 'capture' ||
    effect.type === 'cancel'
  );
}

/** The machine reads values only; the currency is carried as Vipps sent it. */
function money(a: ResponseAmount): Money {
  return { currency: a.currency as Currency, value: a.value };
}

export function toAggregate(a: VippsAggregate): PaymentAggregate {
  return {
    authorizedAmount: money(a.authorizedAmount),
    cancelledAmount: money(a.cancelledAmount),
    capturedAmount: money(a.capturedAmount),
    refundedAmount: money(a.refundedAmount),
  };
}

/**
 * How the machine sees a failed call. `retryable` is the error-code classification's retry-same-key: by code
 * first (6280, 6160 with a 4xx are retried; 4050, 5080 are not), then by status. A 2xx with a body we could
 * not read is treated as retryable: the call may well have succeeded, and repeating it with the same
 * Idempotency-Key returns the first result. Anything that is not a VippsError is a bug of ours and is rethrown
 * (the queue retries the job).
 */
export function operationFailure(err: unknown): OperationFailure {
  if (!(err instanceof VippsError)) throw err;
  if (err instanceof VippsApiError) {
    const code = err.code === undefined ? {} : { code: err.code };
    const action = classifyFailure({ status: err.status, retryable: err.retryable, ...code });
    return {
      status: err.status,
      retryable: action === 'retry-same-key',
      message: err.message,
      ...code,
      ...(err.retryAfterMs === undefined ? {} : { retryAfterS: Math.ceil(err.retryAfterMs / 1000) }),
      ...(err.traceId === undefined ? {} : { traceId: err.traceId }),
    };
  }
  const retryable =
    err instanceof VippsResponseError || classifyFailure({ retryable: err.retryable }) === 'retry-same-key';
  return { retryable, message: err.message };
}

export interface ExecuteContext {
  readonly epayment: EpaymentPort;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/** Runs one ePayment effect; returns the input that reports its result (null when there is none to feed). */
export async function executePaymentEffect(effect: PaymentEffect, x: ExecuteContext): Promise<Input | null> {
  const opts = x.signal ? { signal: x.signal } : {};
  const ref = { msn: effect.msn, reference: effect.reference };
  const { sessionId } = effect;
  switch (effect.type) {
    case 'create-payment':
      try {
        // The client's type names only `reference`; the parsed answer keeps redirectUrl when Vipps sends one.
        const created: { readonly reference: string; readonly redirectUrl?: string } =
          await x.epayment.create(
            {
              ...ref,
              amount: effect.amount,
              ...(effect.flow ? { flow: effect.flow } : { customerToken: effect.customerToken }),
              paymentDescription: effect.description,
              idempotencyKey: effect.idempotencyKey,
            },
            opts,
          );
        // QR and redirect flows answer with the URL the screen or the browser needs (issue 16).
        const url = effect.flow && created.redirectUrl ? { redirectUrl: created.redirectUrl } : {};
        return { type: 'payment-created', sessionId, ...url };
      } catch (err) {
        return { type: 'payment-create-failed', sessionId, ...operationFailure(err) };
      }
    case 'capture':
      try {
        const r = await x.epayment.capture(
          { ...ref, amount: effect.amount, idempotencyKey: effect.idempotencyKey },
          opts,
        );
        if (!isPaymentState(r.state)) warnUnknownOnce(x.logger, 'payment state', r.state);
        return { type: 'capture-done', sessionId, aggregate: toAggregate(r.aggregate) };
      } catch (err) {
        return { type: 'capture-failed', sessionId, ...operationFailure(err) };
      }
    case 'cancel':
      try {
        const r = await x.epayment.cancel({ ...ref, idempotencyKey: effect.idempotencyKey }, opts);
        if (!isPaymentState(r.state)) warnUnknownOnce(x.logger, 'payment state', r.state);
        return { type: 'cancel-done', sessionId, aggregate: toAggregate(r.aggregate) };
      } catch (err) {
        return { type: 'cancel-failed', sessionId, ...operationFailure(err) };
      }
    case 'get-payment':
      try {
        const p = await x.epayment.get(ref, opts);
        if (!isPaymentState(p.state)) {
          // Not final and not a failure: as after a failed read, the poll timer (or the deadline's recheck)
          // reads again.
          warnUnknownOnce(x.logger, 'payment state', p.state);
          return null;
        }
        return {
          type: 'poll-result',
          reference: effect.reference,
          state: p.state,
          aggregate: toAggregate(p.aggregate),
        };
      } catch (err) {
        // A read has no failure input: the poll timer (or the deadline's recheck) reads again.
        const f = operationFailure(err);
        x.logger.warn('payment read failed', {
          sessionId,
          laneId: effect.laneId,
          reference: effect.reference,
          status: f.status ?? null,
          code: f.code ?? null,
          retryable: f.retryable,
        });
        return null;
      }
  }
}
