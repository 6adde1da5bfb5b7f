// "Unknown queue" at start in the aws profile: each sqs lane's queue is asked for its attributes (fauxqs).
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/channels/sqs-client';
import { missingQueues } from '../../src/lanes/check-queues';
import type { Lane } from '../../src/lanes/lane';

interface Fauxqs {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: { address(): AddressInfo | string | null };
}

const sqsLane = (id: string, queueUrl: string): Lane => ({
  id,
  kind: 'vending',
  msn: '123456',
  merchantQrId: id,
  description: id,
  currency: 'NOK',
  maxAmount: 100,
  enabled: true,
  controller: { type: 'sqs', queueUrl },
});

let app: Fauxqs;
let client: SQSClient;
let existing: string;
beforeAll(async () => {
  const { buildApp } = await import('fauxqs');
  app = buildApp({ logger: false } as never) as unknown as Fauxqs;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  client = createSqsClient({
    region: 'eu-north-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const created = await client.send(
    new CreateQueueCommand({ QueueName: 'lanes.fifo', Attributes: { FifoQueue: 'true' } }),
  );
  existing = created.QueueUrl ?? '';
});
afterAll(async () => {
  client.destroy();
  await app.close();
});

describe('missingQueues', () => {
  it('names each lane whose queue does not exist, and passes one that does', async () => {
    const typo = existing.replace('lanes.fifo', 'lnaes.fifo');
    expect(
      await missingQueues(
        [sqsLane('vend-ok', existing), sqsLane('vend-typo', typo), sqsLane('vend-typo-2', typo)],
        client,
      ),
    ).toEqual([
      'lane "vend-typo" (#2): controller.queueUrl: no such queue in this account and region: create it (FIFO) or fix the URL',
      'lane "vend-typo-2" (#3): controller.queueUrl: no such queue in this account and region: create it (FIFO) or fix the URL',
    ]);
  });

  it('asks SQS nothing for lanes on other channels', async () => {
    const send = jest.fn();
    const log: Lane = { ...sqsLane('vend-log', existing), controller: { type: 'log' } };
    expect(await missingQueues([log], { send } as unknown as SQSClient)).toEqual([]);
    expect(send).not.toHaveBeenCalled();
  });
});
