// Dead jobs of the sqs adapter, for operators (issue 14): the messages in the FIFO dead-letter queue
// (SQS_DLQ_URL), listed, replayed into the intake queue, or deleted.
//
// SQS has no "peek": a message is seen by receiving it. A listing receives in batches of at most 10 with a
// short VisibilityTimeout, then releases every message it holds (ChangeMessageVisibility 0), so nothing is
// lost, and nothing stays hidden for longer than the listing (HOLD_S if this process dies in between).
//
// What a FIFO queue hands out: while a message of a group (a lane) is held, no later message of that group
// is returned. A listing therefore sees the oldest dead message(s) of each lane — real SQS may return
// several of one group in a single batch, fauxqs returns one — plus nothing of a group someone else holds.
// The listing says so: `partial` is true when the DLQ counted more messages than it could see (or the time
// budget ran out first). Replaying or deleting a lane's oldest dead message uncovers its next one, and a
// replay or delete finds only a message it can receive (not_found otherwise, nothing done).
//
// Replay: the job goes back to the intake queue with its lane as MessageGroupId and a dedup id derived from
// the DLQ message ("replay:<MessageId>"), so two replays within SQS's 5-minute dedup window are one
// delivery; then the DLQ message is deleted. The body is the DLQ copy: a check-in's customer token was erased
// when it died (sqs-commands.ts sendToDlq), so the admin service records such a job stale and deletes it
// instead of replaying it (src/admin/dead-letters-sqs.ts).
import {
  GetQueueAttributesCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { sqsFifoId } from '../channels/sqs-channel';
import type { SqsSendClient } from '../channels/sqs-client';
import type { DeadJob, DeadLetters } from './queue';
import { changeVisibility, deleteMessage } from './sqs-commands';
import { type JobEnvelope, parseEnvelope } from './sqs-envelope';

/** How long a listing holds what it received, in s: the most a crash in between hides a message. */
const HOLD_S = 15;
/** How long a listing or a search may keep receiving, by default. */
const DEFAULT_BUDGET_MS = 5_000;

/** A dead job as the DLQ holds it. */
export interface SqsDeadJob extends DeadJob {
  /** The DLQ message's MessageId (stable while it is in the DLQ). */
  readonly id: string;
  /** The job's body; null when the message is not a job envelope (it cannot be replayed). */
  readonly envelope: JobEnvelope | null;
}

export interface SqsDeadJobList {
  /** Most recently dead first. */
  readonly jobs: SqsDeadJob[];
  /**
   * True when the DLQ may hold dead jobs this listing did not see: later messages of a lane behind its
   * oldest one (FIFO), messages another reader held, or the time budget ran out. Not set for `limit`.
   */
  readonly partial: boolean;
}

/** What the admin service needs beyond the DeadLetters port when dead jobs live in an SQS DLQ. */
export interface DlqDeadLetters extends DeadLetters {
  listDead(limit: number): Promise<SqsDeadJobList>;
  /** The dead job with this MessageId, if it can be received now (released again at once). */
  findDead(id: string): Promise<SqsDeadJob | undefined>;
  /** Deletes the dead job from the DLQ; false when it is not there (or cannot be received now). */
  deleteDead(id: string): Promise<boolean>;
}

export function isDlqDeadLetters(queue: object): queue is DlqDeadLetters {
  const q = queue as Partial<DlqDeadLetters>;
  return typeof q.listDead === 'function' && typeof q.findDead === 'function';
}

export interface SqsDeadLetterOptions {
  readonly client: SqsSendClient;
  readonly dlqUrl: string;
  readonly intakeQueueUrl: string;
  /** Time a listing or search may keep receiving; default 5 s. */
  readonly budgetMs?: number;
}

export class SqsDeadLetters implements DlqDeadLetters {
  constructor(private readonly o: SqsDeadLetterOptions) {}

  async deadJobs(limit: number): Promise<DeadJob[]> {
    return (await this.listDead(limit)).jobs;
  }

  async listDead(limit: number): Promise<SqsDeadJobList> {
    const counted = await this.count();
    const scan = await this.receive(Math.max(0, Math.floor(limit)), () => false);
    try {
      const jobs = scan.held.map(toDeadJob).sort((a, b) => b.deadAt.getTime() - a.deadAt.getTime());
      const partial = !scan.reachedLimit && (scan.outOfTime || scan.held.length < counted);
      return { jobs, partial };
    } finally {
      await this.release(scan.held);
    }
  }

  async findDead(id: string): Promise<SqsDeadJob | undefined> {
    return this.withFound(id, async (m) => ({ value: toDeadJob(m), deleted: false }));
  }

  async replayDead(id: string): Promise<boolean> {
    const done = await this.withFound(id, async (m) => {
      const envelope = parseEnvelope(m.Body);
      if (envelope === null) return { value: false, deleted: false };
      await this.o.client.send(
        new SendMessageCommand({
          QueueUrl: this.o.intakeQueueUrl,
          MessageBody: m.Body,
          MessageGroupId: m.Attributes?.MessageGroupId ?? sqsFifoId(envelope.group),
          MessageDeduplicationId: sqsFifoId(`replay:${id}`),
          MessageAttributes: { type: { DataType: 'String', StringValue: envelope.type } },
        }),
      );
      await deleteMessage(this.o.client, this.o.dlqUrl, m);
      return { value: true, deleted: true };
    });
    return done === true;
  }

  async deleteDead(id: string): Promise<boolean> {
    const done = await this.withFound(id, async (m) => {
      await deleteMessage(this.o.client, this.o.dlqUrl, m);
      return { value: true, deleted: true };
    });
    return done === true;
  }

  /**
   * Receives until the message `id` comes, runs `use` on it while it is held, then releases every message
   * still held (all but the found one when `use` deleted it).
   */
  private async withFound<T>(
    id: string,
    use: (m: Message) => Promise<{ value: T; deleted: boolean }>,
  ): Promise<T | undefined> {
    const scan = await this.receive(Number.POSITIVE_INFINITY, (m) => m.MessageId === id);
    const found = scan.held.find((m) => m.MessageId === id);
    let deleted = false;
    try {
      if (!found) return undefined;
      const r = await use(found);
      deleted = r.deleted;
      return r.value;
    } finally {
      await this.release(scan.held.filter((m) => !(deleted && m === found)));
    }
  }

  private async receive(limit: number, stopAt: (m: Message) => boolean) {
    const held: Message[] = [];
    const deadline = Date.now() + (this.o.budgetMs ?? DEFAULT_BUDGET_MS);
    let outOfTime = false;
    while (held.length < limit) {
      if (Date.now() >= deadline) {
        outOfTime = true;
        break;
      }
      const out = await this.o.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.o.dlqUrl,
          MaxNumberOfMessages: Math.min(10, limit - held.length),
          WaitTimeSeconds: 0,
          VisibilityTimeout: HOLD_S,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const batch = out.Messages ?? [];
      if (batch.length === 0) break;
      held.push(...batch);
      if (batch.some(stopAt)) break;
    }
    return { held, outOfTime, reachedLimit: held.length >= limit };
  }

  private async release(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10)
      await changeVisibility(this.o.client, this.o.dlqUrl, messages.slice(i, i + 10), 0);
  }

  /** Messages in the DLQ, visible or held, as SQS counts them (approximate). */
  private async count(): Promise<number> {
    const out = await this.o.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.o.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const n = (name: QueueAttributeName) => Number(out.Attributes?.[name] ?? 0) || 0;
    return n('ApproximateNumberOfMessages') + n('ApproximateNumberOfMessagesNotVisible');
  }
}

function toDeadJob(m: Message): SqsDeadJob {
  const envelope = parseEnvelope(m.Body);
  const attempt = Number(m.MessageAttributes?.['attempt']?.StringValue ?? '0');
  const sent = Number(m.Attributes?.SentTimestamp ?? '0');
  return {
    id: m.MessageId ?? '',
    group: envelope?.group ?? m.Attributes?.MessageGroupId ?? '',
    type: envelope?.type ?? m.MessageAttributes?.['type']?.StringValue ?? 'unknown',
    attempt: Number.isInteger(attempt) && attempt >= 0 ? attempt : 0,
    lastError: m.MessageAttributes?.['reason']?.StringValue ?? null,
    deadAt: new Date(Number.isFinite(sent) ? sent : 0),
    envelope,
  };
}
