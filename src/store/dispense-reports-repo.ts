// The dispense report accepted for each vending session (migration 008), so a second, different report is
// refused while the first is still queued, whichever queue carries it.
import type { Sql } from './sql';

export interface AcceptedReport {
  readonly result: 'dispensed' | 'failed';
  /** Minor units; absent with `failed`. */
  readonly amount?: number;
}

/**
 * Records `report` as the session's accepted one, unless one is recorded already. Returns what is recorded
 * after the call: this report when it was first (`first: true`), else the earlier one.
 */
export async function acceptDispenseReport(
  sql: Sql,
  key: { readonly sessionId: string; readonly laneId: string },
  report: AcceptedReport,
  now: Date,
): Promise<{ readonly first: boolean; readonly report: AcceptedReport }> {
  // One statement: on a server, two concurrent reports cannot both be first.
  const { rows } = await sql.query<{ first: boolean; report: AcceptedReport }>(
    `WITH inserted AS (
       INSERT INTO dispense_reports (session_id, lane_id, report, accepted_at)
       VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (session_id) DO NOTHING RETURNING report
     )
     SELECT true AS first, report FROM inserted
     UNION ALL
     SELECT false AS first, report FROM dispense_reports WHERE session_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
    [key.sessionId, key.laneId, JSON.stringify(report), now],
  );
  const row = rows[0];
  if (row) return { first: row.first, report: row.report };
  // On a server, a concurrent first report committed after this statement's snapshot: ON CONFLICT saw it,
  // the SELECT did not. A fresh statement does.
  const again = await sql.query<{ report: AcceptedReport }>(
    'SELECT report FROM dispense_reports WHERE session_id = $1',
    [key.sessionId],
  );
  const existing = again.rows[0];
  if (!existing) throw new Error('a dispense report was neither recorded nor found');
  return { first: false, report: existing.report };
}
