import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { FakeClock, systemClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { InvalidJobError } from '../../src/queue/enqueue-validation';
import { type Job, type JobHandler, PermanentJobError, RetryJobError } from '../../src/queue/queue';
import type { SqsJobConsumer } from '../../src/queue/sqs-job-consumer';
import { SqsQueue } from '../../src/queue/sqs-queue';
import { deferred, waitFor, withTimeout } from './queue-test-helpers';
import type { Fauxqs } from './sqs-fauxqs';
import { useFauxqsQueues } from './use-fauxqs-queues';

describe('sqs queue (against fauxqs)', () => {
  let sqs: Fauxqs;
  const { consumers, setup } = useFauxqsQueues(
    { backoff: { baseMs: 1000, maxMs: 1000 }, random: () => 1 },
    (started) => (sqs = started),
  );

  function consume(queue: SqsQueue, handler: JobHandler, concurrency = 4, leaseMs?: number): SqsJobConsumer {
    const consumer = queue.consume(handler, { concurrency, ...(leaseMs === undefined ? {} : { leaseMs }) });
    consumers.push(consumer);
    return consumer;
  }

  /** The real fauxqs client, with each command seen first (observation only; every call reaches fauxqs). */
  function observed(onCommand: (command: unknown) => void): Pick<SQSClient, 'send'> {
    const send = sqs.client.send.bind(sqs.client) as (c: unknown, o?: unknown) => Promise<unknown>;
    return {
      send: ((command: unknown, options?: unknown) => {
        onCommand(command);
        return send(command, options);
      }) as SQSClient['send'],
    };
  }

  const job = (group: string, key: string, payload: unknown = { key }, delayMs?: number) => ({
    group,
    type: 'test.job',
    dedupKey: key,
    payload,
    ...(delayMs === undefined ? {} : { delayMs }),
  });

  it('delivers each lane in FIFO order while lanes run side by side', async () => {
    const { queue } = await setup();
    for (let i = 1; i <= 5; i += 1) {
      await queue.enqueue(job('lane-a', `a${i}`));
      await queue.enqueue(job('lane-b', `b${i}`));
    }
    const seen: Record<string, string[]> = { 'lane-a': [], 'lane-b': [] };
    consume(queue, async (j) => {
      seen[j.group]?.push(j.dedupKey);
    });
    await waitFor(
      'all 10 jobs',
      () => (seen['lane-a']?.length ?? 0) + (seen['lane-b']?.length ?? 0) === 10,
      10_000,
    );
    expect(seen).toEqual({
      'lane-a': ['a1', 'a2', 'a3', 'a4', 'a5'],
      'lane-b': ['b1', 'b2', 'b3', 'b4', 'b5'],
    });
  });

  it('keeps one job of a dedup key: a duplicate from this instance is reported, one from another is dropped by SQS', async () => {
    const { queue, urls } = await setup();
    const first = await queue.enqueue(job('lane-a', 'evt-1', { n: 1 }));
    const again = await queue.enqueue(job('lane-a', 'evt-1', { n: 2 }));
    expect(again).toEqual({ id: first.id, duplicate: true });
    // A second gateway instance does not know the key; SQS deduplicates it (and answers with the original id).
    const other = new SqsQueue({
      client: sqs.client,
      ...urls,
      clock: systemClock,
      logger: silentLogger(),
      backoff: { baseMs: 1000, maxMs: 1000 },
      waitTimeSeconds: 1,
    });
    expect(await other.enqueue(job('lane-a', 'evt-1', { n: 3 }))).toEqual({ id: first.id, duplicate: false });
    await queue.enqueue(job('lane-a', 'sentinel'));

    const handled: unknown[] = [];
    consume(queue, async (j) => {
      handled.push(j.payload);
    });
    // FIFO per lane: once the sentinel is handled, everything enqueued before it in the lane has been.
    await waitFor('the sentinel', () => handled.length >= 2 && handled.at(-1));
    expect(handled).toEqual([{ n: 1 }, { key: 'sentinel' }]);
  });

  it('runs one job per lane at a time, while two lanes overlap', async () => {
    const { queue } = await setup();
    for (let i = 1; i <= 3; i += 1) {
      await queue.enqueue(job('lane-a', `a${i}`));
      await queue.enqueue(job('lane-b', `b${i}`));
    }
    const active = new Map<string, number>();
    let maxPerLane = 0;
    let done = 0;
    const bothRunning = deferred();
    consume(queue, async (j) => {
      active.set(j.group, (active.get(j.group) ?? 0) + 1);
      maxPerLane = Math.max(maxPerLane, active.get(j.group) ?? 0);
      if ([...active.values()].filter((n) => n > 0).length === 2) bothRunning.resolve();
      await bothRunning.promise; // the first job of each lane waits until the other lane's job runs too
      active.set(j.group, (active.get(j.group) ?? 1) - 1);
      done += 1;
    });
    await withTimeout(bothRunning.promise, 5_000, 'two lanes running at once');
    await waitFor('all 6 jobs', () => done === 6, 10_000);
    expect(maxPerLane).toBe(1);
  });

  it('keeps a long job invisible with the heartbeat past its visibility timeout', async () => {
    const { queue, urls } = await setup();
    await queue.enqueue(job('lane-a', 'long'));
    const started = deferred<Job>();
    const release = deferred();
    let acked = false;
    consume(
      queue,
      async (j) => {
        started.resolve(j);
        await release.promise;
        acked = true;
      },
      1,
      2_000, // visibility 2 s; heartbeat every 1 s (the 1 s floor)
    );
    await withTimeout(started.promise, 5_000, 'the job to start');
    // Another consumer long-polls for 4 s, twice the visibility timeout: without the heartbeat it would get the job.
    expect(await sqs.peek(urls.intakeQueueUrl, 4, 1)).toEqual([]);
    expect((await queue.stats()).inFlight).toBe(1);
    release.resolve();
    await waitFor('the ack', () => acked);
    await waitFor('the message deleted', async () => {
      const s = await queue.stats();
      return s.inFlight === 0 && s.ready === 0;
    });
  });

  it('retries a failed job after its backoff, with the later job of its lane held behind it', async () => {
    const { queue } = await setup();
    await queue.enqueue(job('lane-a', 'first'));
    await queue.enqueue(job('lane-a', 'second'));
    const runs: { key: string; attempt: number; at: number }[] = [];
    consume(queue, async (j) => {
      runs.push({ key: j.dedupKey, attempt: j.attempt, at: Date.now() });
      if (j.dedupKey === 'first' && j.attempt === 1) throw new Error('controller unreachable');
    });
    await waitFor('both jobs done', () => runs.length === 3, 10_000);
    expect(runs.map((r) => [r.key, r.attempt])).toEqual([
      ['first', 1],
      ['first', 2],
      ['second', 1],
    ]);
    // backoff {baseMs: 1000} with random() = 1: 1000 ms, applied as a 1 s visibility timeout.
    expect((runs[1]?.at ?? 0) - (runs[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('honours RetryJobError delays as whole seconds', async () => {
    const { queue } = await setup();
    await queue.enqueue(job('lane-a', 'k'));
    const at: number[] = [];
    consume(queue, async () => {
      at.push(Date.now());
      if (at.length === 1) throw new RetryJobError('Retry-After', 1_500);
    });
    await waitFor('the second attempt', () => at.length === 2, 10_000);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(1_950); // 1.5 s rounded up to 2 s
  });

  it('dead-letters a job itself on its last receive before the RedrivePolicy would move it', async () => {
    const { queue, urls } = await setup({ setup: { maxReceiveCount: 2 } });
    await queue.enqueue(job('lane-a', 'poison', { p: 1 }));
    const attempts: number[] = [];
    consume(queue, async (j) => {
      attempts.push(j.attempt);
      throw new RetryJobError('still failing', 0);
    });
    const dead = await waitFor('the DLQ copy', async () => (await sqs.peek(urls.dlqUrl, 1)).at(0), 10_000);
    expect(JSON.parse(dead.Body ?? '')).toMatchObject({
      group: 'lane-a',
      dedupKey: 'poison',
      payload: { p: 1 },
    });
    // Not run on the 2nd receive: SQS would move it, body unchanged, if that run crashed (sqs-redrive-guard.ts).
    expect(attempts).toEqual([1]);
    expect(dead.MessageAttributes?.attempt?.StringValue).toBe('2');
    expect(await queue.stats()).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it('dead-letters a PermanentJobError at once with its reason, and the lane goes on', async () => {
    const { queue, urls } = await setup();
    await queue.enqueue(job('lane-a', 'bad'));
    await queue.enqueue(job('lane-a', 'next'));
    const handled: string[] = [];
    consume(queue, async (j) => {
      handled.push(j.dedupKey);
      if (j.dedupKey === 'bad') throw new PermanentJobError('lane not configured');
    });
    await waitFor('the next job', () => handled.includes('next'));
    expect(handled).toEqual(['bad', 'next']);
    await waitFor('the next job acked', async () => (await queue.stats()).inFlight === 0);
    expect(await queue.stats()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 1 });
    const [dead] = await sqs.peek(urls.dlqUrl, 1);
    expect(dead?.MessageAttributes?.reason?.StringValue).toBe('PermanentJobError: lane not configured');
    expect(dead?.MessageAttributes?.attempt?.StringValue).toBe('1');
    expect(dead?.Attributes?.MessageGroupId).toBe('lane-a');
  });

  it('dead-letters a job whose attempts reach maxAttempts, before the RedrivePolicy would', async () => {
    const { queue, urls } = await setup({ maxAttempts: 2, setup: { maxReceiveCount: 5 } });
    await queue.enqueue(job('lane-a', 'flaky'));
    const attempts: number[] = [];
    consume(queue, async (j) => {
      attempts.push(j.attempt);
      throw new RetryJobError('upstream 503', 0);
    });
    const dead = await waitFor('the DLQ copy', async () => (await sqs.peek(urls.dlqUrl, 1)).at(0), 10_000);
    expect(attempts).toEqual([1, 2]);
    expect(dead.MessageAttributes?.reason?.StringValue).toBe('RetryJobError: upstream 503');
    expect(dead.MessageAttributes?.attempt?.StringValue).toBe('2');
  });

  it('delivers a delayed job after its delay, not before', async () => {
    const { queue } = await setup();
    const enqueuedAt = Date.now();
    await queue.enqueue(job('lane-a', 'timer-1', { t: 1 }, 1_200));
    expect(await queue.stats()).toMatchObject({ delayed: 1, ready: 0 });
    const arrived = deferred<{ job: Job; at: number }>();
    consume(queue, async (j) => arrived.resolve({ job: j, at: Date.now() }));
    const { job: got, at } = await withTimeout(arrived.promise, 8_000, 'the timer');
    expect(at - enqueuedAt).toBeGreaterThanOrEqual(1_200);
    expect(got).toMatchObject({
      group: 'lane-a',
      type: 'test.job',
      dedupKey: 'timer-1',
      payload: { t: 1 },
      attempt: 1,
    });
    expect(got.enqueuedAt.getTime()).toBeGreaterThanOrEqual(enqueuedAt);
  });

  it('sends a timer that reaches the relay before it is due back for the rest of its delay', async () => {
    const clock = new FakeClock(Date.now());
    const sent: { queueUrl: string; delay: number | undefined }[] = [];
    let deletes = 0;
    const client = observed((command) => {
      if (command instanceof SendMessageCommand)
        sent.push({ queueUrl: command.input.QueueUrl ?? '', delay: command.input.DelaySeconds });
      if (command instanceof DeleteMessageCommand) deletes += 1;
    });
    const { queue, urls } = await setup({ client, clock });
    // Due in 30 minutes: SQS delays it 15 minutes at most. Planted with no delay to stand for that first hop.
    const now = clock.now().getTime();
    const timer = {
      v: 1,
      group: 'lane-a',
      type: 'test.job',
      dedupKey: 'long-timer',
      payload: {},
      enqueuedAt: now,
      dueAt: now + 30 * 60_000,
    };
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: urls.timerQueueUrl, MessageBody: JSON.stringify(timer) }),
    );
    const handled: string[] = [];
    consume(queue, async (j) => {
      handled.push(j.dedupKey);
    });
    await waitFor('the original deleted after the re-send', () => deletes === 1, 5_000);
    expect(sent).toEqual([{ queueUrl: urls.timerQueueUrl, delay: 900 }]);
    await waitFor('only the re-sent timer left', async () => (await queue.stats()).delayed === 1);
    expect(await queue.stats()).toEqual({ delayed: 1, ready: 0, inFlight: 0, dead: 0 });
    expect(handled).toEqual([]);
  });

  it('stops at once during a long poll, and lets the job in flight finish and be acked', async () => {
    let polls = 0;
    const client = observed((command) => {
      if (command instanceof ReceiveMessageCommand) polls += 1;
    });
    const idleSetup = await setup({ waitTimeSeconds: 20, client });
    const idle = consume(idleSetup.queue, async () => undefined);
    await waitFor('both long polls (jobs and timers) sent', () => polls >= 2);
    const t0 = Date.now();
    await idle.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);

    // Fresh queues: a long poll aborted by the client may still be waiting in fauxqs (as in SQS, whose docs
    // warn that an abandoned receive can take a message), and would take the next message for its visibility.
    const { queue } = await setup({ waitTimeSeconds: 20 });
    await queue.enqueue(job('lane-a', 'in-flight'));
    const started = deferred<AbortSignal>();
    const release = deferred();
    let finished = false;
    const busy = consume(queue, async (_j, signal) => {
      started.resolve(signal);
      await release.promise;
      finished = true;
    });
    const signal = await withTimeout(started.promise, 5_000, 'the job to start');
    let stopped = false;
    const stopping = busy.stop().then(() => (stopped = true));
    await waitFor('the handler signal aborted', () => signal.aborted);
    expect(stopped).toBe(false);
    release.resolve();
    await withTimeout(stopping, 5_000, 'stop');
    expect(finished).toBe(true);
    expect(await queue.stats()).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it('reports ready, delayed and dead counts', async () => {
    const { queue, urls } = await setup();
    await queue.enqueue(job('lane-a', 'r1'));
    await queue.enqueue(job('lane-b', 'r2'));
    await queue.enqueue(job('lane-a', 't1', {}, 60_000));
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: urls.dlqUrl,
        MessageBody: '{}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    expect(await queue.stats()).toEqual({ ready: 2, inFlight: 0, delayed: 1, dead: 1 });
  });

  it('rejects a job SQS could not take, and queues that are not FIFO', async () => {
    const { queue, urls } = await setup();
    await expect(queue.enqueue(job('lane a', 'k'))).rejects.toThrow(
      new InvalidJobError('job group must be 1-128 printable ASCII characters without spaces'),
    );
    expect(
      () =>
        new SqsQueue({
          client: sqs.client,
          ...urls,
          intakeQueueUrl: urls.timerQueueUrl,
          clock: systemClock,
          logger: silentLogger(),
          backoff: { baseMs: 1, maxMs: 1 },
        }),
    ).toThrow('SqsQueue intakeQueueUrl and dlqUrl must name FIFO queues (ending in .fifo)');
  });
});
