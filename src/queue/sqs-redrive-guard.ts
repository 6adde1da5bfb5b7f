// Keeps SQS's redrive from ever moving a job: dead letters carry no customer token (architecture §2).
//
// A copy the consumer sends to the DLQ is scrubbed (sendToDlq). SQS's redrive cannot be: once a message has
// been received maxReceiveCount times, the next receive moves it to the DLQ with its body as it is, and a
// check-in's body must carry the token for the worker to create the payment, so it cannot be made safe
// beforehand. The consumer therefore dead-letters a message itself, scrubbed, on its maxReceiveCount-th
// receive, without running it again. Running it first would leave the token in the DLQ whenever that last
// run ends in a crash or a lost visibility, which are the very cases the redrive exists for. The limit is
// read from the queue's own RedrivePolicy, so it cannot drift from what infra configured; keep it above the
// consumer's maxAttempts (sqs-setup.ts) so a failing job is dead-lettered by maxAttempts first.
import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from '../log';
import { describeJobError } from './job-failure';
import { receiveCount } from './sqs-envelope';

export const LAST_RECEIVE_REASON =
  "RedriveLimit: received the queue's maxReceiveCount times without being settled";

export class RedriveGuard {
  private limit: number | undefined;

  constructor(
    /** Reads the queue's maxReceiveCount (undefined: no RedrivePolicy); absent when the caller has none. */
    private readonly read: (() => Promise<number | undefined>) | undefined,
    private readonly logger: Logger,
    private readonly pauseMs: number,
  ) {}

  /**
   * Reads the limit, trying again after a pause until it is known: receiving without it could let a token
   * reach the DLQ. False when stopped first.
   */
  async load(stopping: AbortSignal, pause: (ms: number) => Promise<unknown>): Promise<boolean> {
    if (this.read === undefined) return true;
    while (!stopping.aborted) {
      try {
        this.limit = await this.read();
        return true;
      } catch (err) {
        this.logger.error('queue RedrivePolicy could not be read; not receiving yet', {
          queue: 'sqs',
          error: describeJobError(err),
        });
        await pause(this.pauseMs);
      }
    }
    return false;
  }

  /** SQS would move this message to the DLQ, body unchanged, on its next receive. */
  isLastReceive(message: Message): boolean {
    return this.limit !== undefined && receiveCount(message) >= this.limit;
  }
}
