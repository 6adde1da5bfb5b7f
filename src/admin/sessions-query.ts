// Sessions for operators: a filtered listing (newest first, keyset cursor on (created_at, id)) and one
// session's detail with its whole timeline. The customer token never leaves the store: rows are read
// without the customer_token column.
import { paymentRow, sessionTimeline } from '../settlement/payments-view';
import { loadSettlementBySession } from '../store/settlements-repo';
import type { Sql } from '../store/sql';
import type { Session } from '../sessions/types';
import type { SessionDetail, SessionsPage, SessionsQuery, SessionSummary } from './types';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

type StoredData = Omit<Session, 'customerToken'>;

interface Row {
  id: string;
  lane_id: string;
  state: string;
  final: boolean;
  reference: string;
  data: StoredData;
  created_at: Date;
  updated_at: Date;
}

function summary(r: Row, now: Date): SessionSummary {
  const created = new Date(r.created_at);
  return {
    id: r.id,
    laneId: r.lane_id,
    kind: r.data.kind,
    state: r.state,
    final: r.final,
    reference: r.reference,
    amount: r.data.amount?.value ?? null,
    captured: r.data.capturedValue ?? 0,
    currency: r.data.amount?.currency ?? r.data.sale?.amount.currency ?? null,
    reason: r.data.reason ?? null,
    createdAt: created.toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    ageS: Math.max(0, Math.floor((now.getTime() - created.getTime()) / 1000)),
  };
}

/** `<created_at ms>.<id>` of the last row, opaque to callers. */
function cursorOf(r: Row): string {
  return Buffer.from(`${new Date(r.created_at).getTime()}.${r.id}`).toString('base64url');
}

export function parseCursor(cursor: string): { at: Date; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,15})\.(.+)$/.exec(text);
  return m ? { at: new Date(Number(m[1])), id: m[2]! } : undefined;
}

const COLUMNS = 'id, lane_id, state, final, reference, data, created_at, updated_at';

export async function querySessions(db: Sql, q: SessionsQuery, now: Date): Promise<SessionsPage> {
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const after = q.cursor === undefined ? undefined : parseCursor(q.cursor);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM sessions
      WHERE ($1::text IS NULL OR lane_id = $1)
        AND ($2::text IS NULL OR state = $2 OR ($2 = 'active' AND NOT final))
        AND ($3::timestamptz IS NULL OR created_at >= $3)
        AND ($4::timestamptz IS NULL OR created_at < $4)
        AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::text))
      ORDER BY created_at DESC, id DESC LIMIT $7`,
    [
      q.laneId ?? null,
      q.state ?? null,
      q.from ?? null,
      q.to ?? null,
      after?.at ?? null,
      after?.id ?? null,
      limit + 1,
    ],
  );
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => summary(r, now)),
    nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]!) : null,
  };
}

export async function querySession(db: Sql, id: string, now: Date): Promise<SessionDetail | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [id]);
  const r = rows[0];
  if (!r) return null;
  const [settlement, timeline] = await Promise.all([
    loadSettlementBySession(db, id),
    sessionTimeline(db, id, r.reference),
  ]);
  return {
    session: {
      ...summary(r, now),
      sale: r.data.sale,
      pending: r.data.pending,
      timers: r.data.timers,
      authorizedValue: r.data.authorizedValue,
      cancelledValue: r.data.cancelledValue,
      dispensedValue: r.data.dispensedValue,
    },
    payment: settlement ? paymentRow(settlement, now) : null,
    timeline,
  };
}
