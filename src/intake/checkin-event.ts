// Validates a `user.checked-in.v1` payload (vipps-protocol.md §3). Error details name the field, never its
// value: the payload carries the customer token.
import type { CheckinEvent } from './event-types';
import { type JsonObject, nonEmptyString } from './fields';
import { isIsoDateTime } from './iso-date';

export type FieldCheck<T> =
  { readonly ok: true; readonly event: T } | { readonly ok: false; readonly detail: string };

export function parseCheckin(obj: JsonObject): FieldCheck<CheckinEvent> {
  const customerToken = nonEmptyString(obj, 'customerToken');
  if (customerToken === undefined) return { ok: false, detail: 'customerToken must be a non-empty string' };
  const merchantQrId = nonEmptyString(obj, 'merchantQrId');
  if (merchantQrId === undefined) return { ok: false, detail: 'merchantQrId must be a non-empty string' };
  // §3: the 2023 docs called it merchantSerialNumber; current payloads say msn. Accept both.
  const msn = nonEmptyString(obj, 'msn') ?? nonEmptyString(obj, 'merchantSerialNumber');
  if (msn === undefined)
    return { ok: false, detail: 'msn (or merchantSerialNumber) must be a non-empty string' };
  const initiatedAt = obj['initiatedAt'];
  if (typeof initiatedAt !== 'string' || !isIsoDateTime(initiatedAt))
    return { ok: false, detail: 'initiatedAt must be an ISO-8601 date-time' };
  return { ok: true, event: { customerToken, merchantQrId, msn, initiatedAt } };
}
