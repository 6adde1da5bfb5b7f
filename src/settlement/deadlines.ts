// Vipps's time limits on a payment's operations, counted from the payment's creation. Past them Vipps answers
// 400 and the settlement cannot finish on its own: it ends needs-attention, never silently.
// - Capture (and so cancel of a reservation): Norway 180 days, Denmark and Finland 14 days; uncaptured
//   payments are cancelled automatically after that ("Payment time limits",
//   https://developer.vippsmobilepay.com/docs/knowledge-base/payment-rules/).
// - Refund: up to 365 days after the payment (https://developer.vippsmobilepay.com/docs/knowledge-base/refund/).
import type { Currency } from '../sessions/types';
import type { SettlementOp } from './types';

const DAY_MS = 86_400_000;

export interface SettlementLimits {
  /** Capture and cancel, by currency (NOK = Norway; DKK, EUR = Denmark, Finland). */
  readonly captureDays: Readonly<Record<Currency, number>>;
  readonly refundDays: number;
}

export const VIPPS_LIMITS: SettlementLimits = Object.freeze({
  captureDays: Object.freeze({ NOK: 180, DKK: 14, EUR: 14 }),
  refundDays: 365,
});

export function deadlineMs(
  limits: SettlementLimits,
  op: SettlementOp,
  currency: Currency,
  paymentCreatedAt: string,
): number {
  const days = op === 'refund' ? limits.refundDays : limits.captureDays[currency];
  return Date.parse(paymentCreatedAt) + days * DAY_MS;
}
