// The SQS calls the adapter makes, as small functions over one client, so the consumer and the timer relay
// read as policy. MessageGroupId / MessageDeduplicationId go through sqsFifoId (shared with the sqs lane
// channel): enqueue validation already keeps ids within SQS's charset and 128 characters, the hash is a
// belt-and-braces fallback that keeps an id stable rather than cutting it.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { sqsFifoId } from '../channels/sqs-channel';
import type { SqsSendClient } from '../channels/sqs-client';
import { eraseCustomerTokenInText } from './erase-customer-token';
import { type JobEnvelope, type TimerEnvelope, timerDelaySeconds } from './sqs-envelope';

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** Sends a ready job to the FIFO queue; returns its MessageId (the original's when SQS deduplicated it). */
export async function sendToFifo(
  client: SqsSendClient,
  queueUrl: string,
  envelope: JobEnvelope,
): Promise<string> {
  const out = await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(envelope),
      MessageGroupId: sqsFifoId(envelope.group),
      MessageDeduplicationId: sqsFifoId(envelope.dedupKey),
      MessageAttributes: { type: stringAttribute(envelope.type) },
    }),
  );
  return out.MessageId ?? '';
}

/** Sends a timer to the standard delay queue, delayed by what is left of it (at most 15 minutes). */
export async function sendToTimerQueue(
  client: SqsSendClient,
  queueUrl: string,
  timer: TimerEnvelope,
  nowMs: number,
): Promise<string> {
  const out = await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(timer),
      DelaySeconds: timerDelaySeconds(timer.dueAt, nowMs),
      MessageAttributes: { type: stringAttribute(timer.type) },
    }),
  );
  return out.MessageId ?? '';
}

export interface DeadLetter {
  readonly body: string;
  readonly group: string;
  readonly type: string;
  /** The original message's id: names the copy, so a redelivered dead-lettering is deduplicated. */
  readonly messageId: string;
  readonly attempt: number;
  /** describeJobError's text: scrubbed of secrets, never a payload. */
  readonly reason: string;
}

/**
 * Copies a given-up job to the (FIFO) DLQ with its reason, its customer token erased (erase-customer-token.ts);
 * the caller deletes the original after.
 */
export async function sendToDlq(client: SqsSendClient, dlqUrl: string, dead: DeadLetter): Promise<void> {
  await client.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: eraseCustomerTokenInText(dead.body),
      MessageGroupId: sqsFifoId(dead.group),
      MessageDeduplicationId: sqsFifoId(`dead:${dead.messageId}`),
      MessageAttributes: {
        type: stringAttribute(dead.type),
        reason: stringAttribute(dead.reason.length > 0 ? dead.reason : 'unknown'),
        attempt: { DataType: 'Number', StringValue: String(dead.attempt) },
        originalMessageId: stringAttribute(dead.messageId),
      },
    }),
  );
}

export async function deleteMessage(
  client: SqsSendClient,
  queueUrl: string,
  message: Message,
): Promise<void> {
  await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
}

/**
 * Sets the visibility of messages we hold (heartbeat, retry backoff, release with 0). Returns the ids of the
 * entries SQS refused (e.g. a receipt handle that is no longer ours because the visibility ran out).
 */
export async function changeVisibility(
  client: SqsSendClient,
  queueUrl: string,
  messages: readonly Message[],
  seconds: number,
): Promise<string[]> {
  if (messages.length === 0) return [];
  const out = await client.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({
        Id: String(i),
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: seconds,
      })),
    }),
  );
  return (out.Failed ?? []).map((f) => messages[Number(f.Id)]?.MessageId ?? '');
}

/**
 * The queue's RedrivePolicy maxReceiveCount: the receives after which SQS moves a message to its DLQ by
 * itself, body unchanged. Undefined when the queue has no RedrivePolicy.
 */
export async function readMaxReceiveCount(
  client: SqsSendClient,
  queueUrl: string,
): Promise<number | undefined> {
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
  );
  const policy = out.Attributes?.RedrivePolicy;
  if (policy === undefined || policy === '') return undefined;
  // SQS answers the policy as JSON text; maxReceiveCount comes back as a number or as a string of digits.
  const count = Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`the RedrivePolicy of ${queueUrl} has no usable maxReceiveCount`);
  return count;
}
