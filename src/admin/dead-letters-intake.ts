// Intake dead letters (intake_dead_letters): events intake dropped (src/intake/dead-letters-drops.ts) and
// signed bodies it could not parse (src/intake/dead-letters.ts). A replay runs the event through intake again
// — the lane mapping of the lanes file as it is now, the staleness cutoff (CHECKIN_MAX_AGE_S or the lane's
// checkinMaxAgeS), the same dedup key and the same enqueue as a live delivery (src/intake/intake.ts) — so a
// replay and a Vipps retry of the same event are one job, and the lane machine's own checks follow.
// A check-in is replayed only with the token kept for it and only before the token stops being usable
// (15 min after the check-in, less the machine's 30 s safety margin, timing.ts): otherwise it is recorded
// stale and nothing is queued.
import { CUSTOMER_TOKEN_LIFETIME_MS } from '../intake/dead-letters-drops';
import { parseEvent } from '../intake/events';
import { type IntakeDeps, intakeEvent } from '../intake/intake';
import { DEFAULT_TIMING } from '../sessions/timing';
import type { Sql } from '../store/sql';
import {
  type KindListQuery,
  type KindRow,
  listKindRows,
  qrOfRow,
  type Sorted,
  sortedLetter,
} from './dead-letters-page';
import { alreadyResolved, resolutionOf, resolve, stateSql } from './dead-letters-resolutions';
import type { DiscardResult, ReplayResult } from './dead-letters-types';

const KIND = 'intake';
const SAFETY_MS = DEFAULT_TIMING.tokenSafetyS * 1000;

interface Row extends KindRow {
  reason: string;
  detail: string | null;
  lane_id: string | null;
  event_type: string | null;
  msn: string | null;
  merchant_qr_id: string | null;
  has_token: boolean;
  token_expires_at: Date | null;
}

/** When a replay of a check-in whose token expires at `expiresAt` could still pay (before the cutoffs). */
export function replayableUntil(expiresAt: Date, maxAgeS: number): Date {
  const initiatedMs = expiresAt.getTime() - CUSTOMER_TOKEN_LIFETIME_MS;
  return new Date(Math.min(expiresAt.getTime() - SAFETY_MS, initiatedMs + maxAgeS * 1000));
}

export async function listIntakeLetters(
  db: Sql,
  q: KindListQuery,
  maxAgeS: (qr: { msn: string; merchantQrId: string }) => number,
  now: Date,
): Promise<Sorted[]> {
  const rows = await listKindRows<Row>(
    db,
    KIND,
    q,
    `SELECT d.id::text AS key, date_trunc('milliseconds', d.received_at) AS at, d.reason, d.detail, d.lane_id,
       d.event_type, d.msn, d.merchant_qr_id, (d.customer_token IS NOT NULL) AS has_token, d.token_expires_at,
       ${stateSql()} AS state, r.at AS resolved_at, r.operator AS resolved_by
     FROM intake_dead_letters d LEFT JOIN dead_letter_resolutions r ON r.letter_id = 'intake-' || d.id::text
     WHERE ($1::text IS NULL OR d.lane_id = $1)`,
  );
  return rows.map((r) => {
    const qr = qrOfRow(r);
    const until =
      r.has_token && r.state === 'open' && r.token_expires_at && qr
        ? replayableUntil(new Date(r.token_expires_at), maxAgeS(qr))
        : null;
    return sortedLetter(KIND, r, {
      reason: r.reason,
      detail: r.detail,
      laneId: r.lane_id,
      eventType: r.event_type,
      qr,
      attempts: null,
      replayableUntil: until && until.getTime() > now.getTime() ? until.toISOString() : null,
    });
  });
}

interface StoredLetter {
  raw_body: Uint8Array;
  event_type: string | null;
  customer_token: string | null;
  token_expires_at: Date | null;
}

async function load(db: Sql, key: string): Promise<StoredLetter | undefined> {
  const { rows } = await db.query<StoredLetter>(
    'SELECT raw_body, event_type, customer_token, token_expires_at FROM intake_dead_letters WHERE id = $1::bigint',
    [key],
  );
  return rows[0];
}

/** A resolved letter keeps no token; a replayed one now names the lane intake mapped it to. */
function settle(db: Sql, key: string, laneId?: string): Promise<unknown> {
  return db.query(
    'UPDATE intake_dead_letters SET customer_token = NULL, lane_id = coalesce($2, lane_id) WHERE id = $1::bigint',
    [key, laneId ?? null],
  );
}

/** The body as Vipps sent it: the kept body with the token put back (a check-in), or as kept. */
function originalBody(stored: StoredLetter): Buffer | undefined {
  const text = Buffer.from(stored.raw_body).toString('utf8');
  if (stored.customer_token === null) return Buffer.from(text, 'utf8');
  try {
    const obj = JSON.parse(text) as Record<string, unknown>;
    delete obj['customerTokenErased'];
    return Buffer.from(JSON.stringify({ ...obj, customerToken: stored.customer_token }), 'utf8');
  } catch {
    return undefined;
  }
}

export interface IntakeReplayDeps extends IntakeDeps {
  readonly db: Sql;
}

export async function replayIntakeLetter(
  deps: IntakeReplayDeps,
  id: string,
  key: string,
  operator: string,
): Promise<ReplayResult> {
  const { db } = deps;
  const stored = await load(db, key);
  if (!stored) return { id, outcome: 'not_found' };
  const done = await resolutionOf(db, id);
  if (done) return alreadyResolved(id, done);
  const letter = { id, kind: KIND } as const;
  const now = deps.clock.now();
  if (stored.event_type === null) return { id, outcome: 'not_replayable' };
  const isCheckin = stored.event_type === 'user.checked-in.v1';
  const stale = async (why: string): Promise<ReplayResult> => {
    await resolve(db, letter, 'stale', operator, now, why);
    await settle(db, key);
    return { id, outcome: 'stale' };
  };
  if (isCheckin) {
    const expires = stored.token_expires_at ? new Date(stored.token_expires_at).getTime() : 0;
    if (stored.customer_token === null) return stale('the customer token was erased');
    if (now.getTime() >= expires - SAFETY_MS) return stale('the customer token expired');
  }
  const body = originalBody(stored);
  const parsed = body ? parseEvent(body) : undefined;
  if (!parsed?.ok) return { id, outcome: 'not_replayable' };
  const outcome = await intakeEvent(parsed.value, deps);
  if (outcome.kind === 'dropped') {
    if (outcome.reason === 'stale_checkin') return stale('older than the check-in cutoff');
    return { id, outcome: 'still_dropped', reason: outcome.reason };
  }
  await resolve(db, letter, 'replayed', operator, now, `job ${outcome.jobId}`);
  await settle(db, key, outcome.laneId);
  return { id, outcome: outcome.duplicate ? 'duplicate' : 'replayed', jobId: outcome.jobId };
}

export async function discardIntakeLetter(
  db: Sql,
  id: string,
  key: string,
  operator: string,
  now: Date,
): Promise<DiscardResult> {
  if (!(await load(db, key))) return { id, outcome: 'not_found' };
  const done = await resolutionOf(db, id);
  if (done) return alreadyResolved(id, done);
  await resolve(db, { id, kind: KIND }, 'discarded', operator, now);
  await settle(db, key);
  return { id, outcome: 'discarded' };
}
