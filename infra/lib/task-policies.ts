// Least-privilege SQS permissions of the two task roles, written out action by action rather than with
// `queue.grant*()` (which adds sqs:GetQueueUrl and, for consumers, more than a role uses).
// Batch calls (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch) are authorised by the
// single-message action, so they need no entry of their own. The tasks are given queue URLs, so no
// GetQueueUrl/ListQueues. Secrets are not here: ECS injects them with the *execution* role, and the task
// roles can read none.
import * as iam from 'aws-cdk-lib/aws-iam';

export interface QueueArns {
  readonly intake: string;
  readonly intakeDlq: string;
  readonly timers: string;
  /** Lane controller queues (lanes file `controller: {type: sqs}`), outside this stack. */
  readonly controllerQueues: readonly string[];
}

const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];
const SEND = ['sqs:SendMessage'];
const ATTRIBUTES = ['sqs:GetQueueAttributes'];

/** `serve` (intake + controller API): enqueue jobs, read the intake queue's attributes (readiness). */
export function serveQueueStatements(arns: QueueArns): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'EnqueueIntake',
      actions: [...SEND, ...ATTRIBUTES],
      resources: [arns.intake],
    }),
  ];
}

/**
 * `work` (worker, outbox, sweeper): consume intake; send to intake too, because due timers are relayed from
 * the timer queue into the lane's FIFO group and the worker feeds effect results back as jobs; send and
 * consume timers; send to the DLQ (a permanent failure is dead-lettered at once) and read its depth
 * (`queue stats`); send lane messages to the controller queues.
 */
export function workQueueStatements(arns: QueueArns): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'WorkIntake',
      actions: [...CONSUME, ...SEND, ...ATTRIBUTES],
      resources: [arns.intake],
    }),
    new iam.PolicyStatement({
      sid: 'WorkTimers',
      actions: [...CONSUME, ...SEND, ...ATTRIBUTES],
      resources: [arns.timers],
    }),
    new iam.PolicyStatement({
      sid: 'DeadLetter',
      actions: [...SEND, ...ATTRIBUTES],
      resources: [arns.intakeDlq],
    }),
  ];
  if (arns.controllerQueues.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'LaneControllerQueues',
        actions: SEND,
        resources: [...arns.controllerQueues],
      }),
    );
  }
  return statements;
}
