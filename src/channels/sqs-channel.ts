// Lane messages onto the vending machine controller's SQS FIFO queue: MessageGroupId = lane (FIFO order per
// lane), MessageDeduplicationId = message id (a redelivered message within SQS's 5-minute window is dropped
// by SQS itself; controllers still deduplicate on `id` beyond it). The SDK retries throttling and 5xx; what
// is left after its attempts is classified for the outbox.
import { sha256Hex } from '../hash';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ChannelConfigError, ChannelDeliveryError, type LaneChannel, type LaneMessage } from './channel';
import { serializeLaneMessage } from './lane-message-wire';
import { LANE_MESSAGE_VERSION } from '../sessions/lane-message';
import { createLaneSerializer, type LaneSerializer } from './lane-serializer';
import type { SqsSendClient } from './sqs-client';

export interface SqsChannelOptions {
  readonly queueUrl: string;
  readonly client: SqsSendClient;
  readonly serializer?: LaneSerializer;
}

// SQS: 1..128 characters of alphanumerics and ASCII punctuation for group and deduplication ids.
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const THROTTLING = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'KmsThrottled',
  'TooManyRequestsException',
]);

/** The value itself when SQS accepts it as a FIFO id, else its SHA-256 hex (64 characters, stable). */
export function sqsFifoId(value: string): string {
  return FIFO_ID.test(value) ? value : sha256Hex(value);
}

export function createSqsChannel(options: SqsChannelOptions): LaneChannel {
  if (!/\.fifo$/.test(new URL(options.queueUrl, 'https://invalid.example').pathname)) {
    throw new ChannelConfigError(
      'sqs_queue_not_fifo',
      'the sqs channel queueUrl must name a FIFO queue (ending in .fifo): lane messages must stay in order',
    );
  }
  const serializer = options.serializer ?? createLaneSerializer();

  async function deliver(message: LaneMessage, signal?: AbortSignal): Promise<void> {
    const command = new SendMessageCommand({
      QueueUrl: options.queueUrl,
      MessageBody: serializeLaneMessage(message),
      MessageGroupId: sqsFifoId(message.laneId),
      MessageDeduplicationId: sqsFifoId(message.id),
      MessageAttributes: {
        type: { DataType: 'String', StringValue: message.type },
        v: { DataType: 'Number', StringValue: String(message.v ?? LANE_MESSAGE_VERSION) },
      },
    });
    try {
      await options.client.send(command, signal ? { abortSignal: signal } : {});
    } catch (err) {
      throw toDeliveryError(err, message, signal);
    }
  }

  return {
    send: (message, signal) => serializer.run(message.laneId, () => deliver(message, signal)),
  };
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly $retryable?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

function toDeliveryError(err: unknown, message: LaneMessage, signal?: AbortSignal): ChannelDeliveryError {
  const e = (err ?? {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  const details = {
    laneId: message.laneId,
    messageId: message.id,
    attempts: e.$metadata?.attempts ?? 1,
    ...(status === undefined ? {} : { status }),
  };
  if (signal?.aborted || name === 'AbortError') {
    return new ChannelDeliveryError(
      'channel_aborted',
      `sending ${message.id} to SQS was aborted`,
      true,
      details,
    );
  }
  // No HTTP status means the request never got an answer (DNS, refused, reset): worth retrying later.
  const retryable =
    Boolean(e.$retryable) ||
    THROTTLING.has(name) ||
    e.$fault === 'server' ||
    status === undefined ||
    status >= 500 ||
    status === 429;
  return new ChannelDeliveryError(
    retryable ? 'sqs_unavailable' : 'sqs_rejected',
    `lane ${message.laneId}: SQS did not accept ${message.id} (${name}${status === undefined ? '' : `, HTTP ${status}`})`,
    retryable,
    details,
  );
}
