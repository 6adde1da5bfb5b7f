// Queue dedup keys derived from the event itself (vipps-protocol.md §1.4): payloads carry no event id, and a
// retried delivery carries the same body, so the same event always yields the same key.
import { sha256Hex } from '../hash';
import type { CheckinEvent, EpaymentEvent } from './event-types';

/** `checkin:` + sha256 of `msn|merchantQrId|initiatedAt|customerToken`: hashed, so the token never shows. */
export function checkinDedupKey(e: CheckinEvent): string {
  return `checkin:${sha256Hex(`${e.msn}|${e.merchantQrId}|${e.initiatedAt}|${e.customerToken}`)}`;
}

/** `epayment:` + sha256 of `reference|name|pspReference` (pspReference is per event). */
export function epaymentDedupKey(e: EpaymentEvent): string {
  return `epayment:${sha256Hex(`${e.reference}|${e.name}|${e.pspReference}`)}`;
}
