// `--events` parsing for the webhooks commands; the default list lives with the Vipps client.
import { DEFAULT_WEBHOOK_EVENTS } from '../vipps/webhook-events';

/** `--events a,b --events c` ⇒ [a, b, c]; none given ⇒ the defaults. */
export function eventsFromOption(value: unknown): readonly string[] {
  const given = Array.isArray(value) ? (value as string[]) : [];
  const events = given
    .flatMap((v) => v.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return events.length === 0 ? DEFAULT_WEBHOOK_EVENTS : [...new Set(events)];
}
