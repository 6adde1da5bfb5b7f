// The operator's payments API in one place, used by the admin routes of a running gateway and by the CLI
// when no gateway owns the store: list, show, settle now, reconcile with Vipps, refund.
import type { Clock } from '../clock';
import { makeDueNow, type SettlementFilter } from '../store/settlements-repo';
import { loadSession } from '../store/sessions-repo';
import type { Sql } from '../store/sql';
import type { SettlementEpaymentPort } from './execute';
import { listPayments, showPayment, type PaymentDetail, type PaymentRow } from './payments-view';
import { reconcile, type ReconcileReport } from './reconcile';
import { requestRefund, type RefundResult } from './refund-request';
import type { PassResult } from './runner';

export interface SettleResult {
  /** Settlements made due now. */
  readonly due: number;
  /** The pass run at once, when this process runs the settlement (a `serve` process leaves it to workers). */
  readonly pass: PassResult | null;
}

export interface RefundAsk {
  readonly refundId: string;
  readonly amount: number;
  readonly reason: string | null;
}

export interface PaymentsApi {
  list(filter: SettlementFilter): Promise<PaymentRow[]>;
  show(reference: string): Promise<PaymentDetail | null>;
  settle(reference?: string): Promise<SettleResult>;
  reconcile(filter: Pick<SettlementFilter, 'since' | 'until' | 'laneId'>): Promise<ReconcileReport>;
  refund(reference: string, ask: RefundAsk, requestedBy: string): Promise<RefundResult>;
}

export interface LocalPaymentsOptions {
  readonly db: Sql;
  readonly epayment: SettlementEpaymentPort;
  readonly clock: Clock;
  /** This process's runner pass, if it has one (null: nobody here runs settlements). */
  readonly runOnce?: () => Promise<PassResult | null>;
}

export function createLocalPayments(o: LocalPaymentsOptions): PaymentsApi {
  const now = () => o.clock.now();
  return {
    list: (filter) => listPayments(o.db, filter, now()),
    show: (reference) => showPayment(o.db, reference, now()),
    async settle(reference) {
      const due = await makeDueNow(o.db, now(), reference);
      return { due, pass: o.runOnce ? await o.runOnce() : null };
    },
    reconcile: (filter) => reconcile(o.db, o.epayment, filter, now),
    refund: (reference, ask, requestedBy) =>
      requestRefund(
        o.db,
        { reference, ...ask, requestedBy },
        now(),
        async (id) => (await loadSession(o.db, id)) !== null,
      ),
  };
}
