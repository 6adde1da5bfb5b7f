import { registerSecret } from '../../src/log';
import { backoffDelayMs } from '../../src/backoff';
import { decideFailure, describeJobError } from '../../src/queue/job-failure';
import { PermanentJobError, RetryJobError } from '../../src/queue/queue';

const backoff = { baseMs: 1_000, maxMs: 30_000 };
const policy = (random = 0.5) => ({ maxAttempts: 4, backoff, random: () => random });

describe('backoffDelayMs', () => {
  it('doubles per attempt and caps at maxMs, with half of each delay random', () => {
    const low = [1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelayMs(a, backoff, () => 0));
    const high = [1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelayMs(a, backoff, () => 0.999_999));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('stays at maxMs for a very high attempt instead of overflowing', () => {
    expect(backoffDelayMs(5_000, backoff, () => 1)).toBe(30_000);
  });
});

describe('decideFailure', () => {
  it('retries an ordinary error after the backoff of the attempt that failed', () => {
    expect(decideFailure(new Error('timeout'), 2, policy(0))).toEqual({
      kind: 'retry',
      delayMs: 1_000,
      error: 'Error: timeout',
    });
  });

  it('honours the delay of a RetryJobError', () => {
    expect(decideFailure(new RetryJobError('429', 7_000), 1, policy())).toEqual({
      kind: 'retry',
      delayMs: 7_000,
      error: 'RetryJobError: 429',
    });
  });

  it('dead-letters once maxAttempts deliveries have failed, RetryJobError included', () => {
    expect(decideFailure(new Error('still down'), 4, policy())).toEqual({
      kind: 'dead',
      error: 'Error: still down',
    });
    expect(decideFailure(new RetryJobError('429', 1), 4, policy()).kind).toBe('dead');
  });

  it('dead-letters a PermanentJobError or a retryable: false error on the first delivery', () => {
    expect(decideFailure(new PermanentJobError('no such lane'), 1, policy())).toEqual({
      kind: 'dead',
      error: 'PermanentJobError: no such lane',
    });
    const typed = Object.assign(new Error('bad token'), { code: 'X_BAD', retryable: false });
    expect(decideFailure(typed, 1, policy())).toEqual({ kind: 'dead', error: 'Error (X_BAD): bad token' });
  });
});

describe('describeJobError', () => {
  it('scrubs registered secrets and keeps at most 500 characters', () => {
    registerSecret('s3cr3t-value-123');
    const text = describeJobError(new Error(`leaked s3cr3t-value-123 ${'x'.repeat(600)}`));
    expect(text.startsWith('Error: leaked [redacted] xxx')).toBe(true);
    expect(text).toHaveLength(500);
  });

  it('describes a thrown non-error value', () => {
    expect(describeJobError('just a string')).toBe('non-error thrown: just a string');
  });
});
