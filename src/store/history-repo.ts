// The append-only session history (a database trigger refuses UPDATE and DELETE). One row per step that
// mattered; `effects` is a summary such as ["create-payment", "msg:payment-requested", "timer:retry"] and
// never carries a token or any other secret.
import type { Sql, Statement } from './sql';

export interface HistoryEntry {
  readonly sessionId: string;
  readonly laneId: string;
  readonly at: Date;
  readonly inputType: string;
  /** Null for the step that created the session. */
  readonly fromState: string | null;
  readonly toState: string;
  /** `applied`, or `duplicate:<reason>` / `ignored:<reason>` / `invalid:<reason>`. */
  readonly outcome: string;
  /** The session's reason (why it failed, was cancelled or dropped), once it has one. */
  readonly reason: string | null;
  readonly effects: readonly string[];
}

export interface StoredHistoryEntry extends HistoryEntry {
  readonly id: string;
}

export interface SessionEnding {
  readonly sessionId: string;
  readonly state: string;
  readonly at: Date;
  readonly reason: string | null;
  /** What was captured, in minor units (0 when no money moved). */
  readonly capturedValue: number;
}

const FINAL = `('completed', 'cancelled', 'failed', 'dropped')`;

export async function appendHistory(sql: Sql, e: HistoryEntry): Promise<void> {
  const s = appendHistoryStatement(e);
  await sql.query(s.text, s.params);
}

export function appendHistoryStatement(e: HistoryEntry): Statement {
  return {
    text: `INSERT INTO session_history (session_id, lane_id, at, input_type, from_state, to_state, outcome, reason,
       effects) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    params: [
      e.sessionId,
      e.laneId,
      e.at,
      e.inputType,
      e.fromState,
      e.toState,
      e.outcome,
      e.reason,
      JSON.stringify(e.effects),
    ],
  };
}

export async function sessionHistory(sql: Sql, sessionId: string): Promise<StoredHistoryEntry[]> {
  const { rows } = await sql.query<{
    id: string;
    session_id: string;
    lane_id: string;
    at: Date;
    input_type: string;
    from_state: string | null;
    to_state: string;
    outcome: string;
    reason: string | null;
    effects: string[];
  }>(
    `SELECT id::text AS id, session_id, lane_id, at, input_type, from_state, to_state, outcome, reason, effects
     FROM session_history WHERE session_id = $1 ORDER BY id`,
    [sessionId],
  );
  return rows.map((r) => ({
    id: r.id,
    sessionId: r.session_id,
    laneId: r.lane_id,
    at: r.at,
    inputType: r.input_type,
    fromState: r.from_state,
    toState: r.to_state,
    outcome: r.outcome,
    reason: r.reason,
    effects: r.effects,
  }));
}

/** The lane's most recent session endings (the step into a final state), newest first. */
export async function recentEndings(sql: Sql, laneId: string, limit: number): Promise<SessionEnding[]> {
  const { rows } = await sql.query<{
    session_id: string;
    to_state: string;
    at: Date;
    reason: string | null;
    captured: string | null;
  }>(
    `SELECT h.session_id, h.to_state, h.at, h.reason, s.data->>'capturedValue' AS captured
     FROM session_history h LEFT JOIN sessions s ON s.id = h.session_id
     WHERE h.lane_id = $1 AND h.to_state IN ${FINAL}
       AND (h.from_state IS NULL OR h.from_state NOT IN ${FINAL})
     ORDER BY h.id DESC LIMIT $2`,
    [laneId, limit],
  );
  return rows.map((r) => ({
    sessionId: r.session_id,
    state: r.to_state,
    at: r.at,
    reason: r.reason,
    capturedValue: Number(r.captured ?? 0),
  }));
}
