// The consume loop of the sqs queue: long-poll the FIFO queue for up to the free slots, run each group's
// messages in order as one chain under a visibility heartbeat, then ack (delete), retry (visibility backoff)
// or dead-letter each job.
//
// Why our own loop rather than sqs-consumer@14 (whose contract the Queue port borrows): its stop() either
// leaves the long poll running for up to WaitTimeSeconds or, with {abort: true}, aborts the one shared
// AbortController that its heartbeats and deletes use too, so in-flight jobs could not be acked; it waits for
// a whole batch before polling again, so one long job (a 60 s dispense wait) would stall every other lane;
// in batch mode (which its README requires for FIFO order) it deletes only after the whole batch and
// heartbeats every message of it, so a failed job's backoff visibility would be overwritten; and it has no
// per-message retry delay. This loop keeps its shape (handler returns or throws, the adapter owns ack).
//
// Ordering: SQS returns no message of a group while another of that group is in flight, so "one in flight
// per group" holds across all consumers as long as we hold visibility. Within a batch, several messages of a
// group run one after another; when one fails, it and the later ones of its group get the same backoff
// visibility, so none of them runs before it. Caveat (real SQS, not fauxqs, which returns one message per
// group per receive): those later messages were received, so SQS counts a receive for them on each retry of
// the failing one; give the RedrivePolicy's maxReceiveCount headroom over maxAttempts (see sqs-setup.ts).
// Dead letters carry no customer token: the loop dead-letters a message itself, scrubbed, before SQS's redrive
// would move it as it is (sqs-redrive-guard.ts).
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsSendClient } from '../channels/sqs-client';
import type { Logger } from '../log';
import { describeJobError, type FailureDecision } from './job-failure';
import type { Job, JobHandler, QueueConsumer } from './queue';
import { changeVisibility, deleteMessage, sendToDlq } from './sqs-commands';
import { chainsByGroup, parseEnvelope, receiveCount, toJob, visibilitySeconds } from './sqs-envelope';
import { LAST_RECEIVE_REASON, RedriveGuard } from './sqs-redrive-guard';
import { Wakeup } from './wakeup';

export interface SqsConsumerSettings {
  readonly client: SqsSendClient;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly logger: Logger;
  /** Groups (lanes) processed at once. */
  readonly concurrency: number;
  /** Messages per ReceiveMessage, 1-10. */
  readonly batchSize: number;
  /** Long-poll wait, 0-20 s. */
  readonly waitTimeSeconds: number;
  /** Visibility given at receive and by each heartbeat, in s. */
  readonly visibilityTimeoutS: number;
  readonly heartbeatIntervalMs: number;
  readonly decide: (err: unknown, attempt: number) => FailureDecision;
  /** The queue's RedrivePolicy maxReceiveCount (undefined: none); read once, before the first receive. */
  readonly maxReceiveCount?: () => Promise<number | undefined>;
}

/** Pause after a failed receive, so an outage does not become a hot loop. */
const RECEIVE_ERROR_PAUSE_MS = 1_000;

export class SqsJobConsumer implements QueueConsumer {
  private readonly chains = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly wakeup = new Wakeup();
  private readonly loop: Promise<void>;
  private stopped: Promise<void> | undefined;
  private readonly redrive: RedriveGuard;

  constructor(
    private readonly s: SqsConsumerSettings,
    private readonly handler: JobHandler,
    /** Run alongside the loop and awaited by stop() (the timer relay). */
    private readonly companions: readonly { stop(): Promise<void> }[] = [],
  ) {
    this.redrive = new RedriveGuard(s.maxReceiveCount, s.logger, RECEIVE_ERROR_PAUSE_MS);
    this.loop = this.run();
  }

  /** Aborts the long poll at once, aborts the handlers' signals, waits for in-flight jobs to settle. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort(new Error('queue consumer stopping'));
      this.wakeup.notify();
      await Promise.all([this.loop, ...this.companions.map((c) => c.stop())]);
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    if (!(await this.redrive.load(this.stopping.signal, (ms) => this.wakeup.wait(ms)))) return;
    while (!this.stopping.signal.aborted) {
      const free = this.s.concurrency - this.chains.size;
      if (free <= 0) {
        await this.wakeup.wait(60_000); // a finishing chain wakes us
        continue;
      }
      const messages = await this.receive(Math.min(this.s.batchSize, free));
      if (messages === undefined) {
        await this.wakeup.wait(RECEIVE_ERROR_PAUSE_MS);
        continue;
      }
      if (this.stopping.signal.aborted) {
        await this.release(messages);
        break;
      }
      for (const chain of chainsByGroup(messages)) this.start(chain);
    }
    await Promise.all(this.chains);
  }

  /** undefined when the receive failed (logged) or was aborted by stop. */
  private async receive(max: number): Promise<Message[] | undefined> {
    try {
      const out = await this.s.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.s.queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: this.s.waitTimeSeconds,
          VisibilityTimeout: this.s.visibilityTimeoutS,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.stopping.signal },
      );
      return out.Messages ?? [];
    } catch (err) {
      if (!this.stopping.signal.aborted)
        this.s.logger.error('queue receive failed', { queue: 'sqs', error: describeJobError(err) });
      return undefined;
    }
  }

  private start(messages: Message[]): void {
    const done: Promise<void> = this.runChain(messages)
      .catch((err: unknown) => {
        this.s.logger.error('queue job outcome not recorded; it is redelivered once its visibility ends', {
          error: describeJobError(err),
        });
      })
      .finally(() => {
        this.chains.delete(done);
        this.wakeup.notify();
      });
    this.chains.add(done);
  }

  /** Runs one group's messages in order; a heartbeat keeps every message still held invisible. */
  private async runChain(messages: Message[]): Promise<void> {
    const held: Message[] = [];
    for (const message of messages) {
      if (this.redrive.isLastReceive(message)) await this.buryLastReceive(message);
      else held.push(message);
    }
    let current: { readonly message: Message; readonly abort: AbortController } | undefined;
    let renewal: Promise<void> | undefined;
    const beat = async (): Promise<void> => {
      const refused = await this.guard('queue visibility heartbeat failed', () =>
        changeVisibility(this.s.client, this.s.queueUrl, held, this.s.visibilityTimeoutS),
      );
      if (current && refused?.includes(current.message.MessageId ?? '')) {
        this.s.logger.warn('queue job visibility lost; it may be delivered again', {
          jobId: current.message.MessageId,
        });
        current.abort.abort(new Error('queue job visibility lost'));
      }
    };
    const heartbeat = setInterval(() => {
      renewal ??= beat().finally(() => (renewal = undefined));
    }, this.s.heartbeatIntervalMs);
    try {
      while (held.length > 0) {
        const message = held[0] as Message;
        if (this.stopping.signal.aborted) {
          clearInterval(heartbeat);
          await renewal;
          await this.release(held);
          return;
        }
        current = { message, abort: new AbortController() };
        const outcome = await this.execute(message, current.abort);
        current = undefined;
        if (outcome.kind === 'retry') {
          clearInterval(heartbeat);
          await renewal; // so a heartbeat in flight cannot overwrite the backoff visibility
          await this.retry(held, outcome);
          return;
        }
        held.shift();
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async buryLastReceive(message: Message): Promise<void> {
    const envelope = parseEnvelope(message.Body);
    const job = envelope
      ? toJob(message, envelope)
      : { id: message.MessageId ?? '', group: 'unknown', type: 'unknown', attempt: receiveCount(message) };
    await this.bury(message, job, LAST_RECEIVE_REASON);
  }

  private async execute(
    message: Message,
    jobAbort: AbortController,
  ): Promise<{ kind: 'done' } | { kind: 'retry'; job: Job; delayMs: number; error: string }> {
    const envelope = parseEnvelope(message.Body);
    if (envelope === null) {
      const job = { id: message.MessageId ?? '', group: 'unknown', type: 'unknown', attempt: 1 };
      await this.bury(message, job, 'PermanentJobError: the message body is not a queue job envelope');
      return { kind: 'done' };
    }
    const job = toJob(message, envelope);
    const onStop = (): void => jobAbort.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    try {
      await this.handler(job, jobAbort.signal);
    } catch (err) {
      const decision = this.s.decide(err, job.attempt);
      if (decision.kind === 'dead') {
        await this.bury(message, job, decision.error);
        return { kind: 'done' };
      }
      return { kind: 'retry', job, delayMs: decision.delayMs, error: decision.error };
    } finally {
      this.stopping.signal.removeEventListener('abort', onStop);
    }
    await deleteMessage(this.s.client, this.s.queueUrl, message);
    return { kind: 'done' };
  }

  /** The failed job and the later ones of its group stay invisible for the backoff, in their order. */
  private async retry(
    held: readonly Message[],
    r: { readonly job: Job; readonly delayMs: number; readonly error: string },
  ): Promise<void> {
    const seconds = visibilitySeconds(r.delayMs);
    await changeVisibility(this.s.client, this.s.queueUrl, held, seconds);
    this.s.logger.warn('queue job failed; retrying', {
      ...fields(r.job),
      delayMs: seconds * 1000,
      held: held.length - 1,
      error: r.error,
    });
  }

  private async bury(
    message: Message,
    job: Pick<Job, 'id' | 'group' | 'type' | 'attempt'>,
    reason: string,
  ): Promise<void> {
    await sendToDlq(this.s.client, this.s.dlqUrl, {
      body: message.Body ?? '',
      group: job.group,
      type: job.type,
      messageId: job.id,
      attempt: job.attempt,
      reason,
    });
    await deleteMessage(this.s.client, this.s.queueUrl, message);
    this.s.logger.error('queue job dead-lettered', { ...fields(job), error: reason });
  }

  /** Gives messages we will not run back at once (visibility 0), so another consumer takes them now. */
  private async release(messages: readonly Message[]): Promise<void> {
    await this.guard('queue job release failed', () =>
      changeVisibility(this.s.client, this.s.queueUrl, messages, 0),
    );
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.s.logger.error(what, { queue: 'sqs', error: describeJobError(err) });
      return undefined;
    }
  }
}

/** What is logged about a job: never its payload. */
function fields(job: Pick<Job, 'id' | 'group' | 'type' | 'attempt'>): Record<string, unknown> {
  return { jobId: job.id, group: job.group, type: job.type, attempt: job.attempt };
}
