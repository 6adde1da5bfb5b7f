// The `outbox backlog` log line, once a minute from a worker process: on AWS nothing scrapes /metrics, so the
// CDK alarm for a lane whose lane messages stay undelivered (infra/lib/log-metrics.ts, alarms.ts) reads it:
//   {"level":"info","message":"outbox backlog","event":"outbox-backlog","oldestUndeliveredS":<n>,"lanesBehind":<n>,"pending":<n>}
// oldestUndeliveredS is the age of the oldest pending lane message of any lane (0 when none); lanesBehind
// counts lanes whose oldest pending message is older than CHANNEL_DEGRADED_AFTER_S. Numbers are JSON numbers.
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { repeatEvery, type Repeating } from '../repeat';
import type { Sql } from '../store/sql';

export const OUTBOX_BACKLOG_EVENT = 'outbox-backlog';

export interface OutboxBacklog {
  readonly oldestUndeliveredS: number;
  readonly lanesBehind: number;
  readonly pending: number;
}

export async function readOutboxBacklog(db: Sql, now: Date, behindAfterS: number): Promise<OutboxBacklog> {
  const { rows } = await db.query<{ oldest: Date | null; pending: string | number; behind: string | number }>(
    `WITH heads AS (
       SELECT lane_id, min(created_at) AS oldest, count(*) AS n FROM outbox
        WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY lane_id)
     SELECT min(oldest) AS oldest, coalesce(sum(n), 0) AS pending,
            count(*) FILTER (WHERE oldest < $1) AS behind FROM heads`,
    [new Date(now.getTime() - behindAfterS * 1000)],
  );
  const r = rows[0];
  const oldest = r?.oldest ? new Date(r.oldest).getTime() : null;
  return {
    oldestUndeliveredS: oldest === null ? 0 : Math.max(0, Math.floor((now.getTime() - oldest) / 1000)),
    lanesBehind: Number(r?.behind ?? 0),
    pending: Number(r?.pending ?? 0),
  };
}

export function logOutboxBacklogEvery(
  intervalMs: number,
  deps: { db: Sql; clock: Clock; logger: Logger; behindAfterS: number },
): Repeating {
  return repeatEvery(
    intervalMs,
    async () => {
      const backlog = await readOutboxBacklog(deps.db, deps.clock.now(), deps.behindAfterS);
      deps.logger.info('outbox backlog', { event: OUTBOX_BACKLOG_EVENT, ...backlog });
    },
    deps.logger,
    'outbox backlog line failed',
  );
}
