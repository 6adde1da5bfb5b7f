// Validates an `epayments.payment.*.v1` payload (vipps-protocol.md §6.5).
import type { FieldCheck } from './checkin-event';
import { isPaymentEventName, PAYMENT_EVENT_NAMES, type PaymentEventName } from '../vipps/epayment-types';
import type { EpaymentEvent } from './event-types';
import { type JsonObject, isObject, nonEmptyString } from './fields';
import { isIsoDateTime } from './iso-date';

/** A name this gateway knows; events.ts drops any other (answered 2xx) before parseEpayment sees it. */
export function isEpaymentEventName(value: unknown): value is PaymentEventName {
  return typeof value === 'string' && isPaymentEventName(value);
}

export function parseEpayment(obj: JsonObject): FieldCheck<EpaymentEvent> {
  const msn = nonEmptyString(obj, 'msn');
  if (msn === undefined) return { ok: false, detail: 'msn must be a non-empty string' };
  const reference = nonEmptyString(obj, 'reference');
  if (reference === undefined) return { ok: false, detail: 'reference must be a non-empty string' };
  const pspReference = nonEmptyString(obj, 'pspReference');
  if (pspReference === undefined) return { ok: false, detail: 'pspReference must be a non-empty string' };
  const name = obj['name'];
  if (!isEpaymentEventName(name))
    return { ok: false, detail: `name must be one of ${PAYMENT_EVENT_NAMES.join(', ')}` };
  const amount = obj['amount'];
  const currency = isObject(amount) ? nonEmptyString(amount, 'currency') : undefined;
  const value = isObject(amount) ? amount['value'] : undefined;
  if (currency === undefined || typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    return { ok: false, detail: 'amount must be {currency: string, value: integer >= 0}' };
  const timestamp = obj['timestamp'];
  if (typeof timestamp !== 'string' || !isIsoDateTime(timestamp))
    return { ok: false, detail: 'timestamp must be an ISO-8601 date-time' };
  // §6.5: idempotencyKey may be absent (e.g. CANCELLED); null is read as absent too.
  const idempotencyKey = obj['idempotencyKey'];
  if (idempotencyKey !== undefined && idempotencyKey !== null && typeof idempotencyKey !== 'string')
    return { ok: false, detail: 'idempotencyKey must be a string when present' };
  const success = obj['success'];
  if (typeof success !== 'boolean') return { ok: false, detail: 'success must be a boolean' };
  return {
    ok: true,
    event: {
      msn,
      reference,
      pspReference,
      name,
      amount: { currency, value },
      timestamp,
      ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
      success,
    },
  };
}
