// Turns a verified raw body into one of the events the gateway consumes. A Vipps delivery carries no event-type
// header, so the event is classified by its shape; whatever cannot be used is reported with a drop reason.
import { parseCheckin } from './checkin-event';
import { isEpaymentEventName, parseEpayment } from './epayment-event';
import type { VippsEvent } from './event-types';
import { isObject } from './fields';
import type { Logger } from '../log';
import { safeWord, warnUnknownOnce } from '../vipps/unknown-words';

export type UnusableBodyReason = 'invalid_json' | 'unknown_shape' | 'unsupported_event_type';

export type ParseEventResult =
  | { readonly ok: true; readonly value: VippsEvent }
  | { readonly ok: false; readonly reason: UnusableBodyReason; readonly detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJson(rawBody: Buffer): { ok: true; json: unknown } | { ok: false } {
  try {
    return { ok: true, json: JSON.parse(utf8.decode(rawBody)) };
  } catch {
    return { ok: false };
  }
}

/** Signed by Vipps, so safe to log, but bounded: it is still text from outside. */
function quote(value: string): string {
  return JSON.stringify(value.slice(0, 100));
}

/** `log`, when given, gets one warn line per ePayment event name this process has not met before. */
export function parseEvent(rawBody: Buffer, log?: Logger): ParseEventResult {
  const decoded = decodeJson(rawBody);
  if (!decoded.ok) return { ok: false, reason: 'invalid_json', detail: 'the body is not valid UTF-8 JSON' };
  const obj = decoded.json;
  if (!isObject(obj)) return { ok: false, reason: 'unknown_shape', detail: 'the body is not a JSON object' };

  if ('customerToken' in obj) {
    const r = parseCheckin(obj);
    return r.ok
      ? { ok: true, value: { kind: 'checkin', event: r.event } }
      : { ok: false, reason: 'unknown_shape', detail: `user.checked-in.v1: ${r.detail}` };
  }
  if ('reference' in obj && 'pspReference' in obj) {
    // An ePayment-shaped event with a name we do not know is a newer event type, not garbage: answered 2xx,
    // dropped and counted (architecture §1, issue 12). Only the name, cut to a safe word, reaches the detail.
    const name = obj['name'];
    if (typeof name === 'string' && !isEpaymentEventName(name)) {
      if (log) warnUnknownOnce(log, 'payment event name', name);
      return { ok: false, reason: 'unsupported_event_type', detail: `ePayment event "${safeWord(name)}"` };
    }
    const r = parseEpayment(obj);
    return r.ok
      ? { ok: true, value: { kind: 'epayment', event: r.event } }
      : { ok: false, reason: 'unknown_shape', detail: `epayments.payment.*.v1: ${r.detail}` };
  }
  // Other Vipps APIs (recurring, login) name their event in the payload: registered by mistake, not forged.
  if (typeof obj['eventType'] === 'string')
    return { ok: false, reason: 'unsupported_event_type', detail: `event type ${quote(obj['eventType'])}` };
  return { ok: false, reason: 'unknown_shape', detail: 'neither a check-in nor an ePayment event' };
}
