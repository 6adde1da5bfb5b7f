// The real ControllerService (src/controller-api/controller-service.ts): what lane controllers ask of the
// gateway. Sales and dispense reports are checked synchronously against the store (so a controller gets its
// 409/422 at once) and then enter the lane's queue group, where the worker applies them in order with the
// Vipps events of that lane (architecture §1).
import type { Clock } from '../clock';
import type { LaneRegistry } from '../lanes/lane';
import { amountError } from '../lanes/validate-fields';
import type { Queue } from '../queue/queue';
import {
  ControllerServiceError,
  type ControllerService,
  type DispenseReport,
  type LaneStatus,
  type Sale,
  type SaleRequest,
  type SessionOutcome,
} from '../controller-api/controller-service';
import { acceptDispenseReport, type AcceptedReport } from '../store/dispense-reports-repo';
import { recentEndings } from '../store/history-repo';
import { loadLaneStatus } from '../store/lane-status-repo';
import { deleteUnappliedSale, loadSale, reserveSale, type StoredSale } from '../store/sales-repo';
import { loadLaneView } from '../store/lane-view-repo';
import { loadSession } from '../store/sessions-repo';
import type { Sql } from '../store/sql';
import { checkDispenseReport } from './dispense';
import { dispenseReportJob, saleCancelledJob, saleOpenedJob } from './job-inputs';
import { checkSale } from './sales';
import { startLaneSession } from './lane-start';
import { isFinalState } from './session-state';
import type { OpenSale } from './types';

export interface ControllerServiceDeps {
  readonly db: Sql;
  readonly queue: Pick<Queue, 'enqueue'>;
  readonly lanes: () => LaneRegistry;
  readonly clock: Clock;
  /** How many endings laneStatus lists. Default 10. */
  readonly recentOutcomes?: number;
}

function saleView(s: StoredSale | OpenSale): Sale {
  return {
    laneId: s.laneId,
    orderId: s.orderId,
    amount: s.amount,
    currency: s.currency,
    description: s.description ?? '',
    openedAt: s.openedAt,
    ...(s.sessionId ? { sessionId: s.sessionId } : {}),
  };
}

function sameSale(stored: StoredSale, req: SaleRequest): boolean {
  return (
    stored.amount === req.amount &&
    stored.currency === req.currency &&
    (stored.description ?? '') === req.description
  );
}

function sameReport(a: AcceptedReport, b: DispenseReport): boolean {
  return a.result === b.result && (a.amount ?? null) === (b.amount ?? null);
}

function reportText(r: AcceptedReport): string {
  return r.amount === undefined ? r.result : `${r.result} ${r.amount}`;
}

/** Money is moving for the sale's session: too late to cancel it. */
const SALE_BEING_PAID = new Set(['authorized', 'capturing', 'completed']);

export function createControllerService(deps: ControllerServiceDeps): ControllerService {
  const { db, queue } = deps;

  function laneOf(laneId: string) {
    const lane = deps.lanes().byId(laneId);
    // The routes check the lane exists before calling; a reload in between lands here.
    if (!lane) throw new ControllerServiceError('sale_conflict', `lane ${laneId} is no longer configured`);
    return lane;
  }

  return {
    async openSale(laneId, req) {
      const lane = laneOf(laneId);
      // The routes check this first (422); a lanes reload between the two must not make it a conflict.
      const outOfRange = amountError(req.amount, lane.currency);
      if (outOfRange) throw new ControllerServiceError('invalid_amount', outOfRange);
      const sale: Omit<OpenSale, 'sessionId'> = {
        laneId,
        orderId: req.orderId,
        amount: req.amount,
        currency: req.currency,
        description: req.description,
        openedAt: deps.clock.now().toISOString(),
      };
      const problem = checkSale(lane, sale);
      if (problem) throw new ControllerServiceError('sale_conflict', `the sale cannot be opened: ${problem}`);
      // PGlite runs one transaction at a time and the queue shares it: enqueue only after the commit.
      const outcome = await db.transaction(async (tx) => {
        if (await reserveSale(tx, { ...sale, sessionId: null }, deps.clock.now()))
          return { status: 'opened' as const, stored: null };
        return { status: 'existing' as const, stored: await loadSale(tx, laneId) };
      });
      if (outcome.status === 'opened') {
        await queue.enqueue(saleOpenedJob(sale));
        return { status: 'opened', sale: saleView({ ...sale, sessionId: null }) };
      }
      const stored = outcome.stored;
      if (!stored || stored.orderId !== req.orderId || !sameSale(stored, req)) {
        throw new ControllerServiceError(
          'sale_conflict',
          stored && stored.orderId === req.orderId
            ? `order ${req.orderId} is already open on lane ${laneId} with other details`
            : `another sale is open on lane ${laneId}; cancel it first`,
        );
      }
      // A retry after a failed enqueue must still reach the worker (the dedup key makes this free otherwise).
      if (!stored.applied) await queue.enqueue(saleOpenedJob(stored));
      return { status: 'existing', sale: saleView(stored) };
    },

    async cancelSale(laneId) {
      laneOf(laneId);
      const stored = await loadSale(db, laneId);
      if (!stored) return { status: 'none' };
      // Not yet taken by the worker: withdrawing the reservation is enough (its job then skips).
      if (!stored.applied && (await deleteUnappliedSale(db, laneId, stored.orderId)))
        return { status: 'cancelled' };
      if (stored.sessionId) {
        const session = await loadSession(db, stored.sessionId);
        if (session && SALE_BEING_PAID.has(session.state))
          throw new ControllerServiceError('sale_finished', `order ${stored.orderId} is being paid`);
      }
      await queue.enqueue(saleCancelledJob(stored));
      return { status: 'cancelled' };
    },

    startSession(laneId, req) {
      return startLaneSession(deps, laneId, req);
    },

    async sessionLane(sessionId) {
      return (await loadSession(db, sessionId))?.laneId;
    },

    async reportDispense(sessionId, report: DispenseReport) {
      const session = await loadSession(db, sessionId);
      if (!session) throw new ControllerServiceError('unknown_session', `no session ${sessionId}`);
      const currency = session.amount?.currency ?? deps.lanes().byId(session.laneId)?.currency ?? 'NOK';
      const amount = report.amount === undefined ? undefined : { currency, value: report.amount };
      const verdict = checkDispenseReport(session, { result: report.result, ...(amount ? { amount } : {}) });
      if (verdict.kind === 'duplicate') return { status: 'duplicate' };
      // session.authorized told the controller dispenseBy; after it the dispense timeout releases the money.
      const closesAt = session.dispenseBy === undefined ? NaN : Date.parse(session.dispenseBy);
      if (session.dispensedValue === null && deps.clock.now().getTime() > closesAt)
        throw new ControllerServiceError(
          'dispense_window_closed',
          `session ${sessionId} took dispense reports until ${session.dispenseBy}`,
        );
      if (verdict.kind === 'ignored' || isFinalState(session.state))
        throw new ControllerServiceError(
          'session_finished',
          `session ${sessionId} has ended (${session.state})`,
        );
      if (verdict.kind === 'invalid') {
        if (verdict.reason === 'amount-exceeds-authorized')
          throw new ControllerServiceError(
            'amount_exceeds_authorized',
            `at most ${session.authorizedValue} was authorized`,
          );
        // already-reported (a different result), not-authorized, not-vending: nothing this report can change.
        throw new ControllerServiceError(
          'session_finished',
          `session ${sessionId} cannot take this report (${verdict.reason}, state ${session.state})`,
        );
      }
      // The worker applies a report in lane order, so the session may show none while one is still queued. The
      // accepted report is recorded before it is queued: a different one is refused now instead of being
      // answered `duplicate` (the job's dedup key is per session) and then rejected by the worker unseen.
      const accepted = await acceptDispenseReport(
        db,
        { sessionId, laneId: session.laneId },
        { result: report.result, ...(report.amount === undefined ? {} : { amount: report.amount }) },
        deps.clock.now(),
      );
      if (!accepted.first && !sameReport(accepted.report, report))
        throw new ControllerServiceError(
          'session_finished',
          `a different report (${reportText(accepted.report)}) was already accepted for ${sessionId}`,
        );
      // Queued again for a repeat too: free under the dedup key, and it heals an enqueue that failed after the
      // report was recorded.
      const r = await queue.enqueue(
        dispenseReportJob(session.laneId, sessionId, {
          result: report.result,
          ...(amount ? { amount } : {}),
        }),
      );
      return { status: accepted.first && !r.duplicate ? 'accepted' : 'duplicate' };
    },

    async laneStatus(laneId): Promise<LaneStatus> {
      // The active session and the sale row in one read, as a worker step sees them.
      const [{ activeSession: active, sale: stored }, status, endings] = [
        await loadLaneView(db, { by: 'none' }, laneId),
        await loadLaneStatus(db, laneId),
        await recentEndings(db, laneId, deps.recentOutcomes ?? 10),
      ];
      const recentOutcomes: SessionOutcome[] = endings.map((e) => ({
        sessionId: e.sessionId,
        outcome: e.state,
        at: e.at.toISOString(),
        ...(e.capturedValue > 0 ? { amount: e.capturedValue } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
      }));
      return {
        currentSession: active
          ? { sessionId: active.id, state: active.state, startedAt: active.createdAt }
          : null,
        openSale: stored ? saleView(stored) : null,
        lastSeenAt: status?.lastSeenAt ? status.lastSeenAt.toISOString() : null,
        recentOutcomes,
      };
    },
  };
}
