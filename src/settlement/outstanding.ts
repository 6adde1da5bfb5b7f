// What the settlements not yet settled still owe, by operation: for metrics, alarms and `payments list`.
import { refundsTotal } from './plan';
import type { Settlement } from './types';

/** `verify`: owed but not read yet (the runner reads first); the amount is then unknown (0). */
export type OwedOperation = 'capture' | 'cancel' | 'refund' | 'verify';

export interface Owed {
  readonly operation: OwedOperation;
  readonly amount: number;
}

export function owedOf(s: Settlement): Owed {
  const o = s.observed;
  if (!o || s.status === 'settled') return { operation: 'verify', amount: 0 };
  if (o.captured < s.captureTarget) return { operation: 'capture', amount: s.captureTarget - o.captured };
  const reserved = o.authorized - o.captured - o.cancelled;
  if (reserved > 0) return { operation: 'cancel', amount: reserved };
  const refunds = refundsTotal(s) - o.refunded;
  if (refunds > 0) return { operation: 'refund', amount: refunds };
  return { operation: 'verify', amount: 0 };
}
