// The two Vipps events the gateway consumes, as validated at intake (vipps-protocol.md §3 and §6.5).

import type { PaymentEventName } from '../vipps/epayment-types';

/** `user.checked-in.v1` from a merchant-callback QR. `customerToken` is a secret for 15 minutes: never log it. */
export interface CheckinEvent {
  readonly customerToken: string;
  readonly merchantQrId: string;
  /** `msn`, or the older `merchantSerialNumber` (§3 discrepancy). */
  readonly msn: string;
  /** Verbatim from the payload (7 fractional digits); dedup keys and session ids hash this exact text. */
  readonly initiatedAt: string;
}

/**
 * `epayments.payment.*.v1`: all eight events share this shape; only `name` differs. A name Vipps adds later is
 * not one of these: intake answers it 2xx and drops it (events.ts), so `name` here is always a known one.
 */
export interface EpaymentEvent {
  readonly msn: string;
  readonly reference: string;
  /** Per event, not per payment. */
  readonly pspReference: string;
  readonly name: PaymentEventName;
  readonly amount: { readonly currency: string; readonly value: number };
  readonly timestamp: string;
  /** Absent on some events (e.g. CANCELLED). */
  readonly idempotencyKey?: string;
  /** Check it: a `success: false` event is passed on to the worker, which decides. */
  readonly success: boolean;
}

export type VippsEvent =
  | { readonly kind: 'checkin'; readonly event: CheckinEvent }
  | { readonly kind: 'epayment'; readonly event: EpaymentEvent };
