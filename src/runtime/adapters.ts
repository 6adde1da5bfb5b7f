// Picks the Store and Queue adapters for the profile (architecture §4): embedded = PGlite + its jobs table;
// aws = a Postgres server + SQS FIFO. Only the composition root calls this.
import type { Config } from '../config';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Queue } from '../queue/queue';
import { PostgresQueue } from '../queue/postgres-queue';
import { SqsQueue } from '../queue/sqs-queue';
import { createSqsClient } from '../channels/sqs-client';
import { openStore, type OpenedStore } from '../store/open-store';
import type { ReadinessCheck } from '../http/health';
import type { SQSClient } from '@aws-sdk/client-sqs';

export interface Adapters {
  readonly store: OpenedStore;
  readonly queue: Queue;
  /** The SQS client (aws profile), shared with `sqs` lane channels. */
  readonly sqsClient: SQSClient | undefined;
  /** What /readyz checks: intake in the aws profile depends on SQS only, never on the database. */
  readonly readiness: ReadinessCheck[];
  close(): Promise<void>;
}

const BACKOFF = { baseMs: 1_000, maxMs: 60_000 };

export async function openAdapters(config: Config, clock: Clock, logger: Logger): Promise<Adapters> {
  const store = await openStore({
    store: config.store,
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    postgres: {
      max: config.databasePoolMax,
      onConnectionError: (err) => logger.warn('database connection error', { err }),
    },
  });
  const dbCheck: ReadinessCheck = {
    name: 'database',
    check: async () => void (await store.db.query('SELECT 1')),
  };
  if (config.queue === 'postgres') {
    const queue = new PostgresQueue({
      sql: store.db,
      clock,
      logger,
      maxAttempts: config.queueMaxAttempts,
      backoff: BACKOFF,
    });
    return {
      store,
      queue,
      sqsClient: undefined,
      readiness: [{ ...dbCheck, name: 'queue' }],
      close: () => store.close(),
    };
  }
  const sqsClient = createSqsClient({
    region: config.sqs.region,
    ...(config.sqs.endpoint === undefined ? {} : { endpoint: config.sqs.endpoint }),
  });
  const queue = new SqsQueue({
    client: sqsClient,
    intakeQueueUrl: config.sqs.intakeQueueUrl!,
    timerQueueUrl: config.sqs.timerQueueUrl!,
    dlqUrl: config.sqs.dlqUrl!,
    clock,
    logger,
    backoff: BACKOFF,
    maxAttempts: config.queueMaxAttempts,
    waitTimeSeconds: config.sqs.waitTimeSeconds,
    visibilityTimeoutS: config.sqs.visibilityTimeoutS,
    batchSize: config.sqs.batchSize,
  });
  return {
    store,
    queue,
    sqsClient,
    readiness: [{ name: 'queue', check: async () => void (await queue.stats()) }],
    close: async () => {
      sqsClient.destroy();
      await store.close();
    },
  };
}
