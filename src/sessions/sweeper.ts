// The sweeper (architecture §2): after a restart or a stall, finds sessions that are past a deadline but not
// over, and queues their due timers again. Every session that has not ended arms at least one timer, and
// `sessions.next_deadline` is the earliest. A session still overdue by more than the grace means its timer
// job went missing: e.g. the process died after the step committed but before the job was queued.
//
// Re-queuing is safe: the dedup key is the timer's own (`timerJobId`), so a timer job that still exists (a
// lane that is merely busy or slow) is not duplicated, and a timer that already fired is ignored by the
// machine as stale (it only honours the instant the session holds). The timers then reconcile with Vipps,
// the source of truth: `poll` and `payment-deadline` read `GET /epayment/v1/payments/{reference}`, `retry`
// re-issues the pending create/capture/cancel with its Idempotency-Key, `dispense-timeout` and `sale-wait`
// cancel.
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { repeatEvery } from '../repeat';
import type { Queue } from '../queue/queue';
import { countTimerlessSessions, listOverdueSessions } from '../store/sessions-repo';
import type { Sql } from '../store/sql';
import { timerJob } from './job-inputs';
import type { TimerName } from './types';

export interface SweeperOptions {
  readonly db: Sql;
  readonly queue: Pick<Queue, 'enqueue'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Between sweeps, in ms. Default 30 000. */
  readonly intervalMs?: number;
  /** How late a timer may be before it counts as lost, in ms. Default 60 000. */
  readonly graceMs?: number;
  /** Sessions looked at per sweep. Default 500. */
  readonly batchSize?: number;
}

export interface SweepResult {
  readonly overdueSessions: number;
  /** Timer jobs that were missing and have been queued again. */
  readonly requeued: number;
}

export interface Sweeper {
  /** Sweeps once now, then every intervalMs. */
  start(): void;
  stop(): Promise<void>;
  sweepOnce(): Promise<SweepResult>;
}

export function createSweeper(o: SweeperOptions): Sweeper {
  const intervalMs = o.intervalMs ?? 30_000;
  const graceMs = o.graceMs ?? 60_000;
  const batchSize = o.batchSize ?? 500;

  async function sweepOnce(): Promise<SweepResult> {
    const now = o.clock.now();
    const overdue = await listOverdueSessions(o.db, new Date(now.getTime() - graceMs), batchSize);
    let requeued = 0;
    for (const s of overdue) {
      for (const [name, at] of Object.entries(s.timers) as [TimerName, string][]) {
        const r = await o.queue.enqueue(timerJob(s.laneId, { sessionId: s.id, name, at }, now));
        if (r.duplicate) continue;
        requeued += 1;
        o.logger.warn('sweeper re-queued a lost session timer', {
          sessionId: s.id,
          laneId: s.laneId,
          timer: name,
          at,
        });
      }
    }
    const timerless = await countTimerlessSessions(o.db);
    if (timerless > 0)
      o.logger.error('sessions not ended have no timer; they cannot progress on their own', {
        count: timerless,
      });
    return { overdueSessions: overdue.length, requeued };
  }

  const loop = repeatEvery(intervalMs, sweepOnce, o.logger, 'session sweep failed');
  return { start: () => loop.start(), stop: () => loop.stop(), sweepOnce };
}
