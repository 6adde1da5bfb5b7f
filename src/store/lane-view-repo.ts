// What one step of a lane reads (src/sessions/worker-context.ts), in one statement: the session an input names
// (by id or by ePayment reference), and on that session's lane (else the given lane) the active session and
// the sale row. One round trip instead of three or four, and one snapshot, so the reads agree with each other.
import type { Session } from '../sessions/types';
import { saleFromRow, type SaleRow, type StoredSale } from './sales-repo';
import { sessionFromRow, type SessionRow } from './sessions-repo';
import type { Sql } from './sql';

export type SessionKey =
  | { readonly by: 'id'; readonly value: string }
  | { readonly by: 'reference'; readonly value: string }
  | { readonly by: 'none' };

export interface LaneView {
  /** The session the key names (null without a key, or none stored). */
  readonly session: Session | null;
  /** The lane whose rows follow: the named session's, else the lane asked for. */
  readonly laneId: string;
  /** The lane's session that has not ended (the newest, should a bug ever leave two). */
  readonly activeSession: Session | null;
  /** The lane's sale row, applied or not. */
  readonly sale: StoredSale | null;
}

// `part` tells the rows apart; a sale travels in the session columns' place as one jsonb object.
const viewSql = (keyColumn: 'id' | 'reference'): string => `
  WITH named AS (SELECT data, customer_token, lane_id FROM sessions WHERE ${keyColumn} = $1),
  lane AS (SELECT coalesce((SELECT lane_id FROM named), $2::text) AS id)
  SELECT 'named' AS part, data, customer_token, lane_id FROM named
  UNION ALL
  (SELECT 'active', s.data, s.customer_token, s.lane_id FROM sessions s, lane
    WHERE s.lane_id = lane.id AND NOT s.final ORDER BY s.created_at DESC, s.id LIMIT 1)
  UNION ALL
  SELECT 'sale', jsonb_build_object('data', o.data, 'applied', o.applied, 'session_id', o.session_id), NULL,
    o.lane_id
  FROM open_sales o, lane WHERE o.lane_id = lane.id`;

const BY_ID = viewSql('id');
const BY_REFERENCE = viewSql('reference');

interface ViewRow {
  part: 'named' | 'active' | 'sale';
  data: unknown;
  customer_token: string | null;
  lane_id: string;
}

export async function loadLaneView(sql: Sql, key: SessionKey, laneId: string): Promise<LaneView> {
  const text = key.by === 'reference' ? BY_REFERENCE : BY_ID;
  const { rows } = await sql.query<ViewRow>(text, [key.by === 'none' ? null : key.value, laneId]);
  const part = (name: ViewRow['part']) => rows.find((r) => r.part === name);
  const named = part('named');
  const active = part('active');
  const sale = part('sale');
  return {
    session: named ? sessionFromRow(named as SessionRow) : null,
    laneId: named?.lane_id ?? laneId,
    activeSession: active ? sessionFromRow(active as SessionRow) : null,
    sale: sale ? saleFromRow(sale.data as SaleRow) : null,
  };
}

/** The lane's session that has not ended (the newest, should a bug ever leave two): the lane view's rule. */
export async function loadActiveSession(sql: Sql, laneId: string): Promise<Session | null> {
  return (await loadLaneView(sql, { by: 'none' }, laneId)).activeSession;
}
