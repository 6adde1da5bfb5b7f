// The `postgres` Queue adapter (architecture §3): a jobs table on embedded PGlite or a Postgres server.
//
// Durability: enqueue resolves after its INSERT has committed. On PGlite with a data directory, PGlite's
// default relaxedDurability: false (never changed here) makes every query wait for PGlite's filesystem sync
// before resolving, and its Node filesystem writes straight into the files in DATA_DIR: a resolved enqueue
// survives the process being killed, even with SIGKILL (test/store/open-embedded.test.ts). PGlite starts
// Postgres with fsync off (-F) and its WASM fdatasync is a no-op, so the last commits may be lost to a
// power cut or OS crash; where that matters, use the aws profile (SQS, a Postgres server).
// Ordering: FIFO per group (lane), one job in flight per group, and a failing job blocks the later jobs of
// its group until it succeeds or is dead-lettered (see CLAIM_SQL in postgres-job-store.ts).
// Wake-ups: consumers poll; an enqueue through this same instance wakes its consumers at once. Another
// process's enqueue is seen at the next poll.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Sql } from '../store/sql';
import { validateEnqueueInput } from './enqueue-validation';
import { type BackoffOptions, decideFailure } from './job-failure';
import { PostgresConsumer } from './postgres-consumer';
import { EnqueueBatcher } from './postgres-enqueue-batch';
import {
  countJobs,
  insertJobStatement,
  listDeadJobs,
  pruneJobKeys,
  type NewJob,
  requeueDeadJob,
  withdrawJobStatement,
} from './postgres-job-store';
import type {
  ConsumeOptions,
  DeadJob,
  DeadLetters,
  EnqueueInput,
  EnqueueResult,
  JobHandler,
  JobsInStore,
  Queue,
  QueueStats,
} from './queue';

export interface PostgresQueueOptions {
  readonly sql: Sql;
  /** The one time source for ready times and leases, in every process sharing the table. */
  readonly clock: Clock;
  readonly logger: Logger;
  /** Deliveries before a failing job is dead-lettered (QUEUE_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  /** Names this process in leases (leased_by); default `<hostname>:<pid>:<random>`. */
  readonly consumerId?: string;
  /** How long a dedup key outlives its acked job, in ms; default 7 days (Vipps retries a webhook that long). */
  readonly dedupRetentionMs?: number;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

// Short, and renewed every half of it while the job runs: a dead consumer's jobs are taken over within about
// one lease (issue 13). WORKER_LEASE_S and WORKER_LEASE_HEARTBEAT_S set both.
export const DEFAULT_LEASE_MS = 15_000;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const MAX_DEAD_LISTED = 1000;

/** The row an enqueue writes: checked, and due after its delay from `now`. */
function newJob(input: EnqueueInput, now: Date): NewJob {
  const delayMs = validateEnqueueInput(input);
  return { ...input, availableAt: new Date(now.getTime() + delayMs) };
}

export class PostgresQueue implements Queue, DeadLetters {
  private readonly consumers = new Set<PostgresConsumer>();
  private readonly consumerId: string;
  private consumersStarted = 0;
  private nextPruneAt = 0;

  constructor(private readonly o: PostgresQueueOptions) {
    if (!Number.isInteger(o.maxAttempts) || o.maxAttempts < 1)
      throw new RangeError('PostgresQueue maxAttempts must be an integer >= 1');
    if (!(o.backoff.baseMs >= 0 && o.backoff.maxMs >= o.backoff.baseMs))
      throw new RangeError('PostgresQueue backoff needs 0 <= baseMs <= maxMs');
    this.consumerId = o.consumerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.batcher = new EnqueueBatcher(
      o.sql,
      () => o.clock.now(),
      (anyNew) => {
        if (anyNew) this.wakeConsumers();
      },
    );
  }

  private readonly batcher: EnqueueBatcher;

  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    return this.batcher.enqueue(newJob(input, this.o.clock.now()));
  }

  jobsIn(db: Sql): JobsInStore | undefined {
    if (db !== this.o.sql) return undefined;
    return {
      enqueueStatement: (input, now) => insertJobStatement(newJob(input, now), now),
      withdrawStatement: withdrawJobStatement,
      committed: () => this.wakeConsumers(),
    };
  }

  consume(handler: JobHandler, options: ConsumeOptions): PostgresConsumer {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(leaseMs / 2));
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError('consume concurrency must be an integer >= 1');
    for (const [name, ms] of Object.entries({ leaseMs, pollIntervalMs, heartbeatIntervalMs }))
      if (!Number.isFinite(ms) || ms <= 0)
        throw new RangeError(`consume ${name} must be a positive number of ms`);
    const random = this.o.random ?? Math.random;
    const consumer: PostgresConsumer = new PostgresConsumer(
      {
        sql: this.o.sql,
        clock: this.o.clock,
        logger: this.o.logger,
        consumerId: `${this.consumerId}/${++this.consumersStarted}`,
        concurrency: options.concurrency,
        leaseMs,
        pollIntervalMs,
        heartbeatIntervalMs,
        decide: (err, attempt) =>
          decideFailure(err, attempt, { maxAttempts: this.o.maxAttempts, backoff: this.o.backoff, random }),
        maintenance: () => this.pruneWhenDue(),
        onStopped: () => this.consumers.delete(consumer),
      },
      handler,
    );
    this.consumers.add(consumer);
    return consumer;
  }

  stats(): Promise<QueueStats> {
    return countJobs(this.o.sql, this.o.clock.now());
  }

  deadJobs(limit: number): Promise<DeadJob[]> {
    const n = Number.isFinite(limit) ? Math.min(MAX_DEAD_LISTED, Math.max(1, Math.floor(limit))) : 100;
    return listDeadJobs(this.o.sql, n);
  }

  async replayDead(id: string): Promise<boolean> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return false;
    const replayed = await requeueDeadJob(this.o.sql, id, this.o.clock.now());
    if (replayed) this.wakeConsumers();
    return replayed;
  }

  /** Forgets dedup keys of acked jobs older than the retention; returns how many. */
  pruneDedupKeys(): Promise<number> {
    const before = new Date(this.o.clock.now().getTime() - (this.o.dedupRetentionMs ?? SEVEN_DAYS_MS));
    return pruneJobKeys(this.o.sql, before);
  }

  private async pruneWhenDue(): Promise<void> {
    const now = this.o.clock.now().getTime();
    if (now < this.nextPruneAt) return;
    this.nextPruneAt = now + PRUNE_EVERY_MS;
    const pruned = await this.pruneDedupKeys();
    if (pruned > 0) this.o.logger.info('queue dedup keys pruned', { pruned });
  }

  private wakeConsumers(): void {
    for (const consumer of this.consumers) consumer.wake();
  }
}
