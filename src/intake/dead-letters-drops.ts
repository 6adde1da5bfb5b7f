// Events intake dropped (unknown QR, disabled lane, stale check-in, a payment it did not make) are kept as
// dead letters too (issue 14), so an operator can see them and — after fixing the lanes file — replay them
// (src/admin/dead-letters-intake.ts). The body is kept as for any dead letter, its token erased; a check-in
// that can still pay keeps its token apart, in customer_token, until the token expires (initiatedAt +
// 15 min, vipps-protocol.md §3), the letter is replayed or discarded; the sweep in
// src/admin/dead-letters-token-sweep.ts erases it then (migration 010). A stale check-in keeps no token: it
// only gets older, so a replay could never pay.
import type { Sql } from '../store/sql';
import { keptBody } from './dead-letters';
import { checkinDedupKey, epaymentDedupKey } from './dedup-keys';
import type { VippsEvent } from './event-types';
import type { IntakeDropReason } from './intake';

/** The customer token's life from the check-in (vipps-protocol.md §3: "valid for 15 minutes"). */
export const CUSTOMER_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

export const CHECKIN_EVENT_TYPE = 'user.checked-in.v1';

/** `user.checked-in.v1`, or `epayments.payment.<name>.v1` as Vipps names its event types. */
export function eventTypeOf(value: VippsEvent): string {
  return value.kind === 'checkin'
    ? CHECKIN_EVENT_TYPE
    : `epayments.payment.${value.event.name.toLowerCase()}.v1`;
}

/**
 * When a dropped check-in's token stops being usable: 15 min after initiatedAt, and never later than 15 min
 * after it was received (a check-in stamped in the future by a drifting clock does not keep its token longer).
 */
export function tokenExpiresAt(initiatedAt: string, receivedAt: Date): Date {
  const fromScan = Date.parse(initiatedAt);
  const latest = receivedAt.getTime() + CUSTOMER_TOKEN_LIFETIME_MS;
  return new Date(
    Number.isNaN(fromScan) ? receivedAt.getTime() : Math.min(fromScan + CUSTOMER_TOKEN_LIFETIME_MS, latest),
  );
}

export interface DroppedEvent {
  readonly value: VippsEvent;
  readonly reason: IntakeDropReason;
  readonly laneId: string | undefined;
  readonly rawBody: Buffer;
  readonly contentType: string | undefined;
  readonly receivedAt: Date;
}

/** Writes the letter once per event (its dedup key); a second drop of the same event adds nothing. */
export async function recordDroppedEvent(sql: Sql, d: DroppedEvent): Promise<void> {
  const { value } = d;
  const checkin = value.kind === 'checkin' ? value.event : undefined;
  const keepToken = checkin !== undefined && d.reason !== 'stale_checkin';
  const expires = checkin ? tokenExpiresAt(checkin.initiatedAt, d.receivedAt) : null;
  const stillValid = keepToken && expires !== null && expires.getTime() > d.receivedAt.getTime();
  await sql.query(
    `INSERT INTO intake_dead_letters (received_at, reason, detail, content_type, raw_body, lane_id, event_type,
       msn, merchant_qr_id, dedup_key, customer_token, token_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING`,
    [
      d.receivedAt,
      d.reason,
      `${eventTypeOf(value)} dropped: ${d.reason}`,
      d.contentType ?? null,
      keptBody(d.rawBody),
      d.laneId ?? null,
      eventTypeOf(value),
      value.event.msn,
      checkin?.merchantQrId ?? null,
      value.kind === 'checkin' ? checkinDedupKey(value.event) : epaymentDedupKey(value.event),
      stillValid ? checkin.customerToken : null,
      expires,
    ],
  );
}
