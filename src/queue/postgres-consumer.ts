// The consume loop of the postgres queue: claim up to the free slots, run each job under a lease kept alive
// by a heartbeat, then ack, retry or dead-letter it. Idle, it polls; an in-process wake (enqueue, a job
// finished, stop) cuts the wait short. The adapter owns the outcome; the handler only returns or throws.
// A claim is the queue's most expensive statement, so the loop claims only when work may be waiting: at every
// poll (timers come due, other processes enqueue, leases expire), after an in-process enqueue, after a claim
// that filled every free slot, and after an ack that says the job's group has another job due.
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Sql } from '../store/sql';
import type { FailureDecision } from './job-failure';
import { describeJobError } from './job-failure';
import {
  ackJob,
  buryJob,
  claimJobs,
  type Lease,
  releaseJob,
  renewLease,
  retryJob,
} from './postgres-job-store';
import type { Job, JobHandler, QueueConsumer } from './queue';
import { Wakeup } from './wakeup';

export interface ConsumerSettings {
  readonly sql: Sql;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly consumerId: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  readonly decide: (err: unknown, attempt: number) => FailureDecision;
  /** Housekeeping run from the loop (rate-limited by the caller); failures are logged, never fatal. */
  readonly maintenance: () => Promise<void>;
  readonly onStopped: () => void;
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly err: unknown };

export class PostgresConsumer implements QueueConsumer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly wakeup = new Wakeup();
  /** Set by whatever may have made a job claimable; cleared by the claim that follows. */
  private mayHaveWork = true;
  private readonly loop: Promise<void>;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly s: ConsumerSettings,
    private readonly handler: JobHandler,
  ) {
    this.loop = this.run();
  }

  /** Look for work now instead of at the next poll. */
  wake(): void {
    this.mayHaveWork = true;
    this.wakeup.notify();
  }

  /** Stops claiming, aborts the handlers' signals, waits for the jobs in flight to settle. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort(new Error('queue consumer stopping'));
      this.wakeup.notify();
      await this.loop;
      this.s.onStopped();
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.guard('queue maintenance failed', () => this.s.maintenance());
      const free = this.s.concurrency - this.running.size;
      let jobs: Job[] = [];
      if (free > 0 && this.mayHaveWork) {
        this.mayHaveWork = false;
        jobs = await this.claim(free);
        // A full claim may have left more behind; a wake during the claim has set the flag again.
        if (jobs.length === free) this.mayHaveWork = true;
      }
      if (this.stopping.signal.aborted) {
        await Promise.all(jobs.map((job) => this.release(job)));
        break;
      }
      for (const job of jobs) this.start(job);
      // Either the slots are full (a finishing job wakes us) or nothing more is claimable right now.
      if (await this.wakeup.wait(this.s.pollIntervalMs)) continue;
      this.mayHaveWork = true; // the poll
    }
    await Promise.all(this.running.values());
  }

  private async claim(free: number): Promise<Job[]> {
    const now = this.s.clock.now();
    const request = {
      now,
      limit: free,
      leaseUntil: new Date(now.getTime() + this.s.leaseMs),
      consumerId: this.s.consumerId,
      exclude: [...this.running.keys()],
    };
    const jobs = await this.guard('queue claim failed', () => claimJobs(this.s.sql, request));
    // A failed claim (the database unreachable, say) is tried again at the next wake-up or poll.
    if (jobs === undefined) this.mayHaveWork = true;
    return jobs ?? [];
  }

  private start(job: Job): void {
    const done = this.guard('queue job outcome not recorded; it is redelivered once its lease expires', () =>
      this.execute(job),
    ).then(() => {
      this.running.delete(job.id);
      this.wakeup.notify();
    });
    this.running.set(job.id, done);
  }

  private async execute(job: Job): Promise<void> {
    const lease: Lease = { id: job.id, consumerId: this.s.consumerId, attempt: job.attempt };
    const jobAbort = new AbortController();
    const onStop = (): void => jobAbort.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    let renewal: Promise<void> | undefined;
    const heartbeat = setInterval(() => {
      renewal ??= this.renew(job, lease, jobAbort).finally(() => (renewal = undefined));
    }, this.s.heartbeatIntervalMs);
    let outcome: Outcome;
    try {
      await this.handler(job, jobAbort.signal);
      outcome = { ok: true };
    } catch (err) {
      outcome = { ok: false, err };
    } finally {
      clearInterval(heartbeat);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
    await renewal;
    await this.settle(job, lease, outcome);
  }

  private async renew(job: Job, lease: Lease, jobAbort: AbortController): Promise<void> {
    const now = this.s.clock.now();
    const at = { now, leaseUntil: new Date(now.getTime() + this.s.leaseMs) };
    const kept = await this.guard('queue lease renewal failed', () => renewLease(this.s.sql, lease, at));
    if (kept !== false) return;
    this.s.logger.warn('queue job lease lost; another consumer took it over', fields(job));
    jobAbort.abort(new Error('queue job lease lost'));
  }

  private async settle(job: Job, lease: Lease, outcome: Outcome): Promise<void> {
    const { sql, clock, logger } = this.s;
    if (outcome.ok) {
      const { acked, groupHasDue } = await ackJob(sql, lease, clock.now());
      if (!acked)
        logger.warn('queue job finished after its lease was lost; it was delivered again', fields(job));
      if (groupHasDue) this.mayHaveWork = true;
      return;
    }
    // The job stays the head of its group (retry) or frees it (dead): the next poll, or a claim after a
    // dead job, finds what follows.
    this.mayHaveWork = true;
    const decision = this.s.decide(outcome.err, job.attempt);
    const now = clock.now();
    if (decision.kind === 'dead') {
      const buried = await buryJob(sql, lease, { now, error: decision.error });
      if (buried) logger.error('queue job dead-lettered', { ...fields(job), error: decision.error });
      else
        logger.warn('queue job failed after its lease was lost', { ...fields(job), error: decision.error });
      return;
    }
    const availableAt = new Date(now.getTime() + decision.delayMs);
    const retried = await retryJob(sql, lease, { now, availableAt, error: decision.error });
    if (retried)
      logger.warn('queue job failed; retrying', {
        ...fields(job),
        delayMs: decision.delayMs,
        error: decision.error,
      });
    else logger.warn('queue job failed after its lease was lost', { ...fields(job), error: decision.error });
  }

  private async release(job: Job): Promise<void> {
    const lease: Lease = { id: job.id, consumerId: this.s.consumerId, attempt: job.attempt };
    await this.guard('queue job release failed', () => releaseJob(this.s.sql, lease, this.s.clock.now()));
  }

  /** Runs fn; a failure is logged (message only) and yields undefined, so the loop keeps going. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.s.logger.error(what, { consumerId: this.s.consumerId, error: describeJobError(err) });
      return undefined;
    }
  }
}

/** What is logged about a job: never its payload. */
function fields(job: Job): Record<string, unknown> {
  return { jobId: job.id, group: job.group, type: job.type, attempt: job.attempt };
}
