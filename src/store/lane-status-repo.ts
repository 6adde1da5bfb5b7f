// Per-lane live status for the controller API: the active session and when a customer last checked in.
// Written in the transaction of every step that touches a session, so it never disagrees with `sessions`.
import type { Sql, Statement } from './sql';

export interface LaneStatusRow {
  readonly laneId: string;
  readonly activeSessionId: string | null;
  readonly lastSeenAt: Date | null;
  readonly updatedAt: Date;
}

export interface LaneStepRecord {
  readonly laneId: string;
  readonly sessionId: string;
  /** The session has not ended: it becomes the lane's active session. */
  readonly active: boolean;
  /** Set when the step was a new check-in on the lane. */
  readonly seenAt: Date | null;
  readonly at: Date;
}

/**
 * An active session takes the lane; an ended one clears it only if it held it (a check-in dropped as busy
 * must not clear the session that made the lane busy).
 */
export async function recordLaneStep(sql: Sql, r: LaneStepRecord): Promise<void> {
  const s = recordLaneStepStatement(r);
  await sql.query(s.text, s.params);
}

export function recordLaneStepStatement(r: LaneStepRecord): Statement {
  return {
    text: `INSERT INTO lane_status (lane_id, active_session_id, last_seen_at, updated_at)
     VALUES ($1, CASE WHEN $3 THEN $2 ELSE NULL END, $4, $5)
     ON CONFLICT (lane_id) DO UPDATE SET
       active_session_id = CASE
         WHEN $3 THEN $2
         WHEN lane_status.active_session_id = $2 THEN NULL
         ELSE lane_status.active_session_id END,
       last_seen_at = COALESCE($4, lane_status.last_seen_at),
       updated_at = $5`,
    params: [r.laneId, r.sessionId, r.active, r.seenAt, r.at],
  };
}

export async function loadLaneStatus(sql: Sql, laneId: string): Promise<LaneStatusRow | null> {
  const { rows } = await sql.query<{
    lane_id: string;
    active_session_id: string | null;
    last_seen_at: Date | null;
    updated_at: Date;
  }>('SELECT lane_id, active_session_id, last_seen_at, updated_at FROM lane_status WHERE lane_id = $1', [
    laneId,
  ]);
  const row = rows[0];
  return row
    ? {
        laneId: row.lane_id,
        activeSessionId: row.active_session_id,
        lastSeenAt: row.last_seen_at,
        updatedAt: row.updated_at,
      }
    : null;
}
