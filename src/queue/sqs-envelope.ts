// What the sqs adapter puts in a message body, and the pure arithmetic around SQS's whole-second limits.
// The body carries the job's own fields (group, type, dedup key, payload, enqueue time) so that a job survives
// a hop through the timer queue, the FIFO queue and the DLQ unchanged; SQS attributes only mirror them.
import type { Message } from '@aws-sdk/client-sqs';
import type { EnqueueInput, Job } from './queue';

export interface JobEnvelope {
  readonly v: 1;
  readonly group: string;
  readonly type: string;
  readonly dedupKey: string;
  readonly payload: unknown;
  /** ms since the epoch, by the enqueuing instance's clock. */
  readonly enqueuedAt: number;
}

/** A job waiting in the timer queue: forwarded to the FIFO queue once dueAt has passed. */
export interface TimerEnvelope extends JobEnvelope {
  /** ms since the epoch. */
  readonly dueAt: number;
}

/** SQS caps DelaySeconds at 15 minutes; a longer timer is re-sent by the relay until it is due. */
export const MAX_DELAY_SECONDS = 900;
/** SQS caps a message's visibility at 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

export function toEnvelope(input: EnqueueInput, nowMs: number): JobEnvelope {
  return {
    v: 1,
    group: input.group,
    type: input.type,
    dedupKey: input.dedupKey,
    payload: input.payload,
    enqueuedAt: nowMs,
  };
}

/** DelaySeconds for a timer due at dueAt: rounded up, so SQS never hands it over before it is due. */
export function timerDelaySeconds(dueAt: number, nowMs: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - nowMs) / 1000)));
}

/** A retry delay as a VisibilityTimeout: whole seconds, rounded up, at most 12 h. */
export function visibilitySeconds(delayMs: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(body: string | undefined): Record<string, unknown> | null {
  if (body === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function envelopeOf(o: Record<string, unknown>): JobEnvelope | null {
  const { v, group, type, dedupKey, enqueuedAt } = o;
  if (v !== 1 || typeof group !== 'string' || typeof type !== 'string' || typeof dedupKey !== 'string')
    return null;
  if (typeof enqueuedAt !== 'number' || !Number.isFinite(enqueuedAt)) return null;
  return { v: 1, group, type, dedupKey, payload: o['payload'], enqueuedAt };
}

/** The envelope in a body, or null when the body is not one (a foreign or corrupted message). */
export function parseEnvelope(body: string | undefined): JobEnvelope | null {
  const o = parseObject(body);
  return o === null ? null : envelopeOf(o);
}

export function parseTimerEnvelope(body: string | undefined): TimerEnvelope | null {
  const o = parseObject(body);
  const envelope = o === null ? null : envelopeOf(o);
  const dueAt = o?.['dueAt'];
  if (envelope === null || typeof dueAt !== 'number' || !Number.isFinite(dueAt)) return null;
  return { ...envelope, dueAt };
}

/** SQS's ApproximateReceiveCount: 1 on the first delivery. */
export function receiveCount(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/** The Job handed to the handler; attempt is SQS's ApproximateReceiveCount (1 on the first delivery). */
export function toJob(message: Message, envelope: JobEnvelope): Job {
  return {
    id: message.MessageId ?? '',
    group: envelope.group,
    type: envelope.type,
    dedupKey: envelope.dedupKey,
    payload: envelope.payload,
    attempt: receiveCount(message),
    enqueuedAt: new Date(envelope.enqueuedAt),
  };
}

/**
 * A FIFO receive may return several messages of one group (real SQS does; fauxqs returns one per group).
 * They must run one after another in the order received, so a batch becomes one chain per group.
 */
export function chainsByGroup(messages: readonly Message[]): Message[][] {
  const chains = new Map<string, Message[]>();
  for (const message of messages) {
    const group = message.Attributes?.MessageGroupId ?? `message:${message.MessageId ?? ''}`;
    const chain = chains.get(group);
    if (chain) chain.push(message);
    else chains.set(group, [message]);
  }
  return [...chains.values()];
}
