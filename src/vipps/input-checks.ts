// Documented Vipps input constraints, checked before a request is built so a bug in our own identifiers fails
// fast with a precise message instead of a 400 from Vipps (and a session stuck retrying). Values are never
// put in messages: a customerToken or idempotency key is ours to keep out of logs.
import { VippsInvalidRequestError } from './errors';

export type Currency = 'NOK' | 'DKK' | 'EUR';
export interface Amount {
  readonly currency: Currency;
  /** Integer minor units: 1000 = 10.00 NOK. */
  readonly value: number;
}

const CURRENCIES: readonly string[] = ['NOK', 'DKK', 'EUR'];
// vipps-protocol.md §6.1: spec max 65000000; minimum NOK 100 øre, DKK 1 øre, EUR 1 cent (error 6010 otherwise).
const MAX_AMOUNT = 65_000_000;
const MIN_PAYMENT: Record<Currency, number> = { NOK: 100, DKK: 1, EUR: 1 };

export function checkAmount(operation: string, field: string, amount: Amount, isPayment: boolean): Amount {
  if (!CURRENCIES.includes(amount.currency)) throw invalid(operation, `${field}.currency`, 'NOK, DKK or EUR');
  const min = isPayment ? MIN_PAYMENT[amount.currency] : 1;
  if (!Number.isSafeInteger(amount.value) || amount.value < min || amount.value > MAX_AMOUNT)
    throw invalid(
      operation,
      `${field}.value`,
      `an integer number of minor units from ${min} to ${MAX_AMOUNT}`,
    );
  return { currency: amount.currency, value: amount.value };
}

// §6.1: spec 2024 says {8,50}, 2026 guidance {8,64}; 8-50 satisfies both.
export function checkReference(operation: string, reference: string): string {
  if (!/^[a-zA-Z0-9-]{8,50}$/.test(reference))
    throw invalid(operation, 'reference', '8-50 characters of a-z, A-Z, 0-9 and -');
  return reference;
}

// §6: max 50 characters; it travels as a header, so visible ASCII only.
export function checkIdempotencyKey(operation: string, key: string): string {
  if (!/^[\x21-\x7e]{1,50}$/.test(key))
    throw invalid(operation, 'idempotencyKey', '1-50 visible ASCII characters');
  return key;
}

// §7: spec says 4-6 digits, the SDK 4-7 and 7-digit MSNs exist, so only the form is checked, not a length cap.
export function checkMsn(operation: string, msn: string): string {
  if (!/^[0-9]{1,12}$/.test(msn)) throw invalid(operation, 'msn', 'the merchant serial number (digits)');
  return msn;
}

export function checkText(operation: string, field: string, value: string, min: number, max: number): string {
  if (value.length < min || value.length > max) throw invalid(operation, field, `${min}-${max} characters`);
  return value;
}

/** A QR image's pixel size: the QR API takes 100-2000 (merchant-callback, merchant-redirect alike). */
export function checkQrSize(operation: string, size: number): number {
  if (!Number.isInteger(size) || size < 100 || size > 2000)
    throw invalid(operation, 'size', 'an integer from 100 to 2000');
  return size;
}

export function invalid(operation: string, field: string, expected: string): VippsInvalidRequestError {
  return new VippsInvalidRequestError(operation, field, expected);
}
