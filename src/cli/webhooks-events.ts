// `--events` and `--kind` for the webhooks commands; the event lists live with the Vipps client.
import { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_KINDS, type WebhookKind } from '../vipps/webhook-events';
import { UsageError } from './command';

/** `--events a,b --events c` ⇒ [a, b, c]; none given ⇒ the defaults. */
export function eventsFromOption(value: unknown): readonly string[] {
  const given = Array.isArray(value) ? (value as string[]) : [];
  const events = given
    .flatMap((v) => v.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return events.length === 0 ? DEFAULT_WEBHOOK_EVENTS : [...new Set(events)];
}

export const kindOption = { kind: { type: 'string' } } as const;

/** `--kind checkin|epayment`; undefined when not given. */
export function kindFromOption(value: unknown): WebhookKind | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !WEBHOOK_KINDS.includes(value as WebhookKind))
    throw new UsageError(`--kind must be ${WEBHOOK_KINDS.join(' or ')}, got ${JSON.stringify(value)}`);
  return value as WebhookKind;
}
