// What happens to a job whose handler threw: retry later or dead-letter. Pure, so the policy is tested
// without a database.
import { backoffDelayMs, type BackoffPolicy } from '../backoff';
import { scrubString } from '../log';
import { PermanentJobError, RetryJobError } from './queue';

/** Delay before the 2nd delivery (`baseMs`, doubling on each further failure) and the bound of one delay. */
export type BackoffOptions = BackoffPolicy;

export type FailureDecision =
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'dead'; readonly error: string };

const MAX_ERROR_LENGTH = 500;

/**
 * The error text kept on the job and logged: name, stable code when there is one, and the message with
 * registered secrets scrubbed, cut short. Never the stack, never a payload (handlers must not put payload
 * fields in messages either).
 */
export function describeJobError(err: unknown): string {
  if (!(err instanceof Error))
    return scrubString(`non-error thrown: ${String(err)}`).slice(0, MAX_ERROR_LENGTH);
  const code = (err as { code?: unknown }).code;
  const label = typeof code === 'string' ? `${err.name} (${code})` : err.name;
  return scrubString(`${label}: ${err.message}`).slice(0, MAX_ERROR_LENGTH);
}

/**
 * A PermanentJobError, or any error that says `retryable: false` (style.md: errors that reach the worker
 * carry `retryable`), dead-letters at once. Otherwise the job is retried after RetryJobError's delay or the
 * backoff, until `maxAttempts` deliveries have failed.
 */
export function decideFailure(
  err: unknown,
  attempt: number,
  policy: { readonly maxAttempts: number; readonly backoff: BackoffOptions; readonly random: () => number },
): FailureDecision {
  const error = describeJobError(err);
  const permanent =
    err instanceof PermanentJobError ||
    (err instanceof Error && (err as { retryable?: unknown }).retryable === false);
  if (permanent || attempt >= policy.maxAttempts) return { kind: 'dead', error };
  const delayMs =
    err instanceof RetryJobError && Number.isFinite(err.delayMs)
      ? Math.max(0, err.delayMs)
      : backoffDelayMs(attempt, policy.backoff, policy.random);
  return { kind: 'retry', delayMs, error };
}
