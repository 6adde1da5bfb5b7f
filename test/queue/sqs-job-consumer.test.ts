// Real SQS can return several messages of one group in a single receive; fauxqs returns one per group, so
// these cases run against a scripted client that answers the first receive with such a batch (and then
// long-polls until stopped), recording what the consumer asks of SQS.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { silentLogger } from '../../src/log';
import { decideFailure } from '../../src/queue/job-failure';
import { type Job, type JobHandler, PermanentJobError, RetryJobError } from '../../src/queue/queue';
import { SqsJobConsumer } from '../../src/queue/sqs-job-consumer';
import { deferred, waitFor } from './queue-test-helpers';

interface Calls {
  receives: number;
  visibility: { handles: string[]; seconds: number }[];
  deleted: string[];
  dlq: { group: string; reason: string | undefined }[];
  dlqBodies: string[];
}

function message(group: string, key: string, receiveCount = 1, payload: unknown = null): Message {
  return {
    MessageId: `id-${key}`,
    ReceiptHandle: `rh-${key}`,
    Body: JSON.stringify({ v: 1, group, type: 't', dedupKey: key, payload, enqueuedAt: 0 }),
    Attributes: { MessageGroupId: group, ApproximateReceiveCount: String(receiveCount) },
  };
}

function scriptedClient(batch: Message[], calls: Calls): Pick<SQSClient, 'send'> {
  let receives = 0;
  const send = async (command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> => {
    if (command instanceof ReceiveMessageCommand) {
      receives += 1;
      calls.receives = receives;
      if (receives === 1) return { Messages: batch };
      const signal = options?.abortSignal;
      return new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      calls.visibility.push({
        handles: (command.input.Entries ?? []).map((e) => e.ReceiptHandle ?? ''),
        seconds: command.input.Entries?.[0]?.VisibilityTimeout ?? -1,
      });
      return { Successful: [], Failed: [] };
    }
    if (command instanceof DeleteMessageCommand) {
      calls.deleted.push(command.input.ReceiptHandle ?? '');
      return {};
    }
    if (command instanceof SendMessageCommand) {
      calls.dlq.push({
        group: command.input.MessageGroupId ?? '',
        reason: command.input.MessageAttributes?.['reason']?.StringValue,
      });
      calls.dlqBodies.push(command.input.MessageBody ?? '');
      return { MessageId: 'dead-1' };
    }
    throw new Error('unexpected command');
  };
  return { send: send as SQSClient['send'] };
}

function start(
  batch: Message[],
  handler: JobHandler,
  maxReceiveCount?: () => Promise<number | undefined>,
): { consumer: SqsJobConsumer; calls: Calls } {
  const calls: Calls = { receives: 0, visibility: [], deleted: [], dlq: [], dlqBodies: [] };
  const consumer = new SqsJobConsumer(
    {
      client: scriptedClient(batch, calls),
      queueUrl: 'http://sqs.local/1/jobs.fifo',
      dlqUrl: 'http://sqs.local/1/dlq.fifo',
      logger: silentLogger(),
      concurrency: 4,
      batchSize: 10,
      waitTimeSeconds: 20,
      visibilityTimeoutS: 60,
      heartbeatIntervalMs: 60_000,
      decide: (err, attempt) =>
        decideFailure(err, attempt, {
          maxAttempts: 5,
          backoff: { baseMs: 1000, maxMs: 1000 },
          random: () => 1,
        }),
      ...(maxReceiveCount === undefined ? {} : { maxReceiveCount }),
    },
    handler,
  );
  return { consumer, calls };
}

describe('sqs job consumer: several messages of one lane in one receive', () => {
  it('runs them in order and acks each', async () => {
    const handled: string[] = [];
    const { consumer, calls } = start([message('A', 'a1'), message('A', 'a2')], async (j) => {
      handled.push(j.dedupKey);
    });
    await waitFor('both acked', () => calls.deleted.length === 2);
    await consumer.stop();
    expect(handled).toEqual(['a1', 'a2']);
    expect(calls.deleted).toEqual(['rh-a1', 'rh-a2']);
  });

  it('holds the later ones invisible with the failed one, for its backoff, without running them', async () => {
    const handled: string[] = [];
    const { consumer, calls } = start(
      [message('A', 'a1'), message('A', 'a2'), message('B', 'b1')],
      async (j) => {
        handled.push(j.dedupKey);
        if (j.dedupKey === 'a1') throw new RetryJobError('Retry-After', 3_000);
      },
    );
    await waitFor(
      'the retry and the other lane',
      () => calls.visibility.length === 1 && calls.deleted.length === 1,
    );
    await consumer.stop();
    expect(handled.filter((k) => k !== 'b1')).toEqual(['a1']);
    expect(handled).toContain('b1');
    expect(calls.visibility).toEqual([{ handles: ['rh-a1', 'rh-a2'], seconds: 3 }]);
    expect(calls.deleted).toEqual(['rh-b1']);
  });

  it('moves on to the next one after dead-lettering a permanent failure', async () => {
    const handled: string[] = [];
    const { consumer, calls } = start([message('A', 'a1'), message('A', 'a2')], async (j) => {
      handled.push(j.dedupKey);
      if (j.dedupKey === 'a1') throw new PermanentJobError('unknown lane');
    });
    await waitFor('a2 acked', () => calls.deleted.includes('rh-a2'));
    await consumer.stop();
    expect(handled).toEqual(['a1', 'a2']);
    expect(calls.dlq).toEqual([{ group: 'A', reason: 'PermanentJobError: unknown lane' }]);
    expect(calls.deleted).toEqual(['rh-a1', 'rh-a2']);
  });

  it('on stop, finishes the running one and releases the rest at once', async () => {
    const started = deferred<Job>();
    const release = deferred();
    const handled: string[] = [];
    const { consumer, calls } = start([message('A', 'a1'), message('A', 'a2')], async (j) => {
      handled.push(j.dedupKey);
      started.resolve(j);
      await release.promise;
    });
    await started.promise;
    const stopped = consumer.stop();
    release.resolve();
    await stopped;
    expect(handled).toEqual(['a1']);
    expect(calls.deleted).toEqual(['rh-a1']);
    expect(calls.visibility).toEqual([{ handles: ['rh-a2'], seconds: 0 }]);
  });
});

describe("sqs job consumer: the queue's RedrivePolicy never moves a message", () => {
  it('dead-letters, scrubbed and without running it, a message on its last receive; the others run', async () => {
    const handled: string[] = [];
    const token = 'tok-3f9a1c';
    const { consumer, calls } = start(
      [message('A', 'a1'), message('A', 'a2', 5, { customerToken: token }), message('A', 'a3', 4)],
      async (j) => {
        handled.push(j.dedupKey);
      },
      async () => 5,
    );
    await waitFor('a1 and a3 acked', () => calls.deleted.length === 3);
    await consumer.stop();
    expect(handled).toEqual(['a1', 'a3']);
    expect(calls.dlq).toEqual([
      {
        group: 'A',
        reason: "RedriveLimit: received the queue's maxReceiveCount times without being settled",
      },
    ]);
    expect(calls.dlqBodies[0]).not.toContain(token);
    expect(JSON.parse(calls.dlqBodies[0] ?? '')).toMatchObject({
      dedupKey: 'a2',
      payload: { customerToken: null, customerTokenErased: true },
    });
    expect(calls.deleted).toEqual(['rh-a2', 'rh-a1', 'rh-a3']);
  });

  it('does not receive until the limit is read, and reads it again after a failure', async () => {
    let reads = 0;
    const limit = deferred<number>();
    const handled: string[] = [];
    const { consumer, calls } = start(
      [message('A', 'a1', 2)],
      async (j) => {
        handled.push(j.dedupKey);
      },
      async () => {
        reads += 1;
        if (reads === 1) throw new Error('AccessDenied');
        return limit.promise;
      },
    );
    await waitFor('the second read', () => reads === 2, 5_000);
    expect(calls.receives).toBe(0);
    limit.resolve(2);
    await waitFor('a1 dead-lettered', () => calls.deleted.length === 1);
    await consumer.stop();
    expect(handled).toEqual([]);
    expect(calls.dlq).toHaveLength(1);
  });
});
