// The retry pacing every retry loop shares (src/backoff.ts).
import { backoffCeilingMs, backoffDelayMs, retryAfterMs } from '../src/backoff';

const policy = { baseMs: 500, maxMs: 10_000 };
const NOW = Date.parse('2026-01-01T12:00:00.000Z');

describe('backoff', () => {
  it('doubles the ceiling per retry up to maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((r) => backoffCeilingMs(r, policy))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(backoffCeilingMs(0, policy)).toBe(500);
  });

  it('keeps an equal-jitter delay between half the ceiling and the ceiling', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(1_000);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(1_500);
    expect(backoffDelayMs(3, policy, () => 0.999_999)).toBe(2_000);
  });

  it.each([
    ['seconds', '7', 7_000],
    ['seconds with spaces', ' 120 ', 120_000],
    ['an HTTP date ahead', 'Thu, 01 Jan 2026 12:00:30 GMT', 30_000],
    ['an HTTP date past', 'Thu, 01 Jan 2026 11:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['blank', '  ', undefined],
    ['absent (null)', null, undefined],
    ['absent (undefined)', undefined, undefined],
  ])('reads Retry-After given as %s', (_what, header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected);
  });
});
