// The settlement machine: a pure function (settlement, input, now) → (settlement', next call, logs). The runner
// (runner.ts) always starts a pass with a read, so every decision is made on Vipps's aggregate (the source of
// truth): an operation that in fact succeeded is recorded as done, not retried or failed.
//
// After a failed call: "try again" answers (network, timeout, 423, 429, 5xx, codes such as 6160/6280;
// src/vipps/error-codes.ts) are retried on the same Idempotency-Key with a backoff growing to hours, for as
// long as Vipps's time limits allow; any other answer is remembered as a refusal and the payment is read
// before deciding. A refusal the read confirms ends the settlement needs-attention, except 6140 (partial
// capture not allowed), which switches to capturing the whole reservation and refunding the difference.
import { backoffCeilingMs } from '../backoff';
import { CODE_PARTIAL_CAPTURE_NOT_ALLOWED, classifyFailure } from '../vipps/error-codes';
import type { OperationFailure } from '../sessions/types';
import { VIPPS_LIMITS, type SettlementLimits } from './deadlines';
import { plan, type Verdict } from './plan';
import type {
  Observed,
  Refusal,
  Settlement,
  SettlementCall,
  SettlementInput,
  SettlementLog,
  SettlementOp,
  SettlementRefund,
  SettlementStep,
} from './types';

export interface SettlementTiming {
  /** First retry delay, doubling per consecutive failure. */
  readonly baseDelayS: number;
  /** Longest delay between two attempts. */
  readonly maxDelayS: number;
  readonly limits: SettlementLimits;
}

export const DEFAULT_SETTLEMENT_TIMING: SettlementTiming = Object.freeze({
  baseDelayS: 30,
  maxDelayS: 6 * 3600,
  limits: VIPPS_LIMITS,
});

/** The shared exponential ceiling (src/backoff.ts), without jitter: the machine is pure. */
export function settlementDelayS(timing: SettlementTiming, attempts: number, retryAfterS?: number): number {
  const policy = { baseMs: timing.baseDelayS * 1000, maxMs: timing.maxDelayS * 1000 };
  return Math.max(backoffCeilingMs(attempts, policy) / 1000, retryAfterS ?? 0);
}

class Work {
  readonly logs: SettlementLog[] = [];
  readonly confirmed: SettlementRefund[] = [];
  next: SettlementCall | null = null;

  constructor(
    public s: Settlement,
    readonly now: Date,
    readonly timing: SettlementTiming,
  ) {}

  patch(changes: Partial<Settlement>): void {
    this.s = { ...this.s, ...changes };
  }

  log(level: SettlementLog['level'], event: string, fields: SettlementLog['fields'] = {}): void {
    const { reference, sessionId, laneId } = this.s;
    this.logs.push({ level, event, fields: { reference, sessionId, laneId, ...fields } });
  }

  result(): SettlementStep {
    const settlement = { ...this.s, updatedAt: this.now.toISOString() };
    return { settlement, next: this.next, logs: this.logs, confirmedRefunds: this.confirmed };
  }
}

function failureFields(f: OperationFailure): SettlementLog['fields'] {
  return { code: f.code ?? null, status: f.status ?? null, traceId: f.traceId ?? null };
}

function retryLater(w: Work, op: SettlementOp | 'get', f?: OperationFailure): void {
  const attempts = w.s.attempts + 1;
  const delayS = settlementDelayS(w.timing, attempts, f?.retryAfterS);
  const nextAttemptAt = new Date(w.now.getTime() + delayS * 1000).toISOString();
  w.patch({ status: 'open', attempts, nextAttemptAt });
  w.log('warn', 'settlement-retry-later', { op, attempts, delayS, ...(f ? failureFields(f) : {}) });
}

function needsAttention(w: Work, reason: string): void {
  w.patch({ status: 'needs-attention', reason, nextAttemptAt: null });
  const o = w.s.observed;
  w.log('error', 'settlement-needs-attention', {
    reason,
    soldValue: w.s.soldValue,
    authorized: o?.authorized ?? null,
    captured: o?.captured ?? null,
    cancelled: o?.cancelled ?? null,
    refunded: o?.refunded ?? null,
  });
}

/** Refunds whose amount Vipps's refunded total now covers, in the order they were asked for. */
function confirmRefunds(w: Work, o: Observed): void {
  let covered = 0;
  let changed = false;
  const refunds = w.s.refunds.map((r) => {
    covered += r.amount;
    if (r.confirmedAt !== null || covered > o.refunded) return r;
    changed = true;
    const done = { ...r, confirmedAt: w.now.toISOString() };
    if (r.kind === 'refund') w.confirmed.push(done);
    return done;
  });
  if (changed) w.patch({ refunds });
}

/** Vipps will not capture part of a reservation for this sales unit: capture it all, refund the difference. */
function captureAllInstead(w: Work, o: Observed): void {
  const captureTarget = o.authorized - o.cancelled;
  const refund: SettlementRefund = {
    id: 'partial-capture',
    amount: captureTarget - w.s.soldValue,
    reason: 'partial capture not allowed (6140): captured in full, difference refunded',
    kind: 'partial-capture',
    requestedBy: 'gateway',
    requestedAt: w.now.toISOString(),
    confirmedAt: null,
  };
  w.patch({ strategy: 'capture-all', captureTarget, refunds: [...w.s.refunds, refund], refusal: null });
  w.log('warn', 'settlement-partial-capture-not-allowed', {
    msn: w.s.msn,
    hint: 'Ask Vipps MobilePay to allow partial capture for this sales unit',
  });
}

/** The call the plan wants now is the very one Vipps refused (same operation, same Idempotency-Key). */
function refusedAgain(refusal: Refusal | null, verdict: Verdict): refusal is Refusal {
  if (!refusal || verdict.kind !== 'call' || refusal.op !== verdict.op) return false;
  return (
    refusal.key === null || !('idempotencyKey' in verdict.call) || verdict.call.idempotencyKey === refusal.key
  );
}

function decide(w: Work): void {
  const o = w.s.observed;
  if (!o) return retryLater(w, 'get');
  confirmRefunds(w, o);
  const verdict = plan(w.s, o, w.now.getTime(), w.timing.limits);
  const refusal = w.s.refusal;
  if (refusedAgain(refusal, verdict)) {
    const partialRefused = refusal.op === 'capture' && refusal.code === CODE_PARTIAL_CAPTURE_NOT_ALLOWED;
    if (!partialRefused || w.s.strategy !== 'partial') {
      return needsAttention(w, `${refusal.op}-refused:${refusal.code ?? refusal.status ?? 'unknown'}`);
    }
    captureAllInstead(w, o);
    // Saved before the whole reservation is captured: a pass whose save is lost (a crash, a refund request
    // meanwhile) must not capture it all and then forget why.
    w.patch({ status: 'open', nextAttemptAt: w.now.toISOString() });
    return;
  }
  if (refusal) w.patch({ refusal: null }); // what was refused is no longer owed: it had in fact succeeded
  switch (verdict.kind) {
    case 'settled':
      w.patch({ status: 'settled', reason: null, nextAttemptAt: null, attempts: 0 });
      return w.log('info', 'settlement-settled', { captured: o.captured, refunded: o.refunded });
    case 'attention':
      return needsAttention(w, verdict.reason);
    case 'wait':
      w.log('warn', 'settlement-unknown-payment-state', { state: o.state.slice(0, 40) });
      return retryLater(w, 'get');
    case 'call':
      w.next = verdict.call;
      return;
  }
}

export function stepSettlement(
  settlement: Settlement,
  input: SettlementInput,
  now: Date,
  timing: SettlementTiming = DEFAULT_SETTLEMENT_TIMING,
): SettlementStep {
  const w = new Work(settlement, now, timing);
  switch (input.type) {
    case 'read':
      w.patch({ observed: input.observed });
      decide(w);
      break;
    case 'op-done':
      w.patch({ observed: input.observed, attempts: 0, refusal: null });
      w.log('info', `settlement-${input.op}-done`, { captured: input.observed.captured });
      decide(w);
      break;
    case 'read-failed':
      retryLater(w, 'get', input.failure);
      break;
    case 'op-failed':
      if (classifyFailure(input.failure) === 'retry-same-key') {
        retryLater(w, input.op, input.failure);
      } else {
        const { code, status } = input.failure;
        const key = input.idempotencyKey ?? null;
        w.patch({ refusal: { op: input.op, key, code: code ?? null, status: status ?? null } });
        w.log('warn', 'settlement-refused-read-first', { op: input.op, ...failureFields(input.failure) });
        w.next = { call: 'get' };
      }
      break;
  }
  return w.result();
}
