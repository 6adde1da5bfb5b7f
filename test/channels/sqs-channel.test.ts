import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ChannelConfigError, ChannelDeliveryError, type LaneMessage } from '../../src/channels/channel';
import { serializeLaneMessage } from '../../src/channels/lane-message-wire';
import { createSqsChannel, sqsFifoId } from '../../src/channels/sqs-channel';
import { createSqsClient } from '../../src/channels/sqs-client';
import { closedPortUrl } from './webhook-receiver';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Fauxqs {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: { address(): AddressInfo | string | null };
}

function msg(id: string, type = 'session.authorized'): LaneMessage {
  return {
    id,
    type,
    laneId: 'vend-oslo-1',
    sessionId: 'ses_1',
    at: '2026-01-01T12:00:00.000Z',
    data: { maxAmount: { currency: 'NOK', value: 10000 } },
  };
}

describe('sqs channel (against fauxqs)', () => {
  let app: Fauxqs;
  let client: SQSClient;
  let queueCount = 0;

  beforeAll(async () => {
    const { buildApp } = await import('fauxqs');
    app = buildApp({ logger: false } as never) as unknown as Fauxqs;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    client = createSqsClient({ region: 'eu-north-1', endpoint: `http://127.0.0.1:${port}`, credentials });
  });

  afterAll(async () => {
    client.destroy();
    await app.close();
  });

  async function fifoQueue(): Promise<string> {
    queueCount += 1;
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: `controller-${queueCount}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    return created.QueueUrl ?? '';
  }

  async function drain(queueUrl: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return all;
      for (const m of Messages) {
        all.push(m);
        await client.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle ?? '' }),
        );
      }
    }
  }

  it('sends messages in the lane group, in order, with the message id as deduplication id', async () => {
    const queueUrl = await fifoQueue();
    const channel = createSqsChannel({ queueUrl, client });
    await Promise.all([
      channel.send(msg('ses_1:checked-in', 'session.checked-in')),
      channel.send(msg('ses_1:authorized')),
    ]);

    const received = await drain(queueUrl);
    expect(received.map((m) => m.Body)).toEqual([
      serializeLaneMessage(msg('ses_1:checked-in', 'session.checked-in')),
      serializeLaneMessage(msg('ses_1:authorized')),
    ]);
    expect(received.map((m) => m.Attributes?.MessageGroupId)).toEqual(['vend-oslo-1', 'vend-oslo-1']);
    expect(received.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual([
      'ses_1:checked-in',
      'ses_1:authorized',
    ]);
    expect(received[1]?.MessageAttributes?.type?.StringValue).toBe('session.authorized');
    expect(received[1]?.MessageAttributes?.v?.StringValue).toBe('1');
  });

  it('lets SQS drop a redelivered message with the same id', async () => {
    const queueUrl = await fifoQueue();
    const channel = createSqsChannel({ queueUrl, client });
    await channel.send(msg('ses_1:authorized'));
    await channel.send(msg('ses_1:completed', 'session.completed'));
    await channel.send(msg('ses_1:authorized'));

    const received = await drain(queueUrl);
    expect(received.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual([
      'ses_1:authorized',
      'ses_1:completed',
    ]);
  });

  it('hashes an id longer than 128 characters into a stable deduplication id', async () => {
    const queueUrl = await fifoQueue();
    const longId = `ses_${'x'.repeat(140)}:authorized`;
    await createSqsChannel({ queueUrl, client }).send(msg(longId));
    const [m] = await drain(queueUrl);
    expect(m?.Attributes?.MessageDeduplicationId).toBe(createHash('sha256').update(longId).digest('hex'));
    expect(sqsFifoId('ses_1:ok')).toBe('ses_1:ok');
    expect(sqsFifoId('lane with spaces')).toHaveLength(64);
  });

  it('reports a queue that does not exist as a non-retryable sqs_rejected', async () => {
    const missing = (await fifoQueue()).replace(/controller-\d+\.fifo$/, 'missing.fifo');
    const err = await createSqsChannel({ queueUrl: missing, client })
      .send(msg('ses_1:authorized'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelDeliveryError);
    expect((err as ChannelDeliveryError).code).toBe('sqs_rejected');
    expect((err as ChannelDeliveryError).retryable).toBe(false);
    expect((err as ChannelDeliveryError).details.status).toBe(400);
  });

  it('reports an unreachable endpoint as a retryable sqs_unavailable', async () => {
    const down = createSqsClient({
      region: 'eu-north-1',
      endpoint: new URL(await closedPortUrl()).origin,
      credentials,
      maxAttempts: 1,
    });
    const err = await createSqsChannel({
      queueUrl: 'http://127.0.0.1/000000000000/controller.fifo',
      client: down,
    })
      .send(msg('ses_1:authorized'))
      .catch((e: unknown) => e);
    down.destroy();
    expect(err).toBeInstanceOf(ChannelDeliveryError);
    expect([(err as ChannelDeliveryError).code, (err as ChannelDeliveryError).retryable]).toEqual([
      'sqs_unavailable',
      true,
    ]);
  });

  it('refuses a standard (non-FIFO) queue, which could not keep a lane in order', () => {
    expect(() =>
      createSqsChannel({ queueUrl: 'https://sqs.eu-north-1.amazonaws.com/1/controller', client }),
    ).toThrow(ChannelConfigError);
  });
});
