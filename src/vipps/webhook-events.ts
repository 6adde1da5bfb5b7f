// The events a gateway registration subscribes to (vipps-protocol.md §2): the QR check-in that starts a
// session, and all eight ePayment events that move it on.
import { PAYMENT_EVENT_NAMES } from './epayment-types';

export const CHECKED_IN_EVENT = 'user.checked-in.v1';

export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [
  CHECKED_IN_EVENT,
  ...PAYMENT_EVENT_NAMES.map((name) => `epayments.payment.${name.toLowerCase()}.v1`),
];
