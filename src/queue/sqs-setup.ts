// Creates the three queues the sqs adapter needs, for tests, the multi-instance test and local emulators
// (fauxqs, LocalStack); production queues come from infra with the same attributes:
// - dead-letter queue: FIFO (a FIFO queue's redrive target must be FIFO), kept 14 days;
// - intake queue: FIFO, explicit dedup ids (ContentBasedDeduplication off), RedrivePolicy to the DLQ;
// - timer queue: standard (only standard queues take a per-message DelaySeconds).
// CreateQueue is idempotent for the same name and attributes, so running this twice is harmless.
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SqsSendClient } from '../channels/sqs-client';

export interface SqsQueueNames {
  /** Ends in .fifo. */
  readonly intake: string;
  /** Ends in .fifo. */
  readonly dlq: string;
  /** Must not end in .fifo. */
  readonly timer: string;
}

export interface SqsSetupOptions {
  /**
   * Receives before SQS moves a job to the DLQ by itself; default 20. Keep it above the consumer's
   * maxAttempts: a job queued behind a failing one of its lane is received (not run) on each retry of it.
   */
  readonly maxReceiveCount?: number;
  /** The intake queue's default visibility timeout in s (the consumer sets its own at receive); default 60. */
  readonly visibilityTimeoutS?: number;
}

export interface SqsQueueUrls {
  readonly intakeQueueUrl: string;
  readonly dlqUrl: string;
  readonly timerQueueUrl: string;
}

const FOURTEEN_DAYS_S = String(14 * 24 * 60 * 60);

export async function createQueues(
  client: SqsSendClient,
  names: SqsQueueNames,
  options: SqsSetupOptions = {},
): Promise<SqsQueueUrls> {
  if (!names.intake.endsWith('.fifo') || !names.dlq.endsWith('.fifo'))
    throw new RangeError('the intake and dead-letter queue names must end in .fifo');
  if (names.timer.endsWith('.fifo')) throw new RangeError('the timer queue name must not end in .fifo');
  const maxReceiveCount = options.maxReceiveCount ?? 20;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)
    throw new RangeError('maxReceiveCount must be an integer from 1 to 1000');

  const dlqUrl = await create(client, names.dlq, {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'false',
    MessageRetentionPeriod: FOURTEEN_DAYS_S,
  });
  const dlq = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const dlqArn = dlq.Attributes?.QueueArn;
  if (dlqArn === undefined) throw new Error(`SQS did not return the ARN of ${names.dlq}`);
  const intakeQueueUrl = await create(client, names.intake, {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'false',
    VisibilityTimeout: String(options.visibilityTimeoutS ?? 60),
    MessageRetentionPeriod: FOURTEEN_DAYS_S,
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
  });
  const timerQueueUrl = await create(client, names.timer, { MessageRetentionPeriod: FOURTEEN_DAYS_S });
  return { intakeQueueUrl, dlqUrl, timerQueueUrl };
}

async function create(
  client: SqsSendClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (out.QueueUrl === undefined) throw new Error(`SQS did not return a URL for queue ${name}`);
  return out.QueueUrl;
}
