// Timers on the aws profile. SQS FIFO queues have no per-message delay, so a delayed job (polls ~2-5 s,
// retries, the dispense timeout ~60 s, the sale wait <= 900 s, the payment deadline ~11 min) is sent to a
// STANDARD queue with DelaySeconds (at most 15 minutes), and every consumer runs this relay: a due timer is
// forwarded to the FIFO queue in its lane's group, with its own dedup key, then deleted; one not yet due
// (longer than 15 minutes) is sent again with the rest of its delay. A standard queue may deliver a timer
// twice; both forwards carry the same MessageDeduplicationId, so the FIFO queue keeps one (within SQS's
// 5-minute deduplication window; the worker's session logic is idempotent beyond it).
// Chosen over store-driven timers read by the sweeper because it keeps the Queue port's contract (a delayed
// job) the same on both profiles; the sweeper still re-queues any timer that got lost.
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsSendClient } from '../channels/sqs-client';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { describeJobError } from './job-failure';
import { deleteMessage, sendToDlq, sendToFifo, sendToTimerQueue } from './sqs-commands';
import { parseTimerEnvelope } from './sqs-envelope';
import { Wakeup } from './wakeup';

export interface TimerRelaySettings {
  readonly client: SqsSendClient;
  readonly timerQueueUrl: string;
  readonly intakeQueueUrl: string;
  readonly dlqUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly waitTimeSeconds: number;
}

/** A timer received but not relayed (an SQS error) comes back after this long. */
const RELAY_VISIBILITY_S = 30;
const RECEIVE_ERROR_PAUSE_MS = 1_000;

export class SqsTimerRelay {
  private readonly stopping = new AbortController();
  private readonly wakeup = new Wakeup();
  private readonly loop: Promise<void>;

  constructor(private readonly s: TimerRelaySettings) {
    this.loop = this.run();
  }

  /** Aborts the long poll; timers already received are still relayed. */
  stop(): Promise<void> {
    this.stopping.abort(new Error('timer relay stopping'));
    this.wakeup.notify();
    return this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let messages: Message[];
      try {
        const out = await this.s.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.s.timerQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.s.waitTimeSeconds,
            VisibilityTimeout: RELAY_VISIBILITY_S,
          }),
          { abortSignal: this.stopping.signal },
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        this.s.logger.error('timer queue receive failed', { error: describeJobError(err) });
        await this.wakeup.wait(RECEIVE_ERROR_PAUSE_MS);
        continue;
      }
      // Forwarding is not cut short by stop: each is two quick calls, and a timer left half-relayed would
      // only come back after RELAY_VISIBILITY_S.
      await Promise.all(messages.map((m) => this.relay(m)));
    }
  }

  private async relay(message: Message): Promise<void> {
    const { client, logger } = this.s;
    try {
      const timer = parseTimerEnvelope(message.Body);
      const now = this.s.clock.now().getTime();
      if (timer === null) {
        await sendToDlq(client, this.s.dlqUrl, {
          body: message.Body ?? '',
          group: 'timer-relay',
          type: 'unknown',
          messageId: message.MessageId ?? '',
          attempt: 1,
          reason: 'PermanentJobError: the timer message body is not a timer envelope',
        });
        logger.error('timer dead-lettered: not a timer envelope', { messageId: message.MessageId });
      } else if (timer.dueAt <= now) {
        const { dueAt: _dueAt, ...job } = timer;
        await sendToFifo(client, this.s.intakeQueueUrl, job);
      } else {
        await sendToTimerQueue(client, this.s.timerQueueUrl, timer, now);
      }
      await deleteMessage(client, this.s.timerQueueUrl, message);
    } catch (err) {
      logger.error('timer relay failed; the timer comes back from the timer queue', {
        messageId: message.MessageId,
        error: describeJobError(err),
      });
    }
  }
}
