// The `outbox backlog` log line, once a minute from a worker process: on AWS nothing scrapes /metrics, so the
// CDK alarm for a lane whose lane messages stay undelivered (infra/lib/log-metrics.ts, alarms.ts) reads it:
//   {"level":"info","message":"outbox backlog","event":"outbox-backlog","oldestUndeliveredS":<n>,"lanesBehind":<n>,
//    "pending":<n>,"oldestLaneId":<id|null>,"behindLaneIds":[<id>, …]}
// oldestUndeliveredS is the age of the oldest pending lane message of any lane (0 when none) and oldestLaneId
// its lane; lanesBehind counts lanes whose oldest pending message is older than CHANNEL_DEGRADED_AFTER_S, and
// behindLaneIds names the first BEHIND_IDS_SHOWN of them, most behind first, so the line an alarm points to
// says which machines to look at. Numbers are JSON numbers.
// Then one line per lane behind (at most LANE_LINES_MAX, most behind first), which the CDK turns into a metric
// with a LaneId dimension for the per-lane alarm (its contributors name the lanes):
//   {"level":"warn","message":"lane messages behind","event":"lane-messages-behind","laneId":<id>,
//    "oldestUndeliveredS":<n>,"pending":<n>}
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

export const LANE_BEHIND_EVENT = 'lane-messages-behind';
/** Per-lane lines a minute at most: CloudWatch alarms name at most 100 contributors anyway. */
export const LANE_LINES_MAX = 100;

export interface LaneBehind {
  readonly laneId: string;
  readonly oldestUndeliveredS: number;
  readonly pending: number;
}

/** The lanes whose oldest pending lane message is older than behindAfterS, most behind first. */
export async function readLanesBehind(
  db: Sql,
  now: Date,
  behindAfterS: number,
  limit = LANE_LINES_MAX,
): Promise<LaneBehind[]> {
  const { rows } = await db.query<{ lane_id: string; oldest: Date | string; n: string | number }>(
    `SELECT lane_id, min(created_at) AS oldest, count(*) AS n FROM outbox
      WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY lane_id
     HAVING min(created_at) < $1 ORDER BY oldest, lane_id LIMIT $2`,
    [new Date(now.getTime() - behindAfterS * 1000), limit],
  );
  return rows.map((r) => ({
    laneId: r.lane_id,
    oldestUndeliveredS: Math.max(0, Math.floor((now.getTime() - new Date(r.oldest).getTime()) / 1000)),
    pending: Number(r.n),
  }));
}

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
      const now = deps.clock.now();
      const backlog = await readOutboxBacklog(deps.db, now, deps.behindAfterS);
      deps.logger.info('outbox backlog', { event: OUTBOX_BACKLOG_EVENT, ...backlog });
      if (backlog.lanesBehind === 0) return;
      for (const lane of await readLanesBehind(deps.db, now, deps.behindAfterS))
        deps.logger.warn('lane messages behind', { event: LANE_BEHIND_EVENT, ...lane });
    },
    deps.logger,
    'outbox backlog line failed',
  );
}
