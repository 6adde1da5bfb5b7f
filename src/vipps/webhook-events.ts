// The events a gateway subscribes to (vipps-protocol.md §2), in two registrations per sales unit (issue 15):
// the QR check-in that starts a session, and the eight ePayment events that move it on. Vipps allows only one
// `user.checked-in.v1` registration per sales unit, so the two are kept apart: the ePayment one can be rotated
// with an overlap, the check-in one cannot.
import { PAYMENT_EVENT_NAMES } from './epayment-types';

export const CHECKED_IN_EVENT = 'user.checked-in.v1';

export const EPAYMENT_WEBHOOK_EVENTS: readonly string[] = PAYMENT_EVENT_NAMES.map(
  (name) => `epayments.payment.${name.toLowerCase()}.v1`,
);

/** Both kinds together: what one bundled registration used to hold. */
export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [CHECKED_IN_EVENT, ...EPAYMENT_WEBHOOK_EVENTS];

export type WebhookKind = 'checkin' | 'epayment';
export const WEBHOOK_KINDS: readonly WebhookKind[] = ['checkin', 'epayment'];

export function eventsOfKind(kind: WebhookKind): readonly string[] {
  return kind === 'checkin' ? [CHECKED_IN_EVENT] : EPAYMENT_WEBHOOK_EVENTS;
}

/** The kind a registration serves: one holding the check-in event is the check-in one (even a bundled one). */
export function kindOfEvents(events: readonly string[]): WebhookKind | undefined {
  if (events.includes(CHECKED_IN_EVENT)) return 'checkin';
  return events.some((e) => EPAYMENT_WEBHOOK_EVENTS.includes(e)) ? 'epayment' : undefined;
}

/** The same set of events, in any order. */
export function sameEvents(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((e) => set.has(e));
}
