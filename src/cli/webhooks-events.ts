// The events a gateway registration subscribes to (vipps-protocol.md §2): the QR check-in that starts a
// session, and all eight ePayment events that move it on (intake's own list, so the two cannot drift apart).
import { EPAYMENT_EVENT_NAMES } from '../intake/event-types';

export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [
  'user.checked-in.v1',
  ...EPAYMENT_EVENT_NAMES.map((name) => `epayments.payment.${name.toLowerCase()}.v1`),
];

export const CHECKED_IN_EVENT = 'user.checked-in.v1';

/** `--events a,b --events c` ⇒ [a, b, c]; none given ⇒ the defaults. */
export function eventsFromOption(value: unknown): readonly string[] {
  const given = Array.isArray(value) ? (value as string[]) : [];
  const events = given
    .flatMap((v) => v.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return events.length === 0 ? DEFAULT_WEBHOOK_EVENTS : [...new Set(events)];
}
