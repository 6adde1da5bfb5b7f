// Claim semantics of the postgres queue, driven step by step (no consumer loop) on a real database with a
// FakeClock: ordering per group, one in flight per group, delays, leases, stats, dead letters, dedup.
import { FakeClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import {
  ackJob,
  buryJob,
  claimJobs,
  type Lease,
  releaseJob,
  renewLease,
  retryJob,
} from '../../src/queue/postgres-job-store';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import type { Job } from '../../src/queue/queue';
import type { Database } from '../../src/store/sql';

export function defineJobStoreSuite(getDb: () => Database): void {
  let db: Database;
  let clock: FakeClock;
  let queue: PostgresQueue;

  beforeEach(async () => {
    db = getDb();
    clock = new FakeClock();
    queue = new PostgresQueue({
      sql: db,
      clock,
      logger: silentLogger(),
      maxAttempts: 5,
      backoff: { baseMs: 1000, maxMs: 60_000 },
    });
  });

  const LEASE_MS = 30_000;

  function claim(consumerId = 'c1', limit = 10, exclude: string[] = []): Promise<Job[]> {
    const now = clock.now();
    return claimJobs(db, { now, limit, leaseUntil: new Date(now.getTime() + LEASE_MS), consumerId, exclude });
  }

  function leaseOf(job: Job, consumerId = 'c1'): Lease {
    return { id: job.id, consumerId, attempt: job.attempt };
  }

  async function enqueue(group: string, key: string, delayMs?: number): Promise<string> {
    const input = {
      group,
      type: 'test.job',
      dedupKey: key,
      payload: { key },
      ...(delayMs ? { delayMs } : {}),
    };
    return (await queue.enqueue(input)).id;
  }

  const keys = (jobs: Job[]): string[] => jobs.map((j) => j.dedupKey);

  describe('postgres queue claims', () => {
    it('delivers a job with its payload, group, type, key and attempt 1', async () => {
      const id = await enqueue('lane-a', 'k1');
      const [job] = await claim();
      expect(job).toEqual({
        id,
        group: 'lane-a',
        type: 'test.job',
        dedupKey: 'k1',
        payload: { key: 'k1' },
        attempt: 1,
        enqueuedAt: clock.now(),
      });
    });

    it('claims one job per group, the oldest first, and the next only after the first is acked', async () => {
      await enqueue('a', 'a1');
      await enqueue('a', 'a2');
      await enqueue('b', 'b1');
      await enqueue('a', 'a3');
      const first = await claim();
      expect(keys(first)).toEqual(['a1', 'b1']);
      expect(await claim('c2')).toEqual([]);
      expect((await ackJob(db, leaseOf(first[0]!), clock.now())).acked).toBe(true);
      expect(keys(await claim('c2'))).toEqual(['a2']);
      expect(await claim('c3')).toEqual([]);
    });

    it('keeps one job in flight per group when claims race', async () => {
      for (const g of ['a', 'b', 'c']) for (const n of [1, 2, 3]) await enqueue(g, `${g}${n}`);
      const results = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((c) => claim(c, 10)));
      expect(keys(results.flat()).sort()).toEqual(['a1', 'b1', 'c1']);
    });

    it('claims no more than the limit, oldest ready first across groups', async () => {
      await enqueue('a', 'a1');
      clock.advance(1);
      await enqueue('b', 'b1');
      clock.advance(1);
      await enqueue('c', 'c1');
      expect(keys(await claim('c1', 2))).toEqual(['a1', 'b1']);
    });

    it('does not claim a delayed job before its time', async () => {
      await enqueue('a', 'timer', 5_000);
      expect(await claim()).toEqual([]);
      clock.advance(4_999);
      expect(await claim()).toEqual([]);
      clock.advance(1);
      expect(keys(await claim())).toEqual(['timer']);
    });

    it('lets a job that is ready run before an earlier-enqueued timer of its group that is not due', async () => {
      await enqueue('a', 'timer', 60_000);
      await enqueue('a', 'event');
      expect(keys(await claim())).toEqual(['event']);
    });

    it('blocks the later jobs of a group while a failed job waits for its retry', async () => {
      await enqueue('a', 'a1');
      await enqueue('a', 'a2');
      const [a1] = await claim();
      const availableAt = new Date(clock.now().getTime() + 5_000);
      expect(await retryJob(db, leaseOf(a1!), { now: clock.now(), availableAt, error: 'Error: boom' })).toBe(
        true,
      );
      expect(await claim()).toEqual([]);
      clock.advance(5_000);
      const [again] = await claim();
      expect(again).toMatchObject({ dedupKey: 'a1', attempt: 2 });
      await ackJob(db, leaseOf(again!), clock.now());
      expect(keys(await claim())).toEqual(['a2']);
    });

    it('unblocks the group once the failing job is dead-lettered', async () => {
      await enqueue('a', 'a1');
      await enqueue('a', 'a2');
      const [a1] = await claim();
      await buryJob(db, leaseOf(a1!), { now: clock.now(), error: 'PermanentJobError: unusable' });
      expect(keys(await claim())).toEqual(['a2']);
    });

    it('hands an expired lease to another consumer as the next attempt, and refuses the old lease', async () => {
      await enqueue('a', 'a1');
      await enqueue('a', 'a2');
      const [first] = await claim('crashed');
      clock.advance(LEASE_MS - 1);
      expect(await claim('c2')).toEqual([]);
      clock.advance(1);
      const [second] = await claim('c2');
      expect(second).toMatchObject({ id: first!.id, attempt: 2 });
      expect((await ackJob(db, leaseOf(first!, 'crashed'), clock.now())).acked).toBe(false);
      expect(
        await renewLease(db, leaseOf(first!, 'crashed'), { now: clock.now(), leaseUntil: clock.now() }),
      ).toBe(false);
      expect((await ackJob(db, leaseOf(second!, 'c2'), clock.now())).acked).toBe(true);
      expect(keys(await claim('c2'))).toEqual(['a2']);
    });

    it('does not give a consumer back a job it is still running after its lease ran out', async () => {
      await enqueue('a', 'a1');
      const [job] = await claim('c1');
      clock.advance(LEASE_MS);
      expect(await claim('c1', 10, [job!.id])).toEqual([]);
    });

    it('keeps a renewed lease from being taken over', async () => {
      await enqueue('a', 'a1');
      const [job] = await claim('c1');
      clock.advance(LEASE_MS - 1_000);
      const leaseUntil = new Date(clock.now().getTime() + LEASE_MS);
      expect(await renewLease(db, leaseOf(job!), { now: clock.now(), leaseUntil })).toBe(true);
      clock.advance(2_000);
      expect(await claim('c2')).toEqual([]);
    });

    it('releases a claimed job without counting the delivery', async () => {
      await enqueue('a', 'a1');
      const [job] = await claim('c1');
      expect(await releaseJob(db, leaseOf(job!), clock.now())).toBe(true);
      expect(await claim('c2')).toEqual([expect.objectContaining({ dedupKey: 'a1', attempt: 1 })]);
    });
  });

  describe('postgres queue dedup', () => {
    it('keeps exactly one job per dedup key and returns its id for the duplicate', async () => {
      const first = await queue.enqueue({ group: 'a', type: 't', dedupKey: 'evt-1', payload: { n: 1 } });
      const again = await queue.enqueue({ group: 'b', type: 't', dedupKey: 'evt-1', payload: { n: 2 } });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ id: first.id, duplicate: true });
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
      expect(rows[0]!.n).toBe(1);
    });

    it('writes one job when the same key is enqueued concurrently', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => queue.enqueue({ group: 'a', type: 't', dedupKey: 'same', payload: {} })),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
    });

    it('still recognises a re-delivery after the job was acked, until the retention has passed', async () => {
      const id = await enqueue('a', 'evt-1');
      const [job] = await claim();
      await ackJob(db, leaseOf(job!), clock.now());
      expect(await queue.enqueue({ group: 'a', type: 't', dedupKey: 'evt-1', payload: {} })).toEqual({
        id,
        duplicate: true,
      });
      clock.advance(7 * 24 * 3600_000);
      expect(await queue.pruneDedupKeys()).toBe(0);
      clock.advance(1);
      expect(await queue.pruneDedupKeys()).toBe(1);
      const fresh = await queue.enqueue({ group: 'a', type: 't', dedupKey: 'evt-1', payload: {} });
      expect(fresh.duplicate).toBe(false);
      expect(fresh.id).not.toBe(id);
    });

    it('never prunes the key of a job that still exists', async () => {
      await enqueue('a', 'kept', 30 * 24 * 3600_000);
      clock.advance(8 * 24 * 3600_000);
      expect(await queue.pruneDedupKeys()).toBe(0);
      expect((await queue.enqueue({ group: 'a', type: 't', dedupKey: 'kept', payload: {} })).duplicate).toBe(
        true,
      );
    });
  });

  describe('postgres queue input validation', () => {
    it.each([
      [{ group: '' }, 'job group must be 1-128 printable ASCII characters without spaces'],
      [{ group: 'lane 1' }, 'job group must be 1-128 printable ASCII characters without spaces'],
      [{ dedupKey: 'x'.repeat(129) }, 'job dedupKey must be 1-128 printable ASCII characters without spaces'],
      [{ dedupKey: 'blåbær' }, 'job dedupKey must be 1-128 printable ASCII characters without spaces'],
      [{ type: '' }, 'job type must be 1-200 characters'],
      [{ delayMs: -1 }, 'job delayMs must be a finite number >= 0'],
      [{ delayMs: Number.NaN }, 'job delayMs must be a finite number >= 0'],
    ])('rejects %j with a QUEUE_INVALID_JOB error', async (override, message) => {
      const input = { group: 'lane-1', type: 't', dedupKey: 'k', payload: {}, ...override };
      await expect(queue.enqueue(input)).rejects.toMatchObject({ code: 'QUEUE_INVALID_JOB', message });
      expect(await queue.stats()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 0 });
    });
  });
}
