// The sqs adapter's dead jobs for operators (sqs-dead-letters.ts), against fauxqs: listing receives and
// releases (nothing lost or held), a replay goes back to the intake queue once and leaves the DLQ, a delete
// removes it, and a FIFO DLQ's listing says when it is partial.
import { type Job, type JobHandler, PermanentJobError } from '../../src/queue/queue';
import type { SqsQueue } from '../../src/queue/sqs-queue';
import type { SqsQueueUrls } from '../../src/queue/sqs-setup';
import { waitFor } from './queue-test-helpers';
import type { Fauxqs } from './sqs-fauxqs';
import { useFauxqsQueues } from './use-fauxqs-queues';

describe('sqs queue (against fauxqs): dead jobs in the dead-letter queue', () => {
  let sqs: Fauxqs;
  const { consumers, setup } = useFauxqsQueues(
    { backoff: { baseMs: 0, maxMs: 0 } },
    (started) => (sqs = started),
  );

  function consume(queue: SqsQueue, handler: JobHandler): void {
    consumers.push(queue.consume(handler, { concurrency: 2 }));
  }

  /** Enqueues jobs and runs a consumer that refuses each first delivery for good; returns what it saw. */
  async function killed(
    queue: SqsQueue,
    jobs: { group: string; type: string; dedupKey: string }[],
  ): Promise<Job[]> {
    const seen: Job[] = [];
    const dead = new Set<string>();
    consume(queue, async (j) => {
      seen.push(j);
      if (!dead.has(j.dedupKey)) {
        dead.add(j.dedupKey);
        throw new PermanentJobError(`refused ${j.dedupKey}`);
      }
    });
    for (const j of jobs) await queue.enqueue({ ...j, payload: { sessionId: j.dedupKey } });
    await waitFor('all dead', async () => (await queue.stats()).dead === jobs.length, 10_000);
    return seen;
  }

  const visibleInDlq = async (urls: SqsQueueUrls) => (await sqs.peek(urls.dlqUrl, 0, 0)).length;

  it('lists a dead job with its lane, type, attempt and error, and the DLQ still holds it after', async () => {
    const { queue, urls } = await setup();
    const before = Date.now();
    await killed(queue, [{ group: 'lane-1', type: 'timer', dedupKey: 't-1' }]);

    const first = await queue.listDead(10);
    expect(first.partial).toBe(false);
    expect(first.jobs).toHaveLength(1);
    const [job] = first.jobs;
    expect(job).toMatchObject({
      group: 'lane-1',
      type: 'timer',
      attempt: 1,
      lastError: 'PermanentJobError: refused t-1',
      envelope: { group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: { sessionId: 't-1' } },
    });
    expect(job?.deadAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Released at once: listed again, and visible to a plain receive.
    expect((await queue.deadJobs(10)).map((j) => j.id)).toEqual([job?.id]);
    expect(await queue.stats()).toMatchObject({ dead: 1 });
    expect(await visibleInDlq(urls)).toBe(1);
  });

  it('replay sends the job back to the intake queue in its lane, once, and removes it from the DLQ', async () => {
    const { queue, urls } = await setup();
    const seen = await killed(queue, [{ group: 'lane-1', type: 'timer', dedupKey: 't-1' }]);
    const [dead] = (await queue.listDead(10)).jobs;
    if (!dead) throw new Error('no dead job listed');

    expect(await queue.replayDead(dead.id)).toBe(true);
    await waitFor('the replay handled', () => seen.length === 2, 10_000);
    expect(seen[1]).toMatchObject({ group: 'lane-1', type: 'timer', dedupKey: 't-1', attempt: 1 });
    expect((await queue.listDead(10)).jobs).toEqual([]);
    expect(await visibleInDlq(urls)).toBe(0);

    // Twice does nothing twice: the message is gone, nothing more reaches the worker.
    expect(await queue.replayDead(dead.id)).toBe(false);
    await waitFor('intake drained', async () => {
      const s = await queue.stats();
      return s.ready === 0 && s.inFlight === 0;
    });
    expect(seen).toHaveLength(2);
  });

  it('deleteDead removes the message; an unknown id is not found and leaves the DLQ as it was', async () => {
    const { queue, urls } = await setup();
    await killed(queue, [
      { group: 'lane-1', type: 'timer', dedupKey: 't-1' },
      { group: 'lane-2', type: 'timer', dedupKey: 't-2' },
    ]);
    const listed = (await queue.listDead(10)).jobs;
    expect(listed.map((j) => j.group).sort()).toEqual(['lane-1', 'lane-2']);

    expect(await queue.deleteDead('00000000-0000-0000-0000-000000000000')).toBe(false);
    expect(await queue.replayDead('00000000-0000-0000-0000-000000000000')).toBe(false);
    expect(await visibleInDlq(urls)).toBe(2);

    const lane1 = listed.find((j) => j.group === 'lane-1');
    expect(await queue.deleteDead(lane1?.id ?? '')).toBe(true);
    expect((await queue.listDead(10)).jobs.map((j) => j.group)).toEqual(['lane-2']);
    expect(await queue.stats()).toMatchObject({ dead: 1, ready: 0 });
  });

  it("is partial while a lane's later dead jobs are behind its oldest one (FIFO), and complete after", async () => {
    const { queue } = await setup();
    await killed(queue, [
      { group: 'lane-1', type: 'timer', dedupKey: 't-1' },
      { group: 'lane-1', type: 'timer', dedupKey: 't-2' },
    ]);
    const first = await queue.listDead(10);
    // fauxqs hands out one message per group while it is held (real SQS may return both in one batch).
    expect(first.jobs).toHaveLength(1);
    expect(first.partial).toBe(true);
    const oldest = first.jobs.at(-1);
    expect(oldest?.envelope?.dedupKey).toBe('t-1');

    expect(await queue.deleteDead(oldest?.id ?? '')).toBe(true);
    const rest = await queue.listDead(10);
    expect(rest).toMatchObject({ partial: false, jobs: [{ envelope: { dedupKey: 't-2' } }] });
  });

  it('a limit lists at most that many and is not partial for it', async () => {
    const { queue } = await setup();
    await killed(queue, [
      { group: 'lane-1', type: 'timer', dedupKey: 't-1' },
      { group: 'lane-2', type: 'timer', dedupKey: 't-2' },
    ]);
    const one = await queue.listDead(1);
    expect(one.jobs).toHaveLength(1);
    expect(one.partial).toBe(false);
    expect((await queue.listDead(10)).jobs).toHaveLength(2);
  });
});
