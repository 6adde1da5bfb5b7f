// An in-memory Queue for tests: enqueue with dedup, per-group ordering (one job in flight per group), delays,
// retries and dead letters, plus `jobs()` to inspect what was enqueued. Not durable: tests only.
import type { Clock } from '../../src/clock';
import {
  type ConsumeOptions,
  type EnqueueInput,
  type EnqueueResult,
  type Job,
  type JobHandler,
  type Queue,
  type QueueConsumer,
  type QueueStats,
  RetryJobError,
} from '../../src/queue/queue';

/** What queue-backed tests need beyond the port; a postgres-backed test queue implements the same. */
export interface InspectableQueue extends Queue {
  /** Every job ever enqueued, oldest first, whatever its state (ready, in flight, done or dead). */
  jobs(): Promise<readonly Job[]>;
}

interface Entry {
  job: Job;
  readyAt: number;
  state: 'ready' | 'in-flight' | 'done' | 'dead';
}

export class MemoryQueue implements InspectableQueue {
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly clock: Clock = { now: () => new Date() },
    private readonly maxAttempts = 5,
  ) {}

  /** Makes every enqueue reject with `err` until called again with undefined (simulates an outage). */
  failEnqueue(err: Error | undefined): void {
    this.failure = err;
  }

  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    if (this.failure) throw this.failure;
    const existing = this.byKey.get(input.dedupKey);
    if (existing) return { id: existing.job.id, duplicate: true };
    const now = this.clock.now();
    const job: Job = {
      id: String(this.nextId++),
      group: input.group,
      type: input.type,
      dedupKey: input.dedupKey,
      payload: input.payload,
      attempt: 1,
      enqueuedAt: now,
    };
    const entry: Entry = { job, readyAt: now.getTime() + (input.delayMs ?? 0), state: 'ready' };
    this.entries.push(entry);
    this.byKey.set(input.dedupKey, entry);
    this.wake();
    return { id: job.id, duplicate: false };
  }

  async jobs(): Promise<readonly Job[]> {
    return this.entries.map((e) => e.job);
  }

  async stats(): Promise<QueueStats> {
    const now = this.clock.now().getTime();
    const count = (p: (e: Entry) => boolean): number => this.entries.filter(p).length;
    return {
      ready: count((e) => e.state === 'ready' && e.readyAt <= now),
      inFlight: count((e) => e.state === 'in-flight'),
      delayed: count((e) => e.state === 'ready' && e.readyAt > now),
      dead: count((e) => e.state === 'dead'),
    };
  }

  /** Runs ready jobs whenever something is enqueued or finishes; delayed jobs run once the clock passes them
   * and something wakes the consumer (enqueue, a finished job, or `poke()` after advancing a fake clock). */
  consume(handler: JobHandler, options: ConsumeOptions): QueueConsumer {
    const abort = new AbortController();
    const running = new Set<Promise<void>>();
    let stopped = false;
    const pump = (): void => {
      if (stopped) return;
      const now = this.clock.now().getTime();
      const busy = new Set(this.entries.filter((e) => e.state === 'in-flight').map((e) => e.job.group));
      for (const e of this.entries) {
        if (running.size >= options.concurrency) break;
        if (e.state !== 'ready' || e.readyAt > now || busy.has(e.job.group)) continue;
        busy.add(e.job.group);
        e.state = 'in-flight';
        const p = this.run(e, handler, abort.signal).finally(() => {
          running.delete(p);
          pump();
        });
        running.add(p);
      }
    };
    this.wakers.add(pump);
    pump();
    return {
      stop: async () => {
        stopped = true;
        this.wakers.delete(pump);
        await Promise.all(running);
      },
    };
  }

  /** Wakes consumers, e.g. after advancing a FakeClock past a delayed job. */
  poke(): void {
    this.wake();
  }

  private wake(): void {
    for (const w of this.wakers) queueMicrotask(w);
  }

  private async run(e: Entry, handler: JobHandler, signal: AbortSignal): Promise<void> {
    try {
      await handler(e.job, signal);
      e.state = 'done';
    } catch (err) {
      const retryable = (err as { retryable?: unknown }).retryable !== false;
      if (!retryable || e.job.attempt >= this.maxAttempts) {
        e.state = 'dead';
        return;
      }
      const delayMs = err instanceof RetryJobError ? err.delayMs : 0;
      e.job = { ...e.job, attempt: e.job.attempt + 1 };
      e.readyAt = this.clock.now().getTime() + delayMs;
      e.state = 'ready';
    }
  }
}

/** The factory router tests use, so the same tests can run against another InspectableQueue. */
export function createMemoryQueue(clock?: Clock): MemoryQueue {
  return new MemoryQueue(clock);
}
