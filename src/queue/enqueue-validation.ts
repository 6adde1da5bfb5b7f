// Both adapters accept the same jobs: group and dedup key follow the SQS FIFO limits (MessageGroupId and
// MessageDeduplicationId: 1-128 printable ASCII characters, no spaces), so a key that works embedded also
// works on the aws profile.
import type { EnqueueInput } from './queue';

export class InvalidJobError extends Error {
  readonly code = 'QUEUE_INVALID_JOB';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJobError';
  }
}

const SQS_ID = /^[\x21-\x7e]{1,128}$/;

/** Throws InvalidJobError naming the field; returns the delay in ms (0 when none). */
export function validateEnqueueInput(input: EnqueueInput): number {
  if (!SQS_ID.test(input.group))
    throw new InvalidJobError('job group must be 1-128 printable ASCII characters without spaces');
  if (!SQS_ID.test(input.dedupKey))
    throw new InvalidJobError('job dedupKey must be 1-128 printable ASCII characters without spaces');
  if (input.type.length === 0 || input.type.length > 200)
    throw new InvalidJobError('job type must be 1-200 characters');
  const delayMs = input.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0)
    throw new InvalidJobError('job delayMs must be a finite number >= 0');
  return delayMs;
}
