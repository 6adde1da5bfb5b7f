// Per-reference rate limits of ePayment (vipps-protocol.md §6.6): a sliding one-minute window on the injected
// clock. Every accepted request counts, idempotent replays included (the limit is on calls, not on effects);
// a rejected one does not, so a client that waits as long as Retry-After says gets through.
import type { EmulatorContext } from './context';
import { EmulatedApiError } from './problem';

const WINDOW_MS = 60_000;

export function takeRateSlot(ctx: EmulatorContext, key: string, limitPerMin: number): void {
  const now = ctx.clock.now().getTime();
  const window = (ctx.state.rateWindows.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
  if (window.length >= limitPerMin) {
    const oldest = window[0] ?? now;
    const retryAfterS = Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
    ctx.state.rateWindows.set(key, window);
    throw new EmulatedApiError(
      429,
      'Too Many Requests',
      `Rate limit of ${limitPerMin} per minute exceeded for this reference. Try again in ${retryAfterS} seconds.`,
      [],
      { 'Retry-After': String(retryAfterS) },
    );
  }
  window.push(now);
  ctx.state.rateWindows.set(key, window);
}
