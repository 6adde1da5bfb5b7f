// Works the settlements that are due, outside every lane (architecture §2): a stuck capture never holds the
// next customer. Each pass leases due rows (so several `work` tasks share the load), and for each one reads
// the payment first, then makes the calls the machine asks for, and writes the result, the call records and
// any `session.refunded` lane messages in one batch. A row someone changed meanwhile (a refund request) is
// saved by nobody: its calls were idempotent, and it is due again at once. Leases are short and renewed by a
// heartbeat while the pass holds them (src/lease-heartbeat.ts), so a dead runner's rows are taken over within
// about one lease; a row whose lease was taken over meanwhile is not saved by this runner (its version fences
// the save as well).
import type { Clock } from '../clock';
import { createLeaseHeartbeat } from '../lease-heartbeat';
import type { Logger } from '../log';
import { repeatEvery } from '../repeat';
import { laneMessage, type LaneMessage } from '../sessions/lane-message';
import { sha256Hex } from '../hash';
import { addToOutboxStatements } from '../store/outbox-repo';
import {
  claimDueSettlements,
  recordPaymentCallStatement,
  releaseSettlement,
  renewSettlementLease,
  saveSettlementStatement,
} from '../store/settlements-repo';
import { BatchExpectationError, type Sql, type Statement } from '../store/sql';
import { executeSettlementCall, type SettlementEpaymentPort } from './execute';
import { DEFAULT_SETTLEMENT_TIMING, stepSettlement, type SettlementTiming } from './machine';
import { refundsTotal } from './plan';
import { publishSettlementMetrics, summarizeSettlements, type SettlementMetrics } from './metrics';
import type { Settlement, SettlementCall, SettlementInput, SettlementRefund } from './types';

export interface SettlementRunnerOptions {
  readonly db: Sql;
  readonly epayment: SettlementEpaymentPort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: SettlementMetrics;
  readonly timing?: Partial<SettlementTiming>;
  /** Told when refund messages were written, so they leave at once. */
  readonly outbox?: { wake(): void };
  /** Between passes when not woken, in ms. Default 5 000. */
  readonly intervalMs?: number;
  /**
   * How long a settlement stays leased past its last renewal, in ms: a dead runner's rows are taken over about
   * this long after it died. Default 15 000 (WORKER_LEASE_S).
   */
  readonly leaseMs?: number;
  /** How often the leases of the rows a pass holds are renewed, in ms. Default a third of leaseMs. */
  readonly heartbeatMs?: number;
  /** Settlements per pass. Default 20. */
  readonly batchSize?: number;
}

export interface PassResult {
  readonly worked: number;
  readonly settled: number;
  readonly needsAttention: number;
}

export interface SettlementRunner {
  start(): void;
  stop(): Promise<void>;
  /** Runs a pass soon (a session just left money owed). */
  wake(): void;
  /** One pass now over everything due; resolves when done. */
  runOnce(): Promise<PassResult>;
}

export const DEFAULT_SETTLEMENT_LEASE_MS = 15_000;

/** A pass makes at most this many calls for one settlement (read, capture, cancel, a few refunds). */
const MAX_CALLS_PER_PASS = 8;

function refundMessage(s: Settlement, refund: SettlementRefund, now: Date): LaneMessage {
  const refunded = refundsTotal({ refunds: s.refunds.filter((r) => r.confirmedAt !== null) }, 'customer');
  return laneMessage(
    { id: s.sessionId, laneId: s.laneId },
    'session.refunded',
    {
      refundId: refund.id,
      amount: { currency: s.currency, value: refund.amount },
      refundedAmount: { currency: s.currency, value: refunded },
      reason: refund.reason,
    },
    now,
    `refunded-${sha256Hex(refund.id).slice(0, 12)}`,
  );
}

function callRecord(s: Settlement, call: SettlementCall, input: SettlementInput, at: Date): Statement {
  const failure = input.type === 'op-failed' || input.type === 'read-failed' ? input.failure : null;
  return recordPaymentCallStatement({
    reference: s.reference,
    at,
    source: 'settlement',
    operation: call.call,
    outcome: failure ? 'failed' : 'ok',
    amount: call.call === 'capture' || call.call === 'refund' ? call.amount : null,
    status: failure?.status ?? null,
    code: failure?.code ?? null,
    traceId: failure?.traceId ?? null,
    idempotencyKey: call.call === 'get' ? null : call.idempotencyKey,
  });
}

export function createSettlementRunner(o: SettlementRunnerOptions): SettlementRunner {
  const timing: SettlementTiming = { ...DEFAULT_SETTLEMENT_TIMING, ...o.timing };
  const intervalMs = o.intervalMs ?? 5000;
  const leaseMs = o.leaseMs ?? DEFAULT_SETTLEMENT_LEASE_MS;
  const batchSize = o.batchSize ?? 20;
  const { db, clock, logger } = o;
  const leases = createLeaseHeartbeat({
    clock,
    logger,
    leaseMs,
    intervalMs: o.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)),
    renew: (reference, from, to) => renewSettlementLease(db, reference, from, to),
    what: 'settlement',
  });
  let current: Promise<PassResult> | null = null;
  let queued: Promise<PassResult> | null = null;
  let started = false;

  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let lastHadWork = false;

  /**
   * Gauges after every pass; the `settlement pass` line whenever something is outstanding, once when it
   * clears (so the alarms fed by it return to OK), and at least every minute otherwise.
   */
  async function report(): Promise<void> {
    const now = clock.now();
    const summary = await summarizeSettlements(db, now);
    if (o.metrics) publishSettlementMetrics(o.metrics, summary);
    const hasWork = summary.outstanding + summary.needsAttention > 0;
    if (!hasWork && !lastHadWork && now.getTime() - lastLoggedAt < 60_000) return;
    lastLoggedAt = now.getTime();
    lastHadWork = hasWork;
    logger.info('settlement pass', {
      event: 'settlement-pass',
      oldestOutstandingS: summary.oldestOutstandingS,
      needsAttention: summary.needsAttention,
      outstanding: summary.outstanding,
    });
  }

  async function workOne(first: Settlement): Promise<Settlement> {
    let s = first;
    let call: SettlementCall | null = { call: 'get' };
    const statements: Statement[] = [];
    const messages: LaneMessage[] = [];
    for (let calls = 0; call && calls < MAX_CALLS_PER_PASS; calls += 1) {
      const input = await executeSettlementCall(s, call, o.epayment, () => clock.now());
      const now = clock.now();
      statements.push(callRecord(s, call, input, now));
      const r = stepSettlement(s, input, now, timing);
      for (const l of r.logs) logger.log(l.level, `settlement ${l.event}`, { event: l.event, ...l.fields });
      messages.push(...r.confirmedRefunds.map((refund) => refundMessage(r.settlement, refund, now)));
      s = r.settlement;
      call = r.next;
    }
    const now = clock.now();
    if (call) s = { ...s, nextAttemptAt: now.toISOString() }; // more to do: due again at once
    const next = { ...s, version: first.version + 1 };
    const heldUntil = await leases.release(first.reference);
    if (!heldUntil) {
      // Another runner holds it now and works it from what Vipps says: the calls are kept for the record,
      // the result is left to it.
      await db.batch(statements);
      return first;
    }
    try {
      await db.batch([
        saveSettlementStatement(next, first.version),
        ...statements,
        ...addToOutboxStatements(messages, now),
      ]);
    } catch (err) {
      if (!(err instanceof BatchExpectationError && err.index === 0)) throw err;
      await db.batch(statements);
      await releaseSettlement(db, first.reference, now, heldUntil);
      return first;
    }
    if (messages.length > 0) o.outbox?.wake();
    return next;
  }

  async function pass(): Promise<PassResult> {
    let worked = 0;
    let settled = 0;
    let needsAttention = 0;
    for (;;) {
      const claimedAt = clock.now();
      const due = await claimDueSettlements(db, claimedAt, leaseMs, batchSize);
      // The whole batch is held from the claim: the last rows wait for the first ones to be worked.
      const leaseUntil = new Date(claimedAt.getTime() + leaseMs);
      for (const s of due) leases.hold(s.reference, leaseUntil);
      for (const s of due) {
        try {
          const after = await workOne(s);
          worked += 1;
          if (after.status === 'settled') settled += 1;
          if (after.status === 'needs-attention') needsAttention += 1;
        } catch (err) {
          // A bug or the store: leave the row to its lease and say so; the next pass takes it again.
          await leases.release(s.reference);
          logger.error('settlement pass failed for a payment', {
            reference: s.reference,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
      if (due.length < batchSize || loop.stopped) break;
    }
    await report();
    return { worked, settled, needsAttention };
  }

  /** Passes never overlap; a call during a pass gets the next one (shared by every caller meanwhile). */
  function runOnce(): Promise<PassResult> {
    if (!current) {
      current = pass().finally(() => {
        current = null;
      });
      return current;
    }
    queued ??= current
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return runOnce();
      });
    return queued;
  }

  const loop = repeatEvery(intervalMs, runOnce, logger, 'settlement pass failed');

  return {
    start() {
      started = true;
      loop.start();
    },
    async stop() {
      await loop.stop();
      await Promise.all([current?.catch(() => undefined), queued?.catch(() => undefined)]);
      leases.stop();
    },
    wake() {
      if (started && !loop.stopped) void runOnce().catch(() => undefined);
    },
    runOnce,
  };
}
