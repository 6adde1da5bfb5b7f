// The gauges refreshed before each /metrics scrape (main.ts beforeScrape): sessions in progress by kind and
// state, the lane-message backlog and its oldest age by controller channel, and dead letters by kind. Each
// is a handful of grouped reads; gauges are reset first so a state or channel that emptied reads 0 / goes.
import type { Metrics } from '../http/metrics';
import type { LaneRegistry } from '../lanes/lane';
import type { Sql } from '../store/sql';
import { countOpenDeadLetters } from './dead-letters';
import { channelType } from './lanes-query';

export async function refreshAdminGauges(
  db: Sql,
  lanes: LaneRegistry,
  metrics: Pick<
    Metrics,
    'sessionsActive' | 'outboxBacklog' | 'outboxOldestUndeliveredSeconds' | 'deadLetters'
  >,
  now: Date,
  /** Dead jobs as the queue counts them (queue.stats().dead: the jobs table, or the SQS dead-letter queue). */
  deadJobs: number,
  sandbox = false,
): Promise<void> {
  const [active, backlog, dead] = await Promise.all([
    db.query<{ kind: string | null; state: string; n: string | number }>(
      `SELECT data->>'kind' AS kind, state, count(*) AS n FROM sessions WHERE NOT final GROUP BY 1, 2`,
    ),
    db.query<{ lane_id: string; n: string | number; oldest: Date }>(
      `SELECT lane_id, count(*) AS n, min(created_at) AS oldest FROM outbox
        WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY lane_id`,
    ),
    // Open letters only (dead-letters.ts): replayed and discarded ones stop counting.
    countOpenDeadLetters(db),
  ]);
  metrics.sessionsActive.reset();
  for (const r of active.rows)
    metrics.sessionsActive.set({ kind: r.kind ?? 'unknown', state: r.state }, Number(r.n));

  const byChannel = new Map<string, { n: number; oldest: number }>();
  for (const r of backlog.rows) {
    const lane = lanes.byId(r.lane_id);
    const channel = lane ? channelType(lane, sandbox) : 'unknown-lane';
    const c = byChannel.get(channel) ?? { n: 0, oldest: Infinity };
    c.n += Number(r.n);
    c.oldest = Math.min(c.oldest, new Date(r.oldest).getTime());
    byChannel.set(channel, c);
  }
  metrics.outboxBacklog.reset();
  metrics.outboxOldestUndeliveredSeconds.reset();
  // Every configured channel type reads 0 when empty, so an alarm on it has data points.
  for (const lane of lanes.all()) {
    metrics.outboxBacklog.set({ channel: channelType(lane, sandbox) }, 0);
    metrics.outboxOldestUndeliveredSeconds.set({ channel: channelType(lane, sandbox) }, 0);
  }
  for (const [channel, c] of byChannel) {
    metrics.outboxBacklog.set({ channel }, c.n);
    metrics.outboxOldestUndeliveredSeconds.set({ channel }, Math.max(0, (now.getTime() - c.oldest) / 1000));
  }

  metrics.deadLetters.set({ kind: 'intake' }, dead.intake);
  // The jobs table's open dead jobs; with SQS the table holds none and the queue counts its DLQ.
  metrics.deadLetters.set({ kind: 'job' }, dead.deadJobRows > 0 ? dead.job : deadJobs);
  metrics.deadLetters.set({ kind: 'lane-message' }, dead['lane-message']);
}
