// The `outbox backlog` log line, once a minute from a worker process: on AWS nothing scrapes /metrics, so the
// CDK alarm for a lane whose lane messages stay undelivered (infra/lib/log-metrics.ts, alarms.ts) reads it:
//   {"level":"info","message":"outbox backlog","event":"outbox-backlog","oldestUndeliveredS":<n>,"lanesBehind":<n>,
//    "pending":<n>,"oldestLaneId":<id|null>,"behindLaneIds":[<id>, …]}
// oldestUndeliveredS is the age of the oldest pending lane message of any lane (0 when none) and oldestLaneId
// its lane; lanesBehind counts lanes whose oldest pending message is older than CHANNEL_DEGRADED_AFTER_S, and
// behindLaneIds names the first BEHIND_IDS_SHOWN of them, most behind first, so the line an alarm points to
// says which machines to look at. Numbers are JSON numbers.
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { repeatEvery, type Repeating } from '../repeat';
import type { Sql } from '../store/sql';

export const OUTBOX_BACKLOG_EVENT = 'outbox-backlog';

export interface OutboxBacklog {
  readonly oldestUndeliveredS: number;
  readonly lanesBehind: number;
  readonly pending: number;
  readonly oldestLaneId: string | null;
  readonly behindLaneIds: readonly string[];
}

/** Lanes named in the line: enough to act on, few enough to keep a line small whatever the fleet. */
export const BEHIND_IDS_SHOWN = 10;

export async function readOutboxBacklog(db: Sql, now: Date, behindAfterS: number): Promise<OutboxBacklog> {
  const { rows } = await db.query<{
    oldest: Date | null;
    pending: string | number;
    behind: string | number;
    oldest_lane: string | null;
    behind_ids: string[] | null;
  }>(
    `WITH heads AS (
       SELECT lane_id, min(created_at) AS oldest, count(*) AS n FROM outbox
        WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY lane_id)
     SELECT min(oldest) AS oldest, coalesce(sum(n), 0) AS pending,
            count(*) FILTER (WHERE oldest < $1) AS behind,
            (array_agg(lane_id ORDER BY oldest, lane_id))[1] AS oldest_lane,
            (array_agg(lane_id ORDER BY oldest, lane_id) FILTER (WHERE oldest < $1))[1:$2::int] AS behind_ids
       FROM heads`,
    [new Date(now.getTime() - behindAfterS * 1000), BEHIND_IDS_SHOWN],
  );
  const r = rows[0];
  const oldest = r?.oldest ? new Date(r.oldest).getTime() : null;
  return {
    oldestUndeliveredS: oldest === null ? 0 : Math.max(0, Math.floor((now.getTime() - oldest) / 1000)),
    lanesBehind: Number(r?.behind ?? 0),
    pending: Number(r?.pending ?? 0),
    oldestLaneId: r?.oldest_lane ?? null,
    behindLaneIds: r?.behind_ids ?? [],
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
