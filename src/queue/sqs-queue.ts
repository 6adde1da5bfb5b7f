// The `sqs` Queue adapter (architecture §3, aws profile): an SQS FIFO intake queue (MessageGroupId = lane,
// MessageDeduplicationId = the job's dedup key), a FIFO dead-letter queue, and a standard timer queue for
// delayed jobs (sqs-timer-relay.ts explains why). Queues are made by infra or sqs-setup.ts.
//
// - Durability: enqueue resolves once SQS has accepted the message.
// - Dedup: SQS deduplicates a key for 5 minutes only. A duplicate after that (Vipps retries a webhook for up
//   to 7 days) is a new job; the worker's session logic is idempotent (derived ids, state checks), so it is
//   a no-op there. `duplicate` is reported only for duplicates this instance saw (sqs-recent-keys.ts).
// - Attempts: Job.attempt is SQS's ApproximateReceiveCount. A failure is retried by setting the message's
//   visibility to the backoff (whole seconds, at most 12 h). A PermanentJobError (or `retryable: false`), or
//   a failure at attempt >= maxAttempts, sends a copy to the DLQ with the reason as a message attribute and
//   deletes the original. A job that never settles at all (a crashing worker) is dead-lettered the same way on
//   its last receive before the queue's RedrivePolicy (maxReceiveCount) would move it. Every DLQ copy has its
//   customer token erased; SQS's redrive could not do that (sqs-redrive-guard.ts).
// - Delays: any delayMs > 0 goes through the timer queue, rounded up to whole seconds (SQS DelaySeconds).
// - ConsumeOptions: leaseMs is the visibility timeout (rounded up to seconds), heartbeatIntervalMs its
//   renewal; pollIntervalMs does not apply (long polling).
import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import type { SqsSendClient } from '../channels/sqs-client';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { validateEnqueueInput } from './enqueue-validation';
import { type BackoffOptions, decideFailure } from './job-failure';
import type {
  ConsumeOptions,
  DeadJob,
  EnqueueInput,
  EnqueueResult,
  JobHandler,
  Queue,
  QueueStats,
} from './queue';
import { readMaxReceiveCount, sendToFifo, sendToTimerQueue } from './sqs-commands';
import {
  type DlqDeadLetters,
  SqsDeadLetters,
  type SqsDeadJob,
  type SqsDeadJobList,
} from './sqs-dead-letters';
import { toEnvelope } from './sqs-envelope';
import { SqsJobConsumer } from './sqs-job-consumer';
import { RecentKeys } from './sqs-recent-keys';
import { SqsTimerRelay } from './sqs-timer-relay';

export interface SqsQueueOptions {
  /** From createSqsClient (src/channels/sqs-client.ts), shared with the sqs lane channel. */
  readonly client: SqsSendClient;
  /** SQS_INTAKE_QUEUE_URL: the FIFO queue (name ends in .fifo). */
  readonly intakeQueueUrl: string;
  /** SQS_TIMER_QUEUE_URL: a standard queue used as a delay queue. */
  readonly timerQueueUrl: string;
  /** SQS_DLQ_URL: the FIFO dead-letter queue (also the intake queue's RedrivePolicy target). */
  readonly dlqUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly backoff: BackoffOptions;
  /** Deliveries before a failing job is dead-lettered by us; default: only the RedrivePolicy applies. */
  readonly maxAttempts?: number;
  /** Long-poll wait in s, 1-20; default 20. */
  readonly waitTimeSeconds?: number;
  /** Visibility timeout at receive and per heartbeat, in s; default 60. ConsumeOptions.leaseMs overrides. */
  readonly visibilityTimeoutS?: number;
  /** Heartbeat interval in ms; default a third of the visibility timeout. */
  readonly heartbeatIntervalMs?: number;
  /** Messages per receive, 1-10; default 10. */
  readonly batchSize?: number;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

export class SqsQueue implements Queue, DlqDeadLetters {
  private readonly recent = new RecentKeys();
  /** The DLQ's dead jobs for operators (sqs-dead-letters.ts). */
  private readonly dead: SqsDeadLetters;

  constructor(private readonly o: SqsQueueOptions) {
    if (!o.intakeQueueUrl.endsWith('.fifo') || !o.dlqUrl.endsWith('.fifo'))
      throw new RangeError('SqsQueue intakeQueueUrl and dlqUrl must name FIFO queues (ending in .fifo)');
    if (o.timerQueueUrl.endsWith('.fifo'))
      throw new RangeError(
        'SqsQueue timerQueueUrl must name a standard queue: FIFO queues have no per-message delay',
      );
    if (o.maxAttempts !== undefined && !(Number.isInteger(o.maxAttempts) && o.maxAttempts >= 1))
      throw new RangeError('SqsQueue maxAttempts must be an integer >= 1');
    if (!(o.backoff.baseMs >= 0 && o.backoff.maxMs >= o.backoff.baseMs))
      throw new RangeError('SqsQueue backoff needs 0 <= baseMs <= maxMs');
    checkInt('waitTimeSeconds', o.waitTimeSeconds, 1, 20);
    checkInt('visibilityTimeoutS', o.visibilityTimeoutS, 1, 43_200);
    checkInt('batchSize', o.batchSize, 1, 10);
    this.dead = new SqsDeadLetters({ client: o.client, dlqUrl: o.dlqUrl, intakeQueueUrl: o.intakeQueueUrl });
  }

  deadJobs(limit: number): Promise<DeadJob[]> {
    return this.dead.deadJobs(limit);
  }

  listDead(limit: number): Promise<SqsDeadJobList> {
    return this.dead.listDead(limit);
  }

  findDead(id: string): Promise<SqsDeadJob | undefined> {
    return this.dead.findDead(id);
  }

  /** Sends the DLQ message `id` (its MessageId) back to the intake queue, then deletes it from the DLQ. */
  replayDead(id: string): Promise<boolean> {
    return this.dead.replayDead(id);
  }

  deleteDead(id: string): Promise<boolean> {
    return this.dead.deleteDead(id);
  }

  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const delayMs = validateEnqueueInput(input);
    const now = this.o.clock.now().getTime();
    const seen = this.recent.get(input.dedupKey, now);
    if (seen !== undefined) return { id: seen, duplicate: true };
    const envelope = toEnvelope(input, now);
    const id =
      delayMs > 0
        ? await sendToTimerQueue(
            this.o.client,
            this.o.timerQueueUrl,
            { ...envelope, dueAt: now + delayMs },
            now,
          )
        : await sendToFifo(this.o.client, this.o.intakeQueueUrl, envelope);
    this.recent.set(input.dedupKey, id, now);
    return { id, duplicate: false };
  }

  consume(handler: JobHandler, options: ConsumeOptions): SqsJobConsumer {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError('consume concurrency must be an integer >= 1');
    const visibilityTimeoutS =
      options.leaseMs !== undefined ? Math.ceil(options.leaseMs / 1000) : (this.o.visibilityTimeoutS ?? 60);
    checkInt('leaseMs (as seconds)', visibilityTimeoutS, 1, 43_200);
    const heartbeatIntervalMs =
      options.heartbeatIntervalMs ??
      this.o.heartbeatIntervalMs ??
      Math.max(1000, Math.floor((visibilityTimeoutS * 1000) / 3));
    if (!(heartbeatIntervalMs > 0)) throw new RangeError('consume heartbeatIntervalMs must be positive');
    const waitTimeSeconds = this.o.waitTimeSeconds ?? 20;
    const { client, logger, dlqUrl } = this.o;
    const relay = new SqsTimerRelay({
      client,
      logger,
      dlqUrl,
      clock: this.o.clock,
      timerQueueUrl: this.o.timerQueueUrl,
      intakeQueueUrl: this.o.intakeQueueUrl,
      waitTimeSeconds,
    });
    const random = this.o.random ?? Math.random;
    const maxAttempts = this.o.maxAttempts ?? Number.POSITIVE_INFINITY;
    return new SqsJobConsumer(
      {
        client,
        logger,
        dlqUrl,
        queueUrl: this.o.intakeQueueUrl,
        concurrency: options.concurrency,
        batchSize: this.o.batchSize ?? 10,
        waitTimeSeconds,
        visibilityTimeoutS,
        heartbeatIntervalMs,
        decide: (err, attempt) =>
          decideFailure(err, attempt, { maxAttempts, backoff: this.o.backoff, random }),
        maxReceiveCount: () => readMaxReceiveCount(client, this.o.intakeQueueUrl),
      },
      handler,
      [relay],
    );
  }

  /** ready/inFlight: the FIFO queue; delayed: timers not yet relayed; dead: the DLQ. All approximate. */
  async stats(): Promise<QueueStats> {
    const [intake, timers, dead] = await Promise.all([
      this.attributes(this.o.intakeQueueUrl),
      this.attributes(this.o.timerQueueUrl),
      this.attributes(this.o.dlqUrl),
    ]);
    return {
      ready: intake('ApproximateNumberOfMessages'),
      inFlight: intake('ApproximateNumberOfMessagesNotVisible'),
      delayed:
        timers('ApproximateNumberOfMessages') +
        timers('ApproximateNumberOfMessagesDelayed') +
        timers('ApproximateNumberOfMessagesNotVisible'),
      dead: dead('ApproximateNumberOfMessages'),
    };
  }

  private async attributes(queueUrl: string): Promise<(name: QueueAttributeName) => number> {
    const out = await this.o.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return (name) => Number(out.Attributes?.[name] ?? 0) || 0;
  }
}

function checkInt(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max))
    throw new RangeError(`SqsQueue ${name} must be an integer from ${min} to ${max}`);
}
