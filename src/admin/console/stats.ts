// The numbers behind the console's charts, from the sessions and session_history tables (so they hold across
// processes and restarts). All windows end at the injected clock's now; minutes are counted from it, not
// from the wall clock's minute boundaries, so a chart always shows exactly the last 60 minutes.
import type { Sql } from '../../store/sql';

export interface MinuteCount {
  /** Start of the minute. */
  readonly at: Date;
  readonly count: number;
}

export interface LatencyPoint {
  readonly at: Date;
  /** Milliseconds; null for a minute with no payment created. */
  readonly p50: number | null;
  readonly p99: number | null;
  readonly count: number;
}

export interface OutcomeCount {
  /** `completed`, or `<state>: <reason>` such as `failed: rejected`. */
  readonly outcome: string;
  readonly count: number;
}

const MINUTE = 60_000;

// Vending sessions checked in within [$1, $2) and when Vipps answered their create call.
const CREATED = `WITH created AS (
       SELECT s.created_at, min(c.at) AS pushed_at
         FROM sessions s JOIN payment_calls c
           ON c.reference = s.reference AND c.source = 'session' AND c.operation = 'create' AND c.outcome = 'ok'
        WHERE s.created_at >= $1 AND s.created_at < $2 AND s.data->>'kind' = 'vending'
        GROUP BY s.id, s.created_at)`;

/** Sessions created per minute over the last `minutes` (a check-in makes one session, dropped ones too). */
export async function checkinsPerMinute(db: Sql, now: Date, minutes = 60): Promise<MinuteCount[]> {
  const from = new Date(now.getTime() - minutes * MINUTE);
  const { rows } = await db.query<{ bucket: number; n: number }>(
    `SELECT floor(extract(epoch FROM (created_at - $1::timestamptz)) / 60)::int AS bucket, count(*)::int AS n
       FROM sessions WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`,
    [from, now],
  );
  const counts = new Map(rows.map((r) => [Number(r.bucket), Number(r.n)]));
  return Array.from({ length: minutes }, (_, i) => ({
    at: new Date(from.getTime() + i * MINUTE),
    count: counts.get(i) ?? 0,
  }));
}

/**
 * Scan → push latency: from the check-in that created the session to Vipps's answer to the session's create
 * call (payment_calls: the push goes to the customer's phone then), per minute of the check-in, p50 and p99.
 * Self-checkout sessions wait for a sale before the payment, so only vending lanes' sessions count.
 */
export async function scanToPushLatency(db: Sql, now: Date, minutes = 60): Promise<LatencyPoint[]> {
  const from = new Date(now.getTime() - minutes * MINUTE);
  const { rows } = await db.query<{ bucket: number; p50: number | null; p99: number | null; n: number }>(
    `${CREATED}
     SELECT floor(extract(epoch FROM (created_at - $1::timestamptz)) / 60)::int AS bucket,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (pushed_at - created_at)) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM (pushed_at - created_at)) * 1000) AS p99,
            count(*)::int AS n
       FROM created GROUP BY 1`,
    [from, now],
  );
  const byBucket = new Map(rows.map((r) => [Number(r.bucket), r]));
  return Array.from({ length: minutes }, (_, i) => {
    const r = byBucket.get(i);
    return {
      at: new Date(from.getTime() + i * MINUTE),
      p50: r?.p50 == null ? null : Number(r.p50),
      p99: r?.p99 == null ? null : Number(r.p99),
      count: r ? Number(r.n) : 0,
    };
  });
}

/** p50 and p99 over the whole window (not an average of the per-minute figures). */
export async function scanToPushOverall(
  db: Sql,
  now: Date,
  minutes = 60,
): Promise<{ p50: number | null; p99: number | null; count: number }> {
  const from = new Date(now.getTime() - minutes * MINUTE);
  const { rows } = await db.query<{ p50: number | null; p99: number | null; n: number }>(
    `${CREATED}
     SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (pushed_at - created_at)) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM (pushed_at - created_at)) * 1000) AS p99,
            count(*)::int AS n
       FROM created`,
    [from, now],
  );
  const r = rows[0];
  return {
    p50: r?.p50 == null ? null : Number(r.p50),
    p99: r?.p99 == null ? null : Number(r.p99),
    count: r ? Number(r.n) : 0,
  };
}

/** How sessions that ended in the window ended: state and reason, most frequent first. */
export async function outcomesByReason(db: Sql, now: Date, windowMs: number): Promise<OutcomeCount[]> {
  const from = new Date(now.getTime() - windowMs);
  const { rows } = await db.query<{ state: string; reason: string | null; n: number }>(
    `SELECT state, data->>'reason' AS reason, count(*)::int AS n FROM sessions
      WHERE final AND updated_at >= $1 AND updated_at < $2 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    [from, now],
  );
  return rows.map((r) => ({
    outcome: r.reason ? `${r.state}: ${r.reason}` : r.state,
    count: Number(r.n),
  }));
}
