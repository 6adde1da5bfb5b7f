// The fleet view: lanes from the lanes file (in memory), their live state from the store. Filtering and
// paging happen before the per-lane reads, so a page of 50 out of 5,000 lanes costs one read of the active
// sessions (a partial index) and three reads bounded to the page's lane ids.
import { isSimulatedLane } from '../channels/simulated-channel';
import type { Lane } from '../lanes/lane';
import type { Sql } from '../store/sql';
import type { ChannelHealth, LaneState, LaneSummary, LanesQuery, Page } from './types';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const FINAL = `('completed', 'cancelled', 'failed', 'dropped')`;

interface Active {
  id: string;
  state: string;
  createdAt: Date;
}

/** Every lane's session that has not ended (the newest, should a bug ever leave two), or one lane's. */
async function activeSessions(db: Sql, laneId: string | null = null): Promise<Map<string, Active>> {
  const { rows } = await db.query<{ lane_id: string; id: string; state: string; created_at: Date }>(
    `SELECT DISTINCT ON (lane_id) lane_id, id, state, created_at FROM sessions
      WHERE NOT final AND ($1::text IS NULL OR lane_id = $1) ORDER BY lane_id, created_at DESC, id`,
    [laneId],
  );
  return new Map(
    rows.map((r) => [r.lane_id, { id: r.id, state: r.state, createdAt: new Date(r.created_at) }]),
  );
}

function stateOf(lane: Lane, active: Active | undefined): LaneState {
  if (!lane.enabled) return 'disabled';
  return active ? 'busy' : 'idle';
}

/** The controller channel as it works: in the sandbox a lane without a controller is the simulated machine. */
export function channelType(lane: Lane, sandbox = false): string {
  return isSimulatedLane(lane.controller, sandbox) ? 'simulated' : lane.controller.type;
}

function startOfDayUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Per-lane reads for the given lanes only. */
async function details(db: Sql, ids: readonly string[], now: Date) {
  const [outcomes, today, channels] = await Promise.all([
    db.query<{ lane_id: string; session_id: string; to_state: string; reason: string | null; at: Date }>(
      `SELECT l.id AS lane_id, h.session_id, h.to_state, h.reason, h.at
         FROM unnest($1::text[]) AS l(id)
         CROSS JOIN LATERAL (
           SELECT session_id, to_state, reason, at FROM session_history
            WHERE lane_id = l.id AND to_state IN ${FINAL} AND (from_state IS NULL OR from_state NOT IN ${FINAL})
            ORDER BY id DESC LIMIT 1) h`,
      [ids],
    ),
    db.query<{ lane_id: string; n: string | number; amount: string | number | null }>(
      `SELECT lane_id, count(*) AS n, sum((data->>'capturedValue')::bigint) AS amount FROM sessions
        WHERE lane_id = ANY($1::text[]) AND created_at >= $2 AND state = 'completed' GROUP BY lane_id`,
      [ids, startOfDayUtc(now)],
    ),
    db.query<{
      lane_id: string;
      last_delivered: Date | null;
      backlog: string | number;
      oldest: Date | null;
      failed: string | number;
    }>(
      `SELECT lane_id, max(delivered_at) AS last_delivered,
              count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS backlog,
              min(created_at) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS oldest,
              count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
         FROM outbox WHERE lane_id = ANY($1::text[]) GROUP BY lane_id`,
      [ids],
    ),
  ]);
  return {
    outcomes: new Map(outcomes.rows.map((r) => [r.lane_id, r])),
    today: new Map(today.rows.map((r) => [r.lane_id, r])),
    channels: new Map(channels.rows.map((r) => [r.lane_id, r])),
  };
}

function summaries(
  lanes: readonly Lane[],
  active: Map<string, Active>,
  d: Awaited<ReturnType<typeof details>>,
  now: Date,
  sandbox: boolean,
): LaneSummary[] {
  const iso = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString() : null);
  return lanes.map((lane) => {
    const a = active.get(lane.id);
    const o = d.outcomes.get(lane.id);
    const t = d.today.get(lane.id);
    const c = d.channels.get(lane.id);
    const channel: ChannelHealth = {
      type: channelType(lane, sandbox),
      lastDeliveredAt: iso(c?.last_delivered),
      backlog: Number(c?.backlog ?? 0),
      oldestUndeliveredAgeS: c?.oldest
        ? Math.max(0, Math.floor((now.getTime() - new Date(c.oldest).getTime()) / 1000))
        : null,
      failed: Number(c?.failed ?? 0),
    };
    return {
      id: lane.id,
      kind: lane.kind,
      description: lane.description,
      enabled: lane.enabled,
      state: stateOf(lane, a),
      currentSession: a
        ? {
            id: a.id,
            state: a.state,
            ageS: Math.max(0, Math.floor((now.getTime() - a.createdAt.getTime()) / 1000)),
          }
        : null,
      lastOutcome: o
        ? { sessionId: o.session_id, state: o.to_state, reason: o.reason, at: iso(o.at)! }
        : null,
      today: { count: Number(t?.n ?? 0), amount: Number(t?.amount ?? 0), currency: lane.currency },
      channel,
    };
  });
}

export async function queryLanes(
  db: Sql,
  lanes: readonly Lane[],
  q: LanesQuery,
  now: Date,
  sandbox = false,
): Promise<Page<LaneSummary>> {
  const pageSize = Math.min(Math.max(Math.trunc(q.pageSize ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const page = Math.max(Math.trunc(q.page ?? 1), 1);
  const active = await activeSessions(db);
  const needle = q.q?.trim().toLowerCase();
  const matching = lanes
    .filter(
      (l) => !needle || l.id.toLowerCase().includes(needle) || l.description.toLowerCase().includes(needle),
    )
    .filter((l) => !q.state || stateOf(l, active.get(l.id)) === q.state)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const slice = matching.slice((page - 1) * pageSize, page * pageSize);
  const items =
    slice.length === 0
      ? []
      : summaries(
          slice,
          active,
          await details(
            db,
            slice.map((l) => l.id),
            now,
          ),
          now,
          sandbox,
        );
  return {
    items,
    total: matching.length,
    page,
    pageSize,
    pages: Math.max(1, Math.ceil(matching.length / pageSize)),
  };
}

export async function queryLane(db: Sql, lane: Lane, now: Date, sandbox = false): Promise<LaneSummary> {
  const active = await activeSessions(db, lane.id);
  return summaries([lane], active, await details(db, [lane.id], now), now, sandbox)[0]!;
}
