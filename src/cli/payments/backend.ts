// Where `payments …` commands do their work (architecture §4): through the running gateway's admin endpoints
// when one owns the embedded DATA_DIR (PGlite has one owner), otherwise on the store directly — the embedded
// directory when nobody holds it, or the Postgres server of the AWS profile — with a Vipps client for
// VIPPS_ENV. Both give the same answers: the admin routes run the same PaymentsApi.
import { systemClock } from '../../clock';
import { loadConfig, type Config } from '../../config';
import { silentLogger } from '../../log';
import { createLocalPayments, type SettleResult } from '../../settlement/payments-api';
import type { PaymentDetail, PaymentRow } from '../../settlement/payments-view';
import type { ReconcileReport } from '../../settlement/reconcile';
import type { RefundResult } from '../../settlement/refund-request';
import { createSettlementRunner } from '../../settlement/runner';
import { findRunningAdmin } from '../../admin/cli-access';
import { openStore } from '../../store/open-store';
import type { SettlementFilter } from '../../store/settlements-repo';
import { createVippsClient } from '../../vipps';
import { remotePayments } from './remote';

/** A refund's outcome as the CLI prints it, whichever way it went. */
export interface RefundOutcome {
  readonly kind: RefundResult['kind'];
  readonly detail: string;
}

export interface CliPayments {
  list(filter: SettlementFilter): Promise<PaymentRow[]>;
  show(reference: string): Promise<PaymentDetail | null>;
  settle(reference?: string): Promise<SettleResult>;
  reconcile(filter: Pick<SettlementFilter, 'since' | 'until' | 'laneId'>): Promise<ReconcileReport>;
  refund(
    reference: string,
    ask: { refundId: string; amount: number; reason: string | null },
  ): Promise<RefundOutcome>;
}

export function refundOutcome(r: RefundResult): RefundOutcome {
  switch (r.kind) {
    case 'accepted':
      return {
        kind: r.kind,
        detail: `refund ${r.refund.id} of ${r.refund.amount} accepted; the settlement carries it out`,
      };
    case 'duplicate':
      return { kind: r.kind, detail: `refund ${r.refund.id} was already asked for; nothing new was done` };
    case 'not-found':
      return { kind: r.kind, detail: 'no payment with that reference has a settlement' };
    case 'not-finished':
      return { kind: r.kind, detail: 'the session has not ended yet' };
    case 'conflict':
      return { kind: r.kind, detail: `refund id ${r.existing.id} already asks for ${r.existing.amount}` };
    case 'exceeds':
      return { kind: r.kind, detail: `at most ${r.refundable} can still be refunded` };
  }
}

export async function withPayments<T>(
  env: Readonly<Record<string, string | undefined>>,
  fn: (api: CliPayments, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(env, { requireWebhookSecrets: false });
  if (config.store === 'pglite') {
    const holder = await findRunningAdmin(config);
    if (holder) return fn(remotePayments(holder.url, holder.token), config);
  }
  const store = await openStore(config);
  try {
    const vipps = createVippsClient(config.vipps);
    const runner = createSettlementRunner({
      db: store.db,
      epayment: vipps.epayment,
      clock: systemClock,
      logger: silentLogger(),
    });
    const local = createLocalPayments({
      db: store.db,
      epayment: vipps.epayment,
      clock: systemClock,
      runOnce: () => runner.runOnce(),
    });
    return await fn(
      {
        ...local,
        refund: async (reference, ask) => refundOutcome(await local.refund(reference, ask, 'operator:cli')),
      },
      config,
    );
  } finally {
    await store.close();
  }
}
