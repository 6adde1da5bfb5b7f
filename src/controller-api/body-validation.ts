// Request bodies of the controller API, validated into typed values with one error per offending field, so a
// POS developer sees everything to fix in one answer (422 invalid_body).
import type { Lane } from '../lanes/lane';
import { amountError } from '../lanes/validate-fields';
import type { DispenseReport, SaleRequest } from './controller-service';
import type { FieldError } from './problems';

export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldError[] };

const ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_DESCRIPTION = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMinorUnits(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function unknownFields(body: Record<string, unknown>, known: readonly string[]): FieldError[] {
  return Object.keys(body)
    .filter((k) => !known.includes(k))
    .map((field) => ({ field, message: 'is not a known field' }));
}

const NOT_AN_OBJECT: FieldError[] = [
  { field: '', message: 'the body must be a JSON object (Content-Type: application/json)' },
];

export function validateSale(body: unknown, lane: Pick<Lane, 'currency'>): Validated<SaleRequest> {
  if (!isRecord(body)) return { ok: false, errors: NOT_AN_OBJECT };
  const errors = unknownFields(body, ['amount', 'currency', 'description', 'orderId']);
  const { amount, currency, description, orderId } = body;
  if (!isMinorUnits(amount))
    errors.push({ field: 'amount', message: 'must be a positive integer in minor units (øre, cents)' });
  // The lanes file's limits on every amount (ePayment's minimum per currency and its maximum, 65000000).
  const outOfRange = isMinorUnits(amount) ? amountError(amount, lane.currency) : undefined;
  if (outOfRange) errors.push({ field: 'amount', message: outOfRange });
  if (currency !== lane.currency)
    errors.push({ field: 'currency', message: `must be ${lane.currency}, the lane's currency` });
  if (typeof description !== 'string' || description.trim() === '' || description.length > MAX_DESCRIPTION) {
    errors.push({
      field: 'description',
      message: `must be a non-empty string of at most ${MAX_DESCRIPTION} characters`,
    });
  }
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) {
    errors.push({ field: 'orderId', message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      amount: amount as number,
      currency: lane.currency,
      description: description as string,
      orderId: orderId as string,
    },
  };
}

export function validateDispense(body: unknown): Validated<DispenseReport> {
  if (!isRecord(body)) return { ok: false, errors: NOT_AN_OBJECT };
  const errors = unknownFields(body, ['result', 'amount']);
  const { result, amount } = body;
  if (result === 'dispensed') {
    if (!isMinorUnits(amount)) {
      errors.push({
        field: 'amount',
        message: 'is required with "dispensed": a positive integer in minor units',
      });
    }
  } else if (result === 'failed') {
    if (amount !== undefined) errors.push({ field: 'amount', message: 'must be omitted with "failed"' });
  } else {
    errors.push({ field: 'result', message: 'must be "dispensed" or "failed"' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: result === 'dispensed' ? { result, amount: amount as number } : { result: 'failed' },
  };
}
