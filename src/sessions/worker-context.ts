// Loads what `step` needs for one input (StepContext): the lane from the registry, the session the input
// names, the lane's active session and its open sale, in one read (store/lane-view-repo.ts). The read happens
// outside the write transaction; the save's optimistic version check catches anything that changed since.
import type { Lane, LaneRegistry } from '../lanes/lane';
import { loadLaneView, type SessionKey } from '../store/lane-view-repo';
import { openSaleOf } from '../store/sales-repo';
import type { Sql } from '../store/sql';
import { sessionIdFor } from './ids';
import type { JobInput } from './job-inputs';
import type { SessionTiming } from './timing';
import type { Input, Session, StepContext } from './types';

export type LoadedContext =
  | { readonly kind: 'ready'; readonly ctx: StepContext; readonly laneRetired: boolean }
  | { readonly kind: 'skip'; readonly reason: string; readonly laneId: string };

function sessionKeyOf(input: Input): SessionKey {
  switch (input.type) {
    case 'checkin':
      return { by: 'id', value: sessionIdFor(input) };
    case 'epayment-event':
    case 'poll-result':
      return { by: 'reference', value: input.reference };
    case 'sale-opened':
    case 'sale-cancelled':
      return { by: 'none' };
    default:
      return { by: 'id', value: input.sessionId };
  }
}

/**
 * A session whose lane was removed from the lanes file still has money in flight: it finishes on a stand-in
 * lane rebuilt from the session (disabled, so nothing new starts on it). Its lane messages cannot be
 * delivered any more; the outbox records them as failed.
 */
export function retiredLane(session: Session): Lane {
  const amount = session.amount;
  return {
    id: session.laneId,
    kind: session.kind,
    msn: session.msn,
    merchantQrId: session.merchantQrId,
    description: session.description ?? 'Purchase',
    currency: amount?.currency ?? 'NOK',
    ...(session.kind === 'vending' && amount ? { maxAmount: amount.value } : {}),
    enabled: false,
    controller: { type: 'log' },
  };
}

export async function loadStepContext(
  sql: Sql,
  lanes: LaneRegistry,
  job: JobInput,
  timing: Partial<SessionTiming> | undefined,
): Promise<LoadedContext> {
  const { input } = job;
  const view = await loadLaneView(sql, sessionKeyOf(input), job.laneId);
  const { session, laneId } = view;
  const configured = lanes.byId(laneId);
  if (!configured && !session) return { kind: 'skip', reason: 'lane-not-configured', laneId };
  const lane = configured ?? retiredLane(session as Session);

  if (input.type === 'sale-opened') {
    // The controller API reserved the sale before queuing this job; the machine takes it only if the
    // reservation still stands (a cancel before the job ran withdraws it). Unapplied, the machine sees none.
    if (view.sale?.orderId !== input.sale.orderId) return { kind: 'skip', reason: 'sale-withdrawn', laneId };
  }
  const openSale = openSaleOf(view.sale);
  const { activeSession } = view;
  const ctx: StepContext = { lane, session, activeSession, openSale, ...(timing ? { timing } : {}) };
  return { kind: 'ready', ctx, laneRetired: !configured };
}
