/** The Clock port: injected everywhere time matters so tests can use a fake one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A settable clock for tests and the pure state machine's callers. */
export class FakeClock implements Clock {
  constructor(private ms: number = Date.parse('2026-01-01T12:00:00Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  set(at: Date | number): void {
    this.ms = typeof at === 'number' ? at : at.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
