// The postgres queue keeps a dead job for replay, but not its customer token (architecture §2): the row is
// scrubbed in the statement that marks it dead, and a replayed check-in without a token pays nothing.
import { FakeClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import { type Job, type JobHandler, PermanentJobError, RetryJobError } from '../../src/queue/queue';
import type { Database } from '../../src/store/sql';
import { openTestDatabase, truncateAll } from '../support/db';
import { checkinJob, expectDroppedStale, replayed, TOKEN } from './dead-checkin-fixture';
import { waitFor } from './queue-test-helpers';

let db: Database;
const stops: (() => Promise<void>)[] = [];
beforeAll(async () => {
  db = await openTestDatabase();
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  await truncateAll(db);
});
afterAll(async () => {
  await db.close();
});

function queueWith(clock: FakeClock, maxAttempts: number): PostgresQueue {
  return new PostgresQueue({
    sql: db,
    clock,
    logger: silentLogger(),
    maxAttempts,
    backoff: { baseMs: 0, maxMs: 0 },
  });
}

function consume(queue: PostgresQueue, handler: JobHandler): void {
  const consumer = queue.consume(handler, { concurrency: 1, pollIntervalMs: 5 });
  stops.push(() => consumer.stop());
}

/** Every column of every row of the jobs table, as Postgres prints them. */
async function rawJobRows(): Promise<string[]> {
  return (await db.query<{ row: string }>('SELECT j::text AS row FROM jobs j')).rows.map((r) => r.row);
}

async function deadRow(): Promise<{ payload: Record<string, unknown> } | undefined> {
  return (
    await db.query<{ payload: Record<string, unknown> }>("SELECT payload FROM jobs WHERE state = 'dead'")
  ).rows[0];
}

describe('postgres queue: dead-lettered check-ins lose their customer token', () => {
  it.each([
    ['a PermanentJobError', 5, () => new PermanentJobError('lane not configured')],
    ['the last of maxAttempts failures', 2, () => new RetryJobError('upstream 503', 0)],
  ])('%s leaves a dead row without the token, and the marker in its place', async (_name, max, error) => {
    const clock = new FakeClock();
    const queue = queueWith(clock, max);
    const job = checkinJob(clock.now().getTime());
    await queue.enqueue(job);
    const seen: unknown[] = [];
    consume(queue, async (j) => {
      seen.push(j.payload);
      throw error();
    });
    const dead = await waitFor('the dead row', deadRow);

    expect(seen[0]).toMatchObject({ customerToken: TOKEN }); // the worker had it while the job was live
    expect(dead.payload).toEqual({ ...job.payload, customerToken: null, customerTokenErased: true });
    const rows = await rawJobRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).not.toContain(TOKEN);
  });

  it('a replayed dead check-in parses into a check-in the machine drops as stale: no payment', async () => {
    const clock = new FakeClock();
    const queue = queueWith(clock, 1);
    const nowMs = clock.now().getTime();
    await queue.enqueue(checkinJob(nowMs));
    const deliveries: Job[] = [];
    consume(queue, async (j) => {
      deliveries.push(j);
      if (deliveries.length === 1) throw new PermanentJobError('first delivery fails');
    });
    await waitFor('the dead row', deadRow);
    const [dead] = await queue.deadJobs(1);
    expect(await queue.replayDead(dead!.id)).toBe(true);
    await waitFor('the replay handled', () => deliveries.length === 2);

    const [first, replay] = deliveries as [Job, Job];
    expect(replay.payload).toMatchObject({ customerToken: null, customerTokenErased: true });
    // The same check-in with its token, still fresh, would have asked for a payment; without it, nothing.
    expect(replayed(first, nowMs).effects.map((e) => e.type)).toContain('create-payment');
    expectDroppedStale(replayed(replay, nowMs));
  });

  it('leaves the payload of a job without a customer token as it was', async () => {
    const clock = new FakeClock();
    const queue = queueWith(clock, 1);
    const payload = { sessionId: 's_1', result: 'failed', nested: { n: 1 } };
    await queue.enqueue({ group: 'vend-1', type: 'dispense-report', dedupKey: 'dispense:s_1', payload });
    consume(queue, async () => {
      throw new PermanentJobError('no such session');
    });
    expect((await waitFor('the dead row', deadRow)).payload).toEqual(payload);
  });
});
