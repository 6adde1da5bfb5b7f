// The settlement gauges (`/metrics`), refreshed after every runner pass from the rows not yet settled:
// outstanding work by operation (count and amount), the age of the oldest, and how many need attention.
// The CDK stack alarms on the oldest age (> 1 h) and on any needs-attention.
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

export async function publishSettlementMetrics(sql: Sql, m: SettlementMetrics, now: Date): Promise<void> {
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
  for (const op of OPERATIONS) {
    m.settlementOutstanding.set({ operation: op }, count.get(op) ?? 0);
    m.settlementOutstandingAmount.set({ operation: op }, amount.get(op) ?? 0);
  }
  m.settlementOldestOutstandingSeconds.set(Math.max(0, (now.getTime() - oldest) / 1000));
  m.settlementNeedsAttention.set(attention);
}
