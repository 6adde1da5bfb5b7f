// The Lane channel port (architecture §3): at-least-once delivery of lane messages to a lane's controller,
// in order per lane. The worker's outbox owns redelivery across crashes; a channel only makes a bounded
// number of attempts inside one send() and then throws, telling the outbox whether trying later can help.

/** A lane message v1 (docs/lane-messages.schema.json). Structurally shared with src/sessions. */
export interface LaneMessage {
  /** Derived from (sessionId, step): controllers deduplicate on it. */
  readonly id: string;
  readonly type: string;
  readonly laneId: string;
  readonly sessionId: string;
  /** ISO 8601 UTC timestamp of the step. */
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Schema version; the wire form always carries it (defaults to 1). */
  readonly v?: number;
}

export interface LaneChannel {
  /** Resolves once the other side accepted the message; rejects with ChannelDeliveryError. */
  send(message: LaneMessage, signal?: AbortSignal): Promise<void>;
}

export type ChannelDeliveryCode =
  'webhook_rejected' | 'webhook_unavailable' | 'sqs_rejected' | 'sqs_unavailable' | 'channel_aborted';

/** A send that did not reach the controller. `retryable` tells the outbox whether a later retry can help. */
export class ChannelDeliveryError extends Error {
  override readonly name = 'ChannelDeliveryError';
  constructor(
    readonly code: ChannelDeliveryCode,
    message: string,
    readonly retryable: boolean,
    readonly details: {
      readonly laneId: string;
      readonly messageId: string;
      readonly attempts: number;
      readonly status?: number;
    },
  ) {
    super(message);
  }
}

export type ChannelConfigCode =
  | 'webhook_secret_missing'
  | 'webhook_secret_invalid'
  | 'webhook_url_invalid'
  | 'sqs_queue_not_fifo'
  | 'sqs_client_missing'
  | 'simulated_unavailable';

/** A lane's controller channel cannot be built from its configuration; the message says what to fix. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
  constructor(
    readonly code: ChannelConfigCode,
    message: string,
  ) {
    super(message);
  }
}
