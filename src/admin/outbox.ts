// The lane-message backlog per lane, for operators (issue 14), and `retry`: a lane whose head message is
// waiting out its backoff (the controller was down) is made due now, so it need not wait up to 5 minutes
// after the controller is back. Retry changes only when the pending messages are next tried: order, leases
// and the attempt count stay as they were (src/store/outbox-repo.ts, src/sessions/outbox-dispatcher.ts).
import type { Clock } from '../clock';
import type { LaneRegistry } from '../lanes/lane';
import type { Sql } from '../store/sql';
import { audit, type AuditContext } from './audit';

export interface LaneBacklog {
  readonly laneId: string;
  /** Messages not yet delivered nor given up on. */
  readonly pending: number;
  readonly oldestUndeliveredAt: string | null;
  readonly oldestUndeliveredAgeS: number | null;
  /** The head's (the message that blocks the rest) failed attempts, last error and next try. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  /** Messages given up on (see the dead letters, kind lane-message). */
  readonly failed: number;
}

export interface OutboxDeps {
  readonly db: Sql;
  readonly clock: Clock;
  readonly lanes: () => LaneRegistry;
  readonly audit: AuditContext;
  /** Wakes the in-process outbox dispatcher (absent in a `serve` process: the workers poll within a second). */
  readonly wakeOutbox?: () => void;
}

export type RetryResult =
  | { readonly laneId: string; readonly outcome: 'ok'; readonly due: number }
  | { readonly laneId: string; readonly outcome: 'not_found' };

export interface OutboxService {
  /** Lanes with pending or failed messages (or the one lane asked for), most pending first. */
  list(q?: { readonly laneId?: string | undefined }): Promise<LaneBacklog[]>;
  retry(laneId: string, operator: string): Promise<RetryResult>;
}

interface Row {
  lane_id: string;
  pending: number;
  failed: number;
  oldest: Date | null;
  attempts: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
}

export function createOutboxService(deps: OutboxDeps): OutboxService {
  const { db, clock } = deps;
  return {
    async list(q = {}) {
      const { rows } = await db.query<Row>(
        `SELECT o.lane_id,
           count(*) FILTER (WHERE o.delivered_at IS NULL AND o.failed_at IS NULL)::int AS pending,
           count(*) FILTER (WHERE o.failed_at IS NOT NULL)::int AS failed,
           min(o.created_at) FILTER (WHERE o.delivered_at IS NULL AND o.failed_at IS NULL) AS oldest,
           h.attempts, h.last_error, h.next_attempt_at
         FROM outbox o
         LEFT JOIN LATERAL (
           SELECT attempts, last_error, next_attempt_at FROM outbox
            WHERE lane_id = o.lane_id AND delivered_at IS NULL AND failed_at IS NULL ORDER BY seq LIMIT 1
         ) h ON TRUE
         WHERE (o.delivered_at IS NULL) AND ($1::text IS NULL OR o.lane_id = $1)
         GROUP BY o.lane_id, h.attempts, h.last_error, h.next_attempt_at
         ORDER BY pending DESC, o.lane_id`,
        [q.laneId ?? null],
      );
      const now = clock.now().getTime();
      const lanes: LaneBacklog[] = rows.map((r) => ({
        laneId: r.lane_id,
        pending: Number(r.pending),
        oldestUndeliveredAt: r.oldest ? new Date(r.oldest).toISOString() : null,
        oldestUndeliveredAgeS: r.oldest
          ? Math.max(0, Math.round((now - new Date(r.oldest).getTime()) / 1000))
          : null,
        attempts: Number(r.attempts ?? 0),
        lastError: r.last_error,
        nextAttemptAt: r.next_attempt_at ? new Date(r.next_attempt_at).toISOString() : null,
        failed: Number(r.failed),
      }));
      // A lane asked for by id is answered even when its backlog is empty.
      if (q.laneId !== undefined && lanes.length === 0 && deps.lanes().byId(q.laneId))
        lanes.push({
          laneId: q.laneId,
          pending: 0,
          oldestUndeliveredAt: null,
          oldestUndeliveredAgeS: null,
          attempts: 0,
          lastError: null,
          nextAttemptAt: null,
          failed: 0,
        });
      return lanes;
    },

    async retry(laneId, operator) {
      const now = clock.now();
      const r = await db.query(
        `UPDATE outbox SET next_attempt_at = $2
          WHERE lane_id = $1 AND delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at > $2`,
        [laneId, now],
      );
      const known = deps.lanes().byId(laneId) !== undefined;
      if (!known && r.affectedRows === 0) {
        await audit(deps.audit, { operator, action: 'outbox.retry', target: laneId, outcome: 'not_found' });
        return { laneId, outcome: 'not_found' };
      }
      await audit(deps.audit, {
        operator,
        action: 'outbox.retry',
        target: laneId,
        outcome: 'ok',
        detail: { due: r.affectedRows },
      });
      deps.wakeOutbox?.();
      return { laneId, outcome: 'ok', due: r.affectedRows };
    },
  };
}
