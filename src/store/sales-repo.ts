// Self-checkout open sales, one per lane. Two writers, one row: the controller API reserves the lane's slot
// with an unapplied row (so a second sale conflicts at once) and queues a sale-opened job; the worker turns it
// into the state machine's open sale (`applied`), rebinds it and removes it. The state machine only ever sees
// applied rows.
import type { OpenSale } from '../sessions/types';
import type { Sql, Statement } from './sql';

export interface StoredSale extends OpenSale {
  /** False while the sale-opened job that will hand it to the state machine is still queued. */
  readonly applied: boolean;
}

export interface SaleRow {
  data: OpenSale;
  applied: boolean;
  session_id: string | null;
}

export async function loadSale(sql: Sql, laneId: string): Promise<StoredSale | null> {
  const { rows } = await sql.query<SaleRow>(
    'SELECT data, applied, session_id FROM open_sales WHERE lane_id = $1',
    [laneId],
  );
  const row = rows[0];
  return row ? saleFromRow(row) : null;
}

export function saleFromRow(row: SaleRow): StoredSale {
  return { ...row.data, sessionId: row.session_id, applied: row.applied };
}

/** The state machine's view of a sale row: only an applied sale is open. */
export function openSaleOf(stored: StoredSale | null): OpenSale | null {
  if (!stored?.applied) return null;
  const { applied: _applied, ...sale } = stored;
  return sale;
}

/** The state machine's view: the lane's applied open sale, or null. */
export async function loadOpenSale(sql: Sql, laneId: string): Promise<OpenSale | null> {
  return openSaleOf(await loadSale(sql, laneId));
}

/** The controller API's reservation; false when the lane already has a sale row (of any order). */
export async function reserveSale(sql: Sql, sale: OpenSale, now: Date): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO open_sales (lane_id, order_id, session_id, applied, data, opened_at, updated_at)
     VALUES ($1, $2, NULL, false, $3::jsonb, $4, $5) ON CONFLICT (lane_id) DO NOTHING`,
    [sale.laneId, sale.orderId, JSON.stringify({ ...sale, sessionId: null }), sale.openedAt, now],
  );
  return r.affectedRows === 1;
}

/**
 * Writes the state machine's new open sale for `laneId` (null = none). `previousOrderId` is the order the
 * step saw: a removal only deletes that order's row, never a reservation the controller API made meanwhile.
 */
export async function saveOpenSale(
  sql: Sql,
  laneId: string,
  sale: OpenSale | null,
  previousOrderId: string | null,
  now: Date,
): Promise<void> {
  for (const s of saveOpenSaleStatements(laneId, sale, previousOrderId, now))
    await sql.query(s.text, s.params);
}

export function saveOpenSaleStatements(
  laneId: string,
  sale: OpenSale | null,
  previousOrderId: string | null,
  now: Date,
): Statement[] {
  if (sale === null) {
    return previousOrderId === null
      ? []
      : [
          {
            text: 'DELETE FROM open_sales WHERE lane_id = $1 AND order_id = $2',
            params: [laneId, previousOrderId],
          },
        ];
  }
  return [
    {
      text: `INSERT INTO open_sales (lane_id, order_id, session_id, applied, data, opened_at, updated_at)
     VALUES ($1, $2, $3, true, $4::jsonb, $5, $6)
     ON CONFLICT (lane_id) DO UPDATE SET order_id = EXCLUDED.order_id, session_id = EXCLUDED.session_id,
       applied = true, data = EXCLUDED.data, opened_at = EXCLUDED.opened_at, updated_at = EXCLUDED.updated_at`,
      params: [laneId, sale.orderId, sale.sessionId, JSON.stringify(sale), sale.openedAt, now],
    },
  ];
}

/** Withdraws a reservation the state machine never took (cancelled before, or refused by, the worker). */
export async function deleteUnappliedSale(sql: Sql, laneId: string, orderId: string): Promise<boolean> {
  const s = deleteUnappliedSaleStatement(laneId, orderId);
  const r = await sql.query(s.text, s.params);
  return r.affectedRows === 1;
}

export function deleteUnappliedSaleStatement(laneId: string, orderId: string): Statement {
  return {
    text: 'DELETE FROM open_sales WHERE lane_id = $1 AND order_id = $2 AND NOT applied',
    params: [laneId, orderId],
  };
}
