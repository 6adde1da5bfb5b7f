// The payment worker (architecture §1, §2): consumes the queue one job per lane group at a time (many lanes in
// parallel, up to `concurrency`), and for each job runs the lane session state machine.
//
// Crash-safe order for every input (the job's, then each ePayment result fed back):
//   1. load the context, `step` (pure);
//   2. ONE transaction: session (optimistic version), token erasure, open sale, lane status, history, outbox
//      rows for the lane messages (worker-persist.ts), and, when the queue keeps its jobs in the same
//      database (Queue.jobsIn), the timer jobs it armed and the withdrawal of those it superseded;
//   3. otherwise queue the armed timers as delayed jobs now (deduplicated by timerJobId, so re-queuing is
//      free); superseded ones then fire later and are ignored as stale;
//   4. run the effects in order: logs, then ePayment calls with the Idempotency-Keys the machine derived;
//      each result becomes the next input (back to 1);
//   5. return, and the queue acks the job.
// A crash anywhere leaves either the last step committed or not. On redelivery the machine re-issues a call
// whose result never came back (same reference, same Idempotency-Key: Vipps answers with the first result,
// so a check-in never makes a second payment); with a queue elsewhere (SQS), a step committed without its
// timer jobs gets them from the next step of that session or from the sweeper. Lane messages leave through
// the outbox, never directly.
import type { Clock } from '../clock';
import type { Metrics } from '../http/metrics';
import type { Logger } from '../log';
import type { LaneRegistry } from '../lanes/lane';
import type { ChannelRegistry } from '../channels/registry';
import type { ConsumeOptions, Job, JobsInStore, Queue, QueueConsumer } from '../queue/queue';
import { ConcurrentUpdateError } from '../store/sessions-repo';
import type { Sql, Statement } from '../store/sql';
import { executePaymentEffect, isPaymentEffect, type EpaymentPort } from './effects-executor';
import { recordPaymentCallStatement } from '../store/settlements-repo';
import { sessionCallRecord } from './call-record';
import { timerJobId } from './ids';
import { jobInput, timerJob, type JobInput } from './job-inputs';
import { step } from './machine';
import {
  createOutboxDispatcher,
  type OutboxDispatcher,
  type OutboxDispatcherOptions,
} from './outbox-dispatcher';
import { isFinalState } from './session-state';
import { createSweeper, type Sweeper, type SweeperOptions } from './sweeper';
import type { SessionTiming } from './timing';
import type { Effect, Input, Session, StepContext, StepResult, TimerName } from './types';
import { loadStepContext } from './worker-context';
import { outcomeText, persistStep, sessionBefore } from './worker-persist';

export interface WorkerHooks {
  /** Runs after each effect was carried out; tests throw here to simulate a crash at that point. */
  readonly afterEffect?: (effect: Effect) => void | Promise<void>;
}

export interface WorkerOptions {
  readonly queue: Queue;
  readonly db: Sql;
  readonly vipps: { readonly epayment: EpaymentPort };
  readonly channels: Pick<ChannelRegistry, 'channelFor'>;
  /** The current lane registry (swapped on reload). */
  readonly lanes: () => LaneRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Pick<Metrics, 'sessionsEnded'>;
  /** Jobs (lanes) worked on at once: WORKER_CONCURRENCY. */
  readonly concurrency: number;
  /** Overrides of the state machine's durations (tests, operators who know their sales unit). */
  readonly timing?: Partial<SessionTiming>;
  /** Queue consumer tuning (lease, poll interval); see ConsumeOptions. */
  readonly consume?: Omit<ConsumeOptions, 'concurrency'>;
  readonly outbox?: Omit<OutboxDispatcherOptions, 'db' | 'channels' | 'lanes' | 'clock' | 'logger'>;
  /** The sweeper's tuning, or false to run without one (tests that drive it themselves). */
  readonly sweeper?: Omit<SweeperOptions, 'db' | 'queue' | 'clock' | 'logger'> | false;
  readonly hooks?: WorkerHooks;
  /** Told when a step left a settlement owed, so it starts at once instead of at its next poll. */
  readonly settlements?: { wake(): void };
}

export interface Worker {
  start(): void;
  /** Stops taking jobs, lets the ones in flight finish, stops the outbox and the sweeper. Idempotent. */
  stop(): Promise<void>;
  /** The job handler (what the queue consumer calls). */
  handle(job: Job, signal: AbortSignal): Promise<void>;
  readonly outbox: OutboxDispatcher;
  readonly sweeper: Sweeper | undefined;
}

/** An input to apply and the call records to write with its step. */
interface Next {
  readonly input: Input;
  readonly records: readonly Statement[];
}

/** A job's inputs plus the results they lead to; more than this means a loop in the machine (a bug). */
const MAX_STEPS_PER_JOB = 32;
const MAX_CONFLICT_RETRIES = 3;

export function createWorker(o: WorkerOptions): Worker {
  const { db, logger, clock, hooks } = o;
  const outbox = createOutboxDispatcher({
    ...o.outbox,
    db,
    channels: o.channels,
    lanes: o.lanes,
    clock,
    logger,
  });
  const sweeper =
    o.sweeper === false ? undefined : createSweeper({ ...o.sweeper, db, queue: o.queue, clock, logger });
  let consumer: QueueConsumer | undefined;
  let stopping: Promise<void> | undefined;

  const jobsInStore = o.queue.jobsIn?.(db);

  /**
   * The timers this step armed or moved, and the instants it gave up. On a redelivered job every timer the
   * session holds counts as armed, since a crash may have come between a save and its timers' enqueue (queues
   * whose jobs commit with the step never see that); dedup keys make queuing one twice harmless.
   */
  function timerChanges(before: Session | null, session: Session | null, all: boolean) {
    const held = (s: Session | null) => Object.entries(s?.timers ?? {}) as [TimerName, string][];
    const armed = held(session).filter(([name, at]) => all || before?.timers[name] !== at);
    const superseded = held(before).filter(([name, at]) => session?.timers[name] !== at);
    return { armed, superseded };
  }

  /** Timer jobs as statements of the step's own batch: armed ones queued, superseded ones withdrawn. */
  function timerStatements(
    store: JobsInStore,
    laneId: string,
    sessionId: string,
    changes: ReturnType<typeof timerChanges>,
    now: Date,
  ): Statement[] {
    return [
      ...changes.superseded.map(([name, at]) => store.withdrawStatement(timerJobId(sessionId, name, at))),
      ...changes.armed.map(([name, at]) =>
        store.enqueueStatement(timerJob(laneId, { sessionId, name, at }, now), now),
      ),
    ];
  }

  /** Queues armed timers after the step committed (a queue outside the store); superseded ones fire stale. */
  async function queueTimers(session: Session, armed: readonly [TimerName, string][], now: Date) {
    // Enqueued together, so the queue's group commit writes them in one statement.
    await Promise.all(
      armed.map(([name, at]) =>
        o.queue.enqueue(timerJob(session.laneId, { sessionId: session.id, name, at }, now)),
      ),
    );
  }

  function countEnding(ctx: StepContext, result: StepResult): void {
    const s = result.session;
    if (!s || !isFinalState(s.state)) return;
    const before = sessionBefore(ctx, s.id);
    if (before && isFinalState(before.state)) return;
    o.metrics?.sessionsEnded.inc({ kind: s.kind, state: s.state });
  }

  /** Steps, persists, queues timers; returns the step's effects, to be run in order. */
  async function apply(
    ji: JobInput,
    redelivered: boolean,
    records: readonly Statement[],
  ): Promise<readonly Effect[]> {
    for (let attempt = 1; ; attempt += 1) {
      const loaded = await loadStepContext(db, o.lanes(), ji, o.timing);
      if (loaded.kind === 'skip') {
        logger.warn('input skipped', { reason: loaded.reason, laneId: loaded.laneId, input: ji.input.type });
        return [];
      }
      const { ctx } = loaded;
      const now = clock.now();
      const result = step(ctx, ji.input, now);
      const session = result.session ?? ctx.session;
      const timers = session
        ? timerChanges(sessionBefore(ctx, session.id), session, redelivered)
        : { armed: [], superseded: [] };
      const jobs = [
        ...records,
        ...(jobsInStore && session
          ? timerStatements(jobsInStore, session.laneId, session.id, timers, now)
          : []),
      ];
      try {
        await persistStep(db, { input: ji.input, ctx, result, now, jobs });
      } catch (err) {
        if (err instanceof ConcurrentUpdateError && attempt < MAX_CONFLICT_RETRIES) continue;
        throw err;
      }
      if (loaded.laneRetired && session)
        logger.warn('session continues on a lane no longer in the lanes file', {
          sessionId: session.id,
          laneId: session.laneId,
        });
      logger.debug('session step', {
        sessionId: session?.id ?? null,
        laneId: ctx.lane.id,
        input: ji.input.type,
        outcome: outcomeText(result.outcome),
        state: session?.state ?? null,
      });
      countEnding(ctx, result);
      if (result.effects.some((e) => e.type === 'send-lane-message')) outbox.wake();
      if (result.effects.some((e) => e.type === 'open-settlement' && e.seed.owed)) o.settlements?.wake();
      if (jobsInStore) {
        // A timer set for later is found by the consumer's poll; one already due is looked for now.
        if (timers.armed.some(([, at]) => Date.parse(at) <= now.getTime())) jobsInStore.committed();
      } else if (session) await queueTimers(session, timers.armed, now);
      return result.effects;
    }
  }

  /**
   * Carries out one effect after its step committed; an ePayment call yields the input with its result, and
   * the record of the call (written with the step that applies the result).
   */
  async function carryOut(effect: Effect, signal: AbortSignal): Promise<Next | null> {
    let next: Next | null = null;
    if (effect.type === 'log') {
      logger.log(effect.level, `session ${effect.event}`, { event: effect.event, ...effect.fields });
    } else if (isPaymentEffect(effect)) {
      const input = await executePaymentEffect(effect, { epayment: o.vipps.epayment, logger, signal });
      const record = sessionCallRecord(effect, input, clock.now());
      if (input) next = { input, records: record ? [recordPaymentCallStatement(record)] : [] };
    }
    // send-lane-message, erase-token, open-settlement: written by the step's transaction; schedule-timer:
    // queued with it.
    await hooks?.afterEffect?.(effect);
    return next;
  }

  async function handle(job: Job, signal: AbortSignal): Promise<void> {
    const first = jobInput(job);
    const inputs: Next[] = [{ input: first.input, records: [] }];
    for (let steps = 0; inputs.length > 0; steps += 1) {
      if (steps >= MAX_STEPS_PER_JOB) {
        logger.error('worker step limit reached for one job; the session timers take over', {
          jobId: job.id,
          laneId: first.laneId,
          type: job.type,
        });
        return;
      }
      const { input, records } = inputs.shift() as Next;
      const effects = await apply({ laneId: first.laneId, input }, job.attempt > 1, records);
      for (const effect of effects) {
        const next = await carryOut(effect, signal);
        if (next) inputs.push(next);
      }
    }
  }

  return {
    start() {
      if (consumer || stopping) return;
      outbox.start();
      sweeper?.start();
      consumer = o.queue.consume(handle, { ...o.consume, concurrency: o.concurrency });
    },
    stop() {
      stopping ??= (async () => {
        await consumer?.stop();
        await Promise.all([outbox.stop(), sweeper?.stop()]);
      })();
      return stopping;
    },
    handle,
    outbox,
    sweeper,
  };
}
