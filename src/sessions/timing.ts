// Every duration the state machine uses, in seconds, with the protocol fact behind it. Callers may override
// any of them through StepContext.timing (tests, or an operator who knows their sales unit better).
export interface SessionTiming {
  /** customerToken validity from the check-in (vipps-protocol.md §6.2). */
  readonly tokenLifetimeS: number;
  /** Stop using the token this long before it expires: a create sent at 14:59 would race the expiry. */
  readonly tokenSafetyS: number;
  /** An awaiting-sale session gives up this long before the token expires, leaving time to create. */
  readonly saleWaitSafetyS: number;
  /** First poll after create, then every pollEveryS ([KIT]: ~5 s, then 2 s; 30 reads/min < 120/min limit). */
  readonly firstPollS: number;
  readonly pollEveryS: number;
  /** The user's 10 minutes to accept (§6.2) plus a margin before we read a last time and cancel. */
  readonly userTimeoutS: number;
  readonly deadlineMarginS: number;
  /** After the deadline's last read: how long to wait for its result before cancelling anyway. */
  readonly deadlineRecheckS: number;
  /** vending: default wait for the dispense report (Lane.dispenseTimeoutS overrides). */
  readonly dispenseTimeoutS: number;
  /** How long an issued ePayment call may stay unanswered before it is re-issued (crash/lost result). */
  readonly opWatchdogS: number;
  /** Executions of one create/capture/cancel before giving up. */
  readonly maxOpAttempts: number;
  /** Retry backoff: base × 2^(n−1), capped; ≥ 5 s keeps us under 5 modifications/min per reference. */
  readonly backoffBaseS: number;
  readonly backoffMaxS: number;
}

export const DEFAULT_TIMING: SessionTiming = Object.freeze({
  tokenLifetimeS: 900,
  tokenSafetyS: 30,
  saleWaitSafetyS: 60,
  firstPollS: 5,
  pollEveryS: 2,
  userTimeoutS: 600,
  deadlineMarginS: 60,
  deadlineRecheckS: 30,
  dispenseTimeoutS: 60,
  opWatchdogS: 60,
  maxOpAttempts: 10,
  backoffBaseS: 5,
  backoffMaxS: 300,
});

export function resolveTiming(overrides: Partial<SessionTiming> | undefined): SessionTiming {
  return overrides ? { ...DEFAULT_TIMING, ...overrides } : DEFAULT_TIMING;
}

/** Delay before retry number `failedAttempts + 1`, honouring a server's Retry-After when it is longer. */
export function retryDelayS(timing: SessionTiming, failedAttempts: number, retryAfterS?: number): number {
  const backoff = Math.min(timing.backoffBaseS * 2 ** Math.max(0, failedAttempts - 1), timing.backoffMaxS);
  return Math.max(backoff, retryAfterS ?? 0);
}

/** The last instant the check-in's token may be used for a create (NaN-safe: unparsable = already gone). */
export function tokenUsableUntilMs(timing: SessionTiming, initiatedAt: string): number {
  const at = Date.parse(initiatedAt);
  return Number.isNaN(at)
    ? Number.NEGATIVE_INFINITY
    : at + (timing.tokenLifetimeS - timing.tokenSafetyS) * 1000;
}
