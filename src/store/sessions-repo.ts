// Lane sessions (architecture §2) on SQL. A session is stored as its JSON minus the customerToken, which has a
// column of its own so erasing it is a plain, visible `customer_token = NULL`. Saves are optimistic: an update
// names the version it read, and a session someone else saved meanwhile is a ConcurrentUpdateError.
import { FINAL_STATES, type Session } from '../sessions/types';
import type { Sql, Statement } from './sql';

/** The session changed (or appeared) since it was read; reload and apply the input again. */
export class ConcurrentUpdateError extends Error {
  readonly code = 'concurrent-update';
  readonly retryable = true;
  constructor(sessionId: string, expectedVersion: number) {
    super(
      expectedVersion === 0
        ? `session ${sessionId} already exists`
        : `session ${sessionId} is no longer at version ${expectedVersion}`,
    );
    this.name = 'ConcurrentUpdateError';
  }
}

export interface SessionRow {
  data: Omit<Session, 'customerToken'>;
  customer_token: string | null;
}

const COLUMNS = 'data, customer_token';

function fromRow(row: SessionRow | undefined): Session | null {
  return row ? sessionFromRow(row) : null;
}

export function sessionFromRow(row: SessionRow): Session {
  return { ...row.data, customerToken: row.customer_token };
}

/** The earliest armed timer: the sweeper's index. */
export function nextDeadline(session: Pick<Session, 'timers'>): Date | null {
  const times = Object.values(session.timers).map((at) => Date.parse(at));
  return times.length === 0 ? null : new Date(Math.min(...times));
}

function rowValues(s: Session): unknown[] {
  const { customerToken, ...data } = s;
  return [
    s.id,
    s.laneId,
    s.state,
    s.reference,
    JSON.stringify(data),
    customerToken,
    s.version,
    (FINAL_STATES as readonly string[]).includes(s.state),
    nextDeadline(s),
    s.createdAt,
    s.updatedAt,
  ];
}

export async function loadSession(sql: Sql, id: string): Promise<Session | null> {
  const { rows } = await sql.query<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [id]);
  return fromRow(rows[0]);
}

export async function loadSessionByReference(sql: Sql, reference: string): Promise<Session | null> {
  const { rows } = await sql.query<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE reference = $1`, [
    reference,
  ]);
  return fromRow(rows[0]);
}

/**
 * Writes `next`, a session read at `expectedVersion` (0 = not stored yet). Throws ConcurrentUpdateError when
 * the row is not at that version (or already exists).
 */
export async function saveSession(sql: Sql, next: Session, expectedVersion: number): Promise<void> {
  const s = saveSessionStatement(next, expectedVersion);
  const r = await sql.query(s.text, s.params);
  if (r.affectedRows !== 1) throw new ConcurrentUpdateError(next.id, expectedVersion);
}

/** saveSession as a batch statement: it affects exactly one row, or the session moved on meanwhile. */
export function saveSessionStatement(next: Session, expectedVersion: number): Statement {
  const values = rowValues(next);
  return expectedVersion === 0
    ? {
        text: `INSERT INTO sessions (id, lane_id, state, reference, data, customer_token, version, final, next_deadline,
             created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
        params: values,
        expectRows: 1,
      }
    : {
        text: `UPDATE sessions SET lane_id = $2, state = $3, reference = $4, data = $5::jsonb, customer_token = $6,
             version = $7, final = $8, next_deadline = $9, created_at = $10, updated_at = $11
           WHERE id = $1 AND version = $12`,
        params: [...values, expectedVersion],
        expectRows: 1,
      };
}

/** Forgets the session's customerToken (idempotent). */
export async function eraseCustomerToken(sql: Sql, sessionId: string): Promise<void> {
  const s = eraseCustomerTokenStatement(sessionId);
  await sql.query(s.text, s.params);
}

export function eraseCustomerTokenStatement(sessionId: string): Statement {
  return {
    text: 'UPDATE sessions SET customer_token = NULL WHERE id = $1 AND customer_token IS NOT NULL',
    params: [sessionId],
  };
}

export interface DueSession {
  readonly id: string;
  readonly laneId: string;
  readonly timers: Session['timers'];
}

/** Sessions not yet ended whose earliest timer is before `before`, most overdue first. */
export async function listOverdueSessions(sql: Sql, before: Date, limit: number): Promise<DueSession[]> {
  const { rows } = await sql.query<{ id: string; lane_id: string; timers: Session['timers'] | null }>(
    `SELECT id, lane_id, data->'timers' AS timers FROM sessions
     WHERE NOT final AND next_deadline < $1 ORDER BY next_deadline, id LIMIT $2`,
    [before, limit],
  );
  return rows.map((r) => ({ id: r.id, laneId: r.lane_id, timers: r.timers ?? {} }));
}

/** Sessions not ended that arm no timer: nothing will ever move them (a bug); reported by the sweeper. */
export async function countTimerlessSessions(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sessions WHERE NOT final AND next_deadline IS NULL`,
  );
  return Number(rows[0]?.n ?? 0);
}
