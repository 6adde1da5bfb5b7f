// The admin audit trail: every mutating admin call (refund, replay, discard, retry, …) writes one
// admin_audit row (migration 009), one log line and counts checkin_admin_actions_total{action,outcome}.
// `detail` must carry no secret (no token, no customer token); it is shown in the console.
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Metrics } from '../http/metrics';
import type { Sql } from '../store/sql';

export interface AuditEntry {
  /** The operator token's label (res.locals.operator, see auth.ts operatorOf). */
  readonly operator: string;
  /** e.g. `payment.refund`, `dead-letter.replay`, `outbox.retry`. */
  readonly action: string;
  /** What it acted on (a reference, dead letter id, lane id), if anything. */
  readonly target?: string | null;
  /** e.g. `ok`, `accepted`, `duplicate`, `refused`, `error`. */
  readonly outcome: string;
  readonly detail?: Record<string, unknown>;
}

export interface AuditRecord {
  readonly id: string;
  readonly at: string;
  readonly operator: string;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: string;
  readonly detail: Record<string, unknown>;
}

export interface AuditContext {
  readonly db: Sql;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Pick<Metrics, 'adminActions'>;
}

export async function audit(ctx: AuditContext, entry: AuditEntry): Promise<void> {
  const detail = entry.detail ?? {};
  await ctx.db.query(
    `INSERT INTO admin_audit (at, operator, action, target, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [
      ctx.clock.now(),
      entry.operator,
      entry.action,
      entry.target ?? null,
      entry.outcome,
      JSON.stringify(detail),
    ],
  );
  ctx.metrics?.adminActions.inc({ action: entry.action, outcome: entry.outcome });
  ctx.logger.info('admin action', {
    audit: true,
    operator: entry.operator,
    action: entry.action,
    target: entry.target ?? null,
    outcome: entry.outcome,
    detail,
  });
}

export interface AuditQuery {
  /** At most this many rows (default 50, at most 500). */
  readonly limit?: number;
  /** Rows older than this id (the `nextBefore` of the previous page). */
  readonly before?: string;
}

export interface AuditPage {
  readonly entries: AuditRecord[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly nextBefore: string | null;
}

/** Newest first. */
export async function listAudit(db: Sql, q: AuditQuery = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const before = q.before !== undefined && /^\d+$/.test(q.before) ? q.before : null;
  const { rows } = await db.query<{
    id: string | number;
    at: Date;
    operator: string;
    action: string;
    target: string | null;
    outcome: string;
    detail: Record<string, unknown>;
  }>(
    `SELECT id, at, operator, action, target, outcome, detail FROM admin_audit
      WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2`,
    [before, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({
      id: String(r.id),
      at: new Date(r.at).toISOString(),
      operator: r.operator,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      detail: r.detail,
    })),
    nextBefore: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}
