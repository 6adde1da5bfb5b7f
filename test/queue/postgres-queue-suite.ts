// The postgres Queue adapter through its port: consumers on a real database, a FakeClock for ready times and
// leases, handlers held open with manual promises (never sleeps) to observe what runs at the same time.
import { FakeClock } from '../../src/clock';
import { registerSecret, silentLogger } from '../../src/log';
import { claimJobs } from '../../src/queue/postgres-job-store';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import { type Job, type JobHandler, PermanentJobError, RetryJobError } from '../../src/queue/queue';
import type { Database } from '../../src/store/sql';
import { capturingLogger, type Deferred, deferred, waitFor, withTimeout } from './queue-test-helpers';

export function definePostgresQueueSuite(getDb: () => Database): void {
  let db: Database;
  let clock: FakeClock;
  let stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    db = getDb();
    clock = new FakeClock();
  });
  afterEach(async () => {
    await Promise.all(stops.map((stop) => stop()));
    stops = [];
  });

  function makeQueue(overrides: Partial<ConstructorParameters<typeof PostgresQueue>[0]> = {}): PostgresQueue {
    return new PostgresQueue({
      sql: db,
      clock,
      logger: silentLogger(),
      maxAttempts: 3,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      random: () => 0.5,
      ...overrides,
    });
  }

  function start(queue: PostgresQueue, handler: JobHandler, options: Record<string, number> = {}) {
    const consumer = queue.consume(handler, {
      concurrency: 4,
      pollIntervalMs: 5,
      leaseMs: 30_000,
      ...options,
    });
    stops.push(() => consumer.stop());
    return consumer;
  }

  /** A handler that records each delivery and waits until the test releases (or fails) it. */
  function heldHandler() {
    const started: Job[] = [];
    const gates = new Map<string, Deferred<void>>();
    const gate = (key: string): Deferred<void> => {
      if (!gates.has(key)) gates.set(key, deferred());
      return gates.get(key)!;
    };
    const handler: JobHandler = async (job, signal) => {
      started.push(job);
      // Also let go on stop, so a failing test cannot leave a consumer waiting forever in afterEach.
      await Promise.race([gate(`${job.dedupKey}#${job.attempt}`).promise, aborted(signal)]);
    };
    const startedKeys = (): string[] => started.map((j) => `${j.dedupKey}#${j.attempt}`);
    return { handler, started, startedKeys, gate };
  }

  const aborted = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

  const enqueue = (q: PostgresQueue, group: string, key: string, payload: unknown = { key }) =>
    q.enqueue({ group, type: 'test.job', dedupKey: key, payload });

  async function jobRow(key: string) {
    const { rows } = await db.query<{
      state: string;
      attempt: number;
      available_at: Date;
      last_error: string | null;
    }>('SELECT state, attempt, available_at, last_error FROM jobs WHERE dedup_key = $1', [key]);
    return rows[0];
  }

  describe('PostgresQueue consumers', () => {
    it('runs one job at a time per group, in order, even with free slots', async () => {
      const q = makeQueue();
      const h = heldHandler();
      for (const key of ['a1', 'a2', 'a3']) await enqueue(q, 'a', key);
      start(q, h.handler, { concurrency: 4 });
      await waitFor('a1 to start', () => h.started.length === 1);
      expect(await q.stats()).toMatchObject({ inFlight: 1, ready: 2 });
      h.gate('a1#1').resolve();
      await waitFor('a2 to start', () => h.started.length === 2);
      h.gate('a2#1').resolve();
      await waitFor('a3 to start', () => h.started.length === 3);
      expect(h.startedKeys()).toEqual(['a1#1', 'a2#1', 'a3#1']);
      h.gate('a3#1').resolve();
      await waitFor('all acked', async () => (await q.stats()).ready + (await q.stats()).inFlight === 0);
    });

    it('runs different groups at the same time, up to the concurrency', async () => {
      const q = makeQueue();
      const h = heldHandler();
      for (const g of ['a', 'b', 'c']) await enqueue(q, g, `${g}1`);
      start(q, h.handler, { concurrency: 2 });
      await waitFor('two groups in flight', () => h.started.length === 2);
      // Both handlers are still open: they overlap. The third group waits for a slot.
      expect(await q.stats()).toMatchObject({ inFlight: 2, ready: 1 });
      h.gate(h.startedKeys()[0]!).resolve();
      await waitFor('third group to start', () => h.started.length === 3);
      expect(h.started.map((j) => j.group).sort()).toEqual(['a', 'b', 'c']);
      for (const key of h.startedKeys().slice(1)) h.gate(key).resolve();
    });

    it('picks up a job enqueued in the same process at once, without waiting for the poll', async () => {
      const q = makeQueue();
      const second = deferred<Job>();
      // The first job enqueues the second and waits for it: with an hour between polls, only the in-process
      // wake-up on enqueue can get the second one running.
      start(
        q,
        async (job, signal) => {
          if (job.dedupKey === 'second') return second.resolve(job);
          await enqueue(q, 'b', 'second');
          await Promise.race([second.promise, aborted(signal)]);
        },
        { pollIntervalMs: 3_600_000 },
      );
      await enqueue(q, 'a', 'first');
      expect((await withTimeout(second.promise, 5_000, 'the second job')).group).toBe('b');
    });

    /** The queue on a Database that counts claims (the batch that takes the claim lock). */
    function countingClaims(): { queue: PostgresQueue; claims: () => number } {
      let claims = 0;
      const counted: Database = {
        ...db,
        batch: (statements) => {
          if (statements[0]?.text.includes('pg_advisory_xact_lock')) claims += 1;
          return db.batch(statements);
        },
      };
      return { queue: makeQueue({ sql: counted }), claims: () => claims };
    }

    it('claims again after an ack only when the job held back another of its group', async () => {
      const { queue: q, claims } = countingClaims();
      for (const key of ['a1', 'a2']) await enqueue(q, 'a', key);
      await enqueue(q, 'b', 'b1');
      const done: string[] = [];
      // An hour between polls: every claim here comes from the start or from an ack.
      start(q, async (job) => void done.push(job.dedupKey), { concurrency: 4, pollIntervalMs: 3_600_000 });
      await waitFor('all three done', async () => done.length === 3 && (await q.stats()).inFlight === 0);
      expect(done.indexOf('a1')).toBeLessThan(done.indexOf('a2'));
      // The first claim took a1 and b1; a1's ack found a2 due and claimed it; b1's and a2's acks found
      // nothing more in their groups and claimed nothing.
      expect(claims()).toBe(2);
      await enqueue(q, 'c', 'c1');
      await waitFor('c1 done', () => done.includes('c1'));
      expect(claims()).toBe(3);
    });

    it('retries a failed job after the exponential backoff, then acks it', async () => {
      const q = makeQueue();
      const attempts: number[] = [];
      start(q, async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error('vipps unavailable');
      });
      await enqueue(q, 'a', 'k');
      await waitFor('first failure recorded', async () => {
        const row = await jobRow('k');
        return row?.state === 'ready' && row.last_error !== null;
      });
      // random 0.5 ⇒ delay = 3/4 of baseMs * 2^(attempt-1)
      expect((await jobRow('k'))!.available_at).toEqual(new Date(clock.now().getTime() + 750));
      expect(await q.stats()).toMatchObject({ delayed: 1, ready: 0 });
      clock.advance(750);
      await waitFor(
        'second failure',
        async () => (await jobRow('k'))?.attempt === 2 && attempts.length === 2,
      );
      await waitFor('second retry scheduled', async () => {
        const row = await jobRow('k');
        return row?.state === 'ready' && row.last_error !== null;
      });
      expect((await jobRow('k'))!.available_at).toEqual(new Date(clock.now().getTime() + 1_500));
      clock.advance(1_500);
      await waitFor('acked', async () => (await jobRow('k')) === undefined);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('retries after the delay a RetryJobError asks for', async () => {
      const q = makeQueue();
      start(q, async () => {
        throw new RetryJobError('rate limited', 42_000);
      });
      await enqueue(q, 'a', 'k');
      await waitFor('retry scheduled', async () => {
        const row = await jobRow('k');
        return row?.state === 'ready' && row.last_error !== null;
      });
      expect(await jobRow('k')).toEqual({
        state: 'ready',
        attempt: 1,
        available_at: new Date(clock.now().getTime() + 42_000),
        last_error: 'RetryJobError: rate limited',
      });
    });

    it('dead-letters a job after maxAttempts failures with the last error, without its payload', async () => {
      const { logger, lines } = capturingLogger();
      registerSecret('tok-4f9a8b7c6d5e');
      const q = makeQueue({ logger, maxAttempts: 2 });
      start(q, async (job) => {
        throw new Error(`failure number ${job.attempt} for tok-4f9a8b7c6d5e`);
      });
      await enqueue(q, 'lane-7', 'k', { customerToken: 'tok-4f9a8b7c6d5e', note: 'payload-marker' });
      await waitFor('first retry scheduled', async () => {
        const row = await jobRow('k');
        return row?.state === 'ready' && row.last_error !== null;
      });
      clock.advance(60_000);
      await waitFor('dead', async () => (await jobRow('k'))?.state === 'dead');
      const [dead] = await q.deadJobs(10);
      expect(dead).toEqual({
        id: expect.any(String),
        group: 'lane-7',
        type: 'test.job',
        attempt: 2,
        lastError: 'Error: failure number 2 for [redacted]',
        deadAt: clock.now(),
      });
      expect(await q.stats()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 1 });
      const deadLine = lines.find((l) => l.includes('dead-lettered'));
      expect(JSON.parse(deadLine!)).toMatchObject({ level: 'error', group: 'lane-7', attempt: 2 });
      expect(lines.join('\n')).not.toMatch(/tok-4f9a8b7c6d5e|payload-marker/);
    });

    it.each([
      ['a PermanentJobError', new PermanentJobError('unknown lane'), 'PermanentJobError: unknown lane'],
      [
        'an error marked retryable: false',
        Object.assign(new Error('invalid customer token'), { code: 'VIPPS_INVALID_TOKEN', retryable: false }),
        'Error (VIPPS_INVALID_TOKEN): invalid customer token',
      ],
    ])('dead-letters %s at once', async (_name, error, lastError) => {
      const q = makeQueue({ maxAttempts: 10 });
      start(q, async () => {
        throw error;
      });
      await enqueue(q, 'a', 'k');
      await waitFor('dead', async () => (await jobRow('k'))?.state === 'dead');
      expect(await q.deadJobs(10)).toEqual([expect.objectContaining({ attempt: 1, lastError })]);
    });

    it('gives a job whose consumer stopped responding to another consumer once the lease expires', async () => {
      const q = makeQueue();
      const stuck = heldHandler();
      start(q, stuck.handler, { leaseMs: 10_000, heartbeatIntervalMs: 3_600_000 });
      await enqueue(q, 'a', 'k');
      await waitFor('first consumer to take it', () => stuck.started.length === 1);
      const second = deferred<Job>();
      start(makeQueue(), async (job) => second.resolve(job), { leaseMs: 10_000 });
      expect(await q.stats()).toMatchObject({ inFlight: 1 });
      clock.advance(10_000);
      const retaken = await withTimeout(second.promise, 5_000, 'the second consumer');
      expect(retaken).toMatchObject({ dedupKey: 'k', attempt: 2 });
      await waitFor('second consumer acked', async () => (await jobRow('k')) === undefined);
      stuck.gate('k#1').resolve(); // the first consumer finishes late: its ack must not disturb anything
      expect(stuck.started).toHaveLength(1);
    });

    it('renews the lease of a long-running job so no one else takes it', async () => {
      const q = makeQueue();
      const h = heldHandler();
      start(q, h.handler, { leaseMs: 10_000, heartbeatIntervalMs: 5 });
      await enqueue(q, 'a', 'k');
      await waitFor('started', () => h.started.length === 1);
      clock.advance(9_000);
      const renewedUntil = clock.now().getTime() + 10_000;
      await waitFor('lease renewed', async () => {
        const { rows } = await db.query<{ lease_until: Date }>('SELECT lease_until FROM jobs');
        return rows[0]?.lease_until.getTime() === renewedUntil;
      });
      clock.advance(2_000); // past the first lease
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + 10_000);
      expect(await claimJobs(db, { now, limit: 1, leaseUntil, consumerId: 'other', exclude: [] })).toEqual(
        [],
      );
      expect(await q.stats()).toMatchObject({ inFlight: 1, ready: 0 });
      h.gate('k#1').resolve();
      await waitFor('acked', async () => (await jobRow('k')) === undefined);
    });

    it('stops claiming on stop(), aborts the signal, and resolves only once the job in flight is done', async () => {
      const q = makeQueue();
      const abortSeen = deferred<void>();
      const release = deferred<void>();
      const seen: string[] = [];
      const consumer = start(q, async (job, signal) => {
        seen.push(job.dedupKey);
        signal.addEventListener('abort', () => abortSeen.resolve());
        await release.promise;
      });
      await enqueue(q, 'a', 'a1');
      await enqueue(q, 'b', 'b1');
      await waitFor('both started', () => seen.length === 2);
      let stopped = false;
      const stopping = consumer.stop().then(() => (stopped = true));
      try {
        await withTimeout(abortSeen.promise, 5_000, 'the abort signal');
        await enqueue(q, 'c', 'c1');
        expect(stopped).toBe(false);
      } finally {
        release.resolve();
      }
      await stopping;
      expect(await q.stats()).toEqual({ ready: 1, inFlight: 0, delayed: 0, dead: 0 });
      expect(seen.sort()).toEqual(['a1', 'b1']);
    });

    it('rejects a concurrency below 1', () => {
      expect(() => makeQueue().consume(async () => undefined, { concurrency: 0 })).toThrow(
        'consume concurrency must be an integer >= 1',
      );
    });
  });

  describe('PostgresQueue stats and dead letters', () => {
    it('counts ready, in flight, delayed and dead jobs', async () => {
      const q = makeQueue();
      const h = heldHandler();
      start(
        q,
        (job, signal) =>
          job.type === 'bad' ? Promise.reject(new PermanentJobError('bad')) : h.handler(job, signal),
        {
          concurrency: 1,
        },
      );
      await q.enqueue({ group: 'x', type: 'bad', dedupKey: 'dead', payload: {} });
      await waitFor('dead', async () => (await jobRow('dead'))?.state === 'dead');
      await enqueue(q, 'a', 'inflight');
      await waitFor('one in flight', () => h.started.length === 1);
      await enqueue(q, 'b', 'ready'); // the only slot is taken
      await q.enqueue({ group: 'c', type: 't', dedupKey: 'delayed', payload: {}, delayMs: 5_000 });
      expect(await q.stats()).toEqual({ ready: 1, inFlight: 1, delayed: 1, dead: 1 });
      h.gate('inflight#1').resolve();
    });

    it('replays a dead job as a fresh delivery', async () => {
      const q = makeQueue({ maxAttempts: 1 });
      const attempts: number[] = [];
      start(q, async (job) => {
        attempts.push(job.attempt);
        if (attempts.length === 1) throw new Error('first time fails');
      });
      await enqueue(q, 'a', 'k');
      await waitFor('dead', async () => (await jobRow('k'))?.state === 'dead');
      const [dead] = await q.deadJobs(5);
      expect(await q.replayDead(dead!.id)).toBe(true);
      await waitFor('replayed and acked', async () => (await jobRow('k')) === undefined);
      expect(attempts).toEqual([1, 1]);
      expect(await q.replayDead(dead!.id)).toBe(false);
    });

    it.each(['abc', '', '-1', '1; DROP TABLE jobs', '99999999999999999999'])(
      'answers false to replayDead(%j)',
      async (id) => {
        expect(await makeQueue().replayDead(id)).toBe(false);
      },
    );

    it('does not replay a job that is not dead', async () => {
      const q = makeQueue();
      const { id } = await enqueue(q, 'a', 'k');
      expect(await q.replayDead(id)).toBe(false);
      expect(await jobRow('k')).toMatchObject({ state: 'ready', attempt: 0 });
    });
  });
  describe('PostgresQueue.jobsIn: queue writes inside a store batch', () => {
    const input = (key: string, delayMs = 0) => ({
      group: 'a',
      type: 'test.job',
      dedupKey: key,
      payload: { key },
      delayMs,
    });
    const keyRow = async (key: string) =>
      (await db.query('SELECT dedup_key FROM job_keys WHERE dedup_key = $1', [key])).rows[0];

    it('is offered only for the database the queue keeps its jobs in', () => {
      const q = makeQueue();
      expect(q.jobsIn(db)).toBeDefined();
      expect(q.jobsIn({ ...db })).toBeUndefined();
    });

    it('queues with the batch, deduplicated like enqueue, and wakes its consumers on commit', async () => {
      const q = makeQueue();
      const store = q.jobsIn(db)!;
      await enqueue(q, 'a', 'existing');
      await db.batch([store.enqueueStatement(input('existing'), clock.now())]);
      expect(
        (await db.query("SELECT count(*)::int AS n FROM jobs WHERE dedup_key = 'existing'")).rows,
      ).toEqual([{ n: 1 }]);
      await expect(
        db.batch([
          store.enqueueStatement(input('rolled-back'), clock.now()),
          { text: 'SELECT 1/0', params: [] },
        ]),
      ).rejects.toThrow(/division by zero/);
      expect(await jobRow('rolled-back')).toBeUndefined();
      expect(await keyRow('rolled-back')).toBeUndefined();
      await db.batch([store.enqueueStatement(input('later', 60_000), clock.now())]);
      expect((await jobRow('later'))?.available_at).toEqual(new Date(clock.now().getTime() + 60_000));
      // An hour between polls: only the start and the commit's wake-up can get the jobs running.
      start(q, async () => undefined, { pollIntervalMs: 3_600_000 });
      await waitFor('existing acked', async () => (await jobRow('existing')) === undefined);
      expect(await jobRow('later')).toMatchObject({ state: 'ready' });
      clock.advance(60_000);
      store.committed();
      await waitFor('the delayed job to run once due', async () => (await jobRow('later')) === undefined);
    });

    it('withdraws a job never delivered, with its key, and leaves one in flight alone', async () => {
      const q = makeQueue();
      const store = q.jobsIn(db)!;
      await enqueue(q, 'a', 'running');
      await enqueue(q, 'b', 'waiting');
      const h = heldHandler();
      start(q, h.handler, { concurrency: 1 });
      await waitFor('one job to start', () => h.started.length === 1);
      const [inFlight] = h.startedKeys();
      const other = inFlight === 'running#1' ? 'waiting' : 'running';
      const held = inFlight!.replace('#1', '');
      await db.batch([store.withdrawStatement(held), store.withdrawStatement(other)]);
      expect(await jobRow(other)).toBeUndefined();
      expect(await keyRow(other)).toBeUndefined();
      expect(await jobRow(held)).toMatchObject({ state: 'leased', attempt: 1 });
      expect(await keyRow(held)).toBeDefined();
      // The withdrawn key can be queued again.
      expect((await enqueue(q, 'c', other)).duplicate).toBe(false);
      h.gate(inFlight!).resolve();
    });
  });
}
