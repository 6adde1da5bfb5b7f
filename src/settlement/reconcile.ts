// `payments reconcile`: reads every payment in range from Vipps and compares it with the local ledger. For a
// settled payment the local ledger is exact (what was sold captured, the rest released, the refunds asked
// for refunded), so any difference is printed. An open settlement is still converging and is only listed; a
// needs-attention one is compared too, since its reason may be out of date.
import { listSettlements, type SettlementFilter } from '../store/settlements-repo';
import type { Sql } from '../store/sql';
import { executeSettlementCall, type SettlementEpaymentPort } from './execute';
import { refundsTotal } from './plan';
import type { Observed, Settlement } from './types';

export interface LedgerDifference {
  readonly reference: string;
  readonly laneId: string;
  readonly status: Settlement['status'];
  readonly field: 'state' | 'authorized' | 'captured' | 'cancelled' | 'refunded' | 'read';
  readonly local: string | number;
  readonly vipps: string | number;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly inProgress: readonly string[];
  readonly differences: readonly LedgerDifference[];
}

/** What Vipps must show once a settlement is done, derived from the local ledger alone. */
export function expectedAtVipps(s: Settlement): Omit<Observed, 'at' | 'state'> & { state: string } {
  const authorized = s.observed?.authorized ?? 0;
  if (authorized === 0)
    return { state: 'not authorized', authorized: 0, captured: 0, cancelled: 0, refunded: 0 };
  return {
    state: 'AUTHORIZED',
    authorized,
    captured: s.captureTarget,
    cancelled: authorized - s.captureTarget,
    refunded: refundsTotal(s),
  };
}

function compare(s: Settlement, vipps: Observed): LedgerDifference[] {
  const want = expectedAtVipps(s);
  const base = { reference: s.reference, laneId: s.laneId, status: s.status };
  if (want.authorized === 0) {
    const money = vipps.authorized + vipps.captured + vipps.refunded;
    return money === 0 ? [] : [{ ...base, field: 'authorized', local: 0, vipps: vipps.authorized }];
  }
  const out: LedgerDifference[] = [];
  if (vipps.state !== 'AUTHORIZED')
    out.push({ ...base, field: 'state', local: want.state, vipps: vipps.state });
  for (const field of ['authorized', 'captured', 'cancelled', 'refunded'] as const) {
    if (vipps[field] !== want[field]) out.push({ ...base, field, local: want[field], vipps: vipps[field] });
  }
  return out;
}

export async function reconcile(
  sql: Sql,
  epayment: SettlementEpaymentPort,
  filter: Pick<SettlementFilter, 'since' | 'until' | 'laneId'>,
  now: () => Date,
): Promise<ReconcileReport> {
  const differences: LedgerDifference[] = [];
  const inProgress: string[] = [];
  let checked = 0;
  for (let offset = 0; ; offset += 500) {
    const page = await listSettlements(sql, { ...filter, limit: 500, offset });
    for (const s of page) {
      checked += 1;
      if (s.status === 'open') {
        inProgress.push(s.reference);
        continue;
      }
      const answer = await executeSettlementCall(s, { call: 'get' }, epayment, now);
      if (answer.type !== 'read') {
        const f = answer.type === 'read-failed' ? answer.failure : null;
        const base = { reference: s.reference, laneId: s.laneId, status: s.status };
        differences.push({
          ...base,
          field: 'read',
          local: 'readable',
          vipps: `${f?.status ?? 'no answer'} ${f?.code ?? ''}`.trim(),
        });
        continue;
      }
      differences.push(...compare(s, answer.observed));
    }
    if (page.length < 500) break;
  }
  return { checked, inProgress, differences };
}
