import type { Clock } from '../../src/clock';

/**
 * Real time plus an offset the test moves forward: the gateway and the emulator keep running on their own
 * timers, and a test jumps hours or days ahead (Vipps's time limits, the settlement's backoff) in a moment.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }
  /** Jumps to `at` if it is still ahead. */
  advanceTo(at: Date | string): void {
    this.advance(new Date(at).getTime() - this.now().getTime());
  }
}
