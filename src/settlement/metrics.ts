// The settlement gauges (`/metrics`), refreshed after every runner pass from the rows not yet settled:
// outstanding work by operation (count and amount), the age of the oldest, and how many need attention.
// The same totals go to the `settlement pass` log line, from which the CDK stack's alarms (oldest > 1 h, any
// needs-attention) are fed on AWS, where nothing scrapes /metrics.
import type { Gauge } from 'prom-client';
import { listSettlements } from '../store/settlements-repo';
import type { Sql } from '../store/sql';
import { owedOf, type OwedOperation } from './outstanding';

export interface SettlementMetrics {
  readonly settlementOutstanding: Gauge<'operation'>;
  readonly settlementOutstandingAmount: Gauge<'operation'>;
  readonly settlementOldestOutstandingSeconds: Gauge;
  readonly settlementNeedsAttention: Gauge;
}

const OPERATIONS: readonly OwedOperation[] = ['capture', 'cancel', 'refund', 'verify'];

export interface SettlementSummary {
  /** Settlements still open (not settled, not needing attention). */
  readonly outstanding: number;
  readonly needsAttention: number;
  /** Age of the oldest open one; 0 when none. */
  readonly oldestOutstandingS: number;
  readonly byOperation: Readonly<Record<OwedOperation, { readonly count: number; readonly amount: number }>>;
}

/** Store-wide totals of the settlements not yet settled. */
export async function summarizeSettlements(sql: Sql, now: Date): Promise<SettlementSummary> {
  const rows = await listSettlements(sql, { outstanding: true, limit: 100_000 });
  const count = new Map<OwedOperation, number>(OPERATIONS.map((op) => [op, 0]));
  const amount = new Map<OwedOperation, number>(OPERATIONS.map((op) => [op, 0]));
  let oldest = now.getTime();
  let attention = 0;
  for (const s of rows) {
    if (s.status === 'needs-attention') {
      attention += 1;
      continue;
    }
    const owed = owedOf(s);
    count.set(owed.operation, (count.get(owed.operation) ?? 0) + 1);
    amount.set(owed.operation, (amount.get(owed.operation) ?? 0) + owed.amount);
    oldest = Math.min(oldest, Date.parse(s.createdAt));
  }
  const byOperation = Object.fromEntries(
    OPERATIONS.map((op) => [op, { count: count.get(op) ?? 0, amount: amount.get(op) ?? 0 }]),
  ) as SettlementSummary['byOperation'];
  return {
    outstanding: rows.length - attention,
    needsAttention: attention,
    oldestOutstandingS: Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
    byOperation,
  };
}

export function publishSettlementMetrics(m: SettlementMetrics, s: SettlementSummary): void {
  for (const op of OPERATIONS) {
    m.settlementOutstanding.set({ operation: op }, s.byOperation[op].count);
    m.settlementOutstandingAmount.set({ operation: op }, s.byOperation[op].amount);
  }
  m.settlementOldestOutstandingSeconds.set(s.oldestOutstandingS);
  m.settlementNeedsAttention.set(s.needsAttention);
}
