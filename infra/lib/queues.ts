// The queues of the aws profile (architecture.md §3, Queue port):
// - intake: FIFO, MessageGroupId = lane, MessageDeduplicationId = the job's dedup key (set by the app, so
//   content-based dedup is off: two distinct jobs may carry identical bodies).
// - timers: a STANDARD queue used as a delay queue (FIFO queues have no per-message DelaySeconds); the
//   worker relays a due timer into the intake FIFO queue in its lane's group.
// Each has its own DLQ; all are encrypted with SQS-managed keys (no KMS grants or per-request KMS cost)
// and refuse plain-HTTP access.
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Attempts the app makes at a job before it dead-letters it itself, scrubbed of any customer token. */
export const QUEUE_MAX_ATTEMPTS = 5;
/**
 * Receives before SQS would move a message to the DLQ as it is. Above QUEUE_MAX_ATTEMPTS: the consumer
 * dead-letters a message itself (scrubbed) on the receive before this one, and messages waiting behind a
 * failing one in its lane are received again on each of its retries.
 */
export const MAX_RECEIVE_COUNT = 10;
/** Longest a job may stay in a queue: 14 days, beyond the 7 days Vipps retries a delivery. */
const RETENTION = Duration.days(14);

export class Queues extends Construct {
  readonly intake: sqs.Queue;
  readonly intakeDlq: sqs.Queue;
  readonly timers: sqs.Queue;
  readonly timersDlq: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const common = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
    } as const;

    this.intakeDlq = new sqs.Queue(this, 'IntakeDlq', {
      ...common,
      queueName: 'checkin-intake-dlq.fifo',
      fifo: true,
    });
    this.intake = new sqs.Queue(this, 'Intake', {
      ...common,
      queueName: 'checkin-intake.fifo',
      fifo: true,
      contentBasedDeduplication: false,
      // High-throughput FIFO: deduplication and the throughput quota are per message group (lane) instead of
      // per queue, which lifts the queue-wide 300 (3,000 batched) messages/s limit to the regional
      // high-throughput quota. Ordering is only ever promised per lane, so nothing is lost.
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      // The app heartbeats (ChangeMessageVisibility) while a job runs; this is only the initial lease.
      visibilityTimeout: Duration.seconds(60),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.intakeDlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.timersDlq = new sqs.Queue(this, 'TimersDlq', { ...common, queueName: 'checkin-timers-dlq' });
    this.timers = new sqs.Queue(this, 'Timers', {
      ...common,
      queueName: 'checkin-timers',
      visibilityTimeout: Duration.seconds(60),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.timersDlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
