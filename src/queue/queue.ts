// The Queue port (architecture §3). Adapters: postgres (jobs table on PGlite or a server) and sqs (FIFO).
// Contract borrowed from sqs-consumer: the handler returns (ack) or throws (retry with backoff, or
// dead-letter when the error is not retryable or attempts are exhausted); the adapter owns ack.
import type { Sql, Statement } from '../store/sql';

export interface EnqueueInput {
  /** Ordering group: the lane id. One job per group is in flight at a time. */
  readonly group: string;
  readonly type: string;
  /** Deduplication key: enqueuing the same key twice leaves exactly one job. */
  readonly dedupKey: string;
  readonly payload: unknown;
  /** Delay before the job becomes ready (timers). */
  readonly delayMs?: number;
}

export interface EnqueueResult {
  readonly id: string;
  /** True when a job with the same dedup key already existed; nothing new was written. */
  readonly duplicate: boolean;
}

export interface Job {
  readonly id: string;
  readonly group: string;
  readonly type: string;
  readonly dedupKey: string;
  readonly payload: unknown;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly enqueuedAt: Date;
}

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export interface ConsumeOptions {
  /** Jobs processed at once across groups. */
  readonly concurrency: number;
  /** How long a claimed job stays invisible before another consumer may take it over. */
  readonly leaseMs?: number;
  /** Idle wait between polls when nothing is ready (postgres adapter). */
  readonly pollIntervalMs?: number;
  /** How often a running job's lease is extended by leaseMs; default leaseMs / 2. */
  readonly heartbeatIntervalMs?: number;
}

export interface QueueConsumer {
  /** Stop claiming, let in-flight jobs finish, then resolve. */
  stop(): Promise<void>;
}

export interface QueueStats {
  readonly ready: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly dead: number;
}

export interface Queue {
  enqueue(input: EnqueueInput): Promise<EnqueueResult>;
  consume(handler: JobHandler, options: ConsumeOptions): QueueConsumer;
  stats(): Promise<QueueStats>;
  /**
   * When this queue keeps its jobs in `db` (the postgres adapter on the store's own database): statements
   * that queue and withdraw jobs inside the caller's own batch, so they commit with its writes or not at all.
   * Undefined for another database or a queue elsewhere (SQS).
   */
  jobsIn?(db: Sql): JobsInStore | undefined;
}

/** Queue writes that join a store batch (see Queue.jobsIn). */
export interface JobsInStore {
  /** Queues the job as `enqueue` would (same dedup key rule) when the batch commits. */
  enqueueStatement(input: EnqueueInput, now: Date): Statement;
  /** Withdraws the job with this dedup key if it was never delivered (a superseded timer), and its key. */
  withdrawStatement(dedupKey: string): Statement;
  /** After the batch committed: consumers look for work now. */
  committed(): void;
}

/** A job that was given up on: kept (with its payload) until an operator replays it. */
export interface DeadJob {
  readonly id: string;
  readonly group: string;
  readonly type: string;
  /** Deliveries made before it died. */
  readonly attempt: number;
  /** The last failure's message, scrubbed of registered secrets; never a payload. */
  readonly lastError: string | null;
  readonly deadAt: Date;
}

/** Operator access to dead letters (adapters that keep them queryable). */
export interface DeadLetters {
  /** Most recently dead first. */
  deadJobs(limit: number): Promise<DeadJob[]>;
  /** Puts a dead job back as a fresh delivery (attempts start over); false when no dead job has that id. */
  replayDead(id: string): Promise<boolean>;
}

/** Thrown by a handler to say "do not retry": the job goes straight to the dead letters with this reason. */
export class PermanentJobError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Thrown by a handler to ask for a retry after a specific delay (e.g. honouring Retry-After). */
export class RetryJobError extends Error {
  readonly retryable = true;
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryJobError';
  }
}
