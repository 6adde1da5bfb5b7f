// fauxqs started in-process on 127.0.0.1:0 for the sqs adapter tests, with fresh queues per test.
import type { AddressInfo } from 'node:net';
import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/channels/sqs-client';
import { createQueues, type SqsQueueUrls, type SqsSetupOptions } from '../../src/queue/sqs-setup';

interface FauxqsApp {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: { address(): AddressInfo | string | null };
}

export interface Fauxqs {
  readonly client: SQSClient;
  newQueues(options?: SqsSetupOptions): Promise<SqsQueueUrls>;
  /** Long-polls queueUrl once (up to waitSeconds) and returns what came, without deleting it. */
  peek(queueUrl: string, waitSeconds: number, visibilityS?: number): Promise<Message[]>;
  close(): Promise<void>;
}

export async function startFauxqs(): Promise<Fauxqs> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false } as never) as unknown as FauxqsApp;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const client = createSqsClient({
    region: 'eu-north-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  let n = 0;
  return {
    client,
    newQueues(options) {
      n += 1;
      return createQueues(
        client,
        { intake: `jobs-${n}.fifo`, dlq: `jobs-${n}-dlq.fifo`, timer: `timers-${n}` },
        options,
      );
    },
    async peek(queueUrl, waitSeconds, visibilityS = 30) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: visibilityS,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return out.Messages ?? [];
    },
    async close() {
      client.destroy();
      await app.close();
    },
  };
}
