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
  visibility: { handles: string[]; seconds: number }[];
  deleted: string[];
  dlq: { group: string; reason: string | undefined }[];
}

function message(group: string, key: string): Message {
  return {
    MessageId: `id-${key}`,
    ReceiptHandle: `rh-${key}`,
    Body: JSON.stringify({ v: 1, group, type: 't', dedupKey: key, payload: null, enqueuedAt: 0 }),
    Attributes: { MessageGroupId: group, ApproximateReceiveCount: '1' },
  };
}

function scriptedClient(batch: Message[], calls: Calls): Pick<SQSClient, 'send'> {
  let receives = 0;
  const send = async (command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> => {
    if (command instanceof ReceiveMessageCommand) {
      receives += 1;
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
      return { MessageId: 'dead-1' };
    }
    throw new Error('unexpected command');
  };
  return { send: send as SQSClient['send'] };
}

function start(batch: Message[], handler: JobHandler): { consumer: SqsJobConsumer; calls: Calls } {
  const calls: Calls = { visibility: [], deleted: [], dlq: [] };
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
