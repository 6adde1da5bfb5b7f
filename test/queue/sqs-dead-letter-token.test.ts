// The SQS dead-letter queue never holds a customer token (architecture §2): every copy the consumer sends is
// scrubbed, and the consumer dead-letters a message itself on the receive before SQS's redrive would move the
// body as it is. A DLQ body moved back to the intake queue (an operator's redrive) pays nothing.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type Job, type JobHandler, PermanentJobError, RetryJobError } from '../../src/queue/queue';
import type { SqsQueue } from '../../src/queue/sqs-queue';
import type { SqsQueueUrls } from '../../src/queue/sqs-setup';
import { checkinJob, expectDroppedStale, replayed, TOKEN } from './dead-checkin-fixture';
import { waitFor } from './queue-test-helpers';
import type { Fauxqs } from './sqs-fauxqs';
import { useFauxqsQueues } from './use-fauxqs-queues';

describe('sqs queue (against fauxqs): dead-lettered check-ins lose their customer token', () => {
  let sqs: Fauxqs;
  const { consumers, setup } = useFauxqsQueues(
    { backoff: { baseMs: 0, maxMs: 0 } },
    (started) => (sqs = started),
  );

  function consume(queue: SqsQueue, handler: JobHandler): void {
    consumers.push(queue.consume(handler, { concurrency: 2 }));
  }

  const dlqCopy = (urls: SqsQueueUrls) =>
    waitFor('the DLQ copy', async () => (await sqs.peek(urls.dlqUrl, 1)).at(0), 10_000);

  it.each([
    ['a PermanentJobError', {}, () => new PermanentJobError('lane not configured')],
    ['the last of maxAttempts failures', { maxAttempts: 2 }, () => new RetryJobError('upstream 503', 0)],
  ])('%s sends a DLQ copy whose body has the marker instead of the token', async (_n, options, error) => {
    const { queue, urls } = await setup(options);
    const job = checkinJob(Date.now());
    await queue.enqueue(job);
    const seen: unknown[] = [];
    consume(queue, async (j) => {
      seen.push(j.payload);
      throw error();
    });
    const dead = await dlqCopy(urls);

    expect(seen[0]).toMatchObject({ customerToken: TOKEN });
    expect(dead.Body).not.toContain(TOKEN);
    expect(JSON.parse(dead.Body ?? '')).toMatchObject({
      group: job.group,
      dedupKey: job.dedupKey,
      payload: { ...job.payload, customerToken: null, customerTokenErased: true },
    });
  });

  it("dead-letters a job itself, scrubbed, on the last receive before the queue's RedrivePolicy would move it", async () => {
    const { queue, urls } = await setup({ setup: { maxReceiveCount: 2 } });
    await queue.enqueue(checkinJob(Date.now()));
    const attempts: number[] = [];
    consume(queue, async (j) => {
      attempts.push(j.attempt);
      throw new RetryJobError('worker keeps failing', 0);
    });
    const dead = await dlqCopy(urls);

    // The 2nd receive is the last SQS hands out: the consumer moves the message instead of running it again.
    expect(attempts).toEqual([1]);
    expect(dead.Body).not.toContain(TOKEN);
    expect(JSON.parse(dead.Body ?? '')).toMatchObject({
      payload: { customerToken: null, customerTokenErased: true },
    });
    expect(dead.MessageAttributes?.reason?.StringValue).toBe(
      "RedriveLimit: received the queue's maxReceiveCount times without being settled",
    );
    expect(dead.MessageAttributes?.attempt?.StringValue).toBe('2');
    expect(await queue.stats()).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it('a DLQ body moved back to the intake queue is a check-in the machine drops as stale: no payment', async () => {
    const { queue, urls } = await setup();
    const nowMs = Date.now();
    await queue.enqueue(checkinJob(nowMs));
    const deliveries: Job[] = [];
    consume(queue, async (j) => {
      deliveries.push(j);
      if (deliveries.length === 1) throw new PermanentJobError('first delivery fails');
    });
    const dead = await dlqCopy(urls);
    // What SQS's DLQ redrive (or an operator) does: the same body, back into the lane's group.
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: urls.intakeQueueUrl,
        MessageBody: dead.Body,
        MessageGroupId: dead.Attributes?.MessageGroupId,
        MessageDeduplicationId: 'replay-1',
      }),
    );
    await waitFor('the replay handled', () => deliveries.length === 2, 10_000);

    const [first, replay] = deliveries as [Job, Job];
    expect(replayed(first, nowMs).effects.map((e) => e.type)).toContain('create-payment');
    expectDroppedStale(replayed(replay, nowMs));
  });
});
