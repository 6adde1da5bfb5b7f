// An in-memory ControllerService with the semantics the real one (store + queue, wired by the worker) must
// have: idempotent sale opening on orderId, idempotent cancel, duplicate dispense reports recognised.
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../src/clock';
import {
  ControllerServiceError,
  type ControllerService,
  type DispenseReport,
  type LaneStatus,
  type Sale,
  type SaleRequest,
  type SessionOutcome,
} from '../../src/controller-api/controller-service';

import type { LaneStartRequest, LaneStartResult } from '../../src/sessions/lane-start';
import { ATTEMPT_ID_PATTERN } from '../../src/sessions/ids';
import { settlementFromSeed } from '../../src/settlement/from-seed';
import { decideRefund, type RefundResult } from '../../src/settlement/refund-request';
import type { Settlement } from '../../src/settlement/types';

const FINAL_STATES = new Set(['completed', 'cancelled', 'failed', 'dropped']);

export interface FakeSession {
  readonly sessionId: string;
  readonly laneId: string;
  state: string;
  readonly startedAt: string;
  /** Vending: the reserved amount a dispense report may not exceed. */
  readonly maxAmount?: number;
  report?: DispenseReport;
}

export class FakeControllerService implements ControllerService {
  /** Settlements of ended sessions by session id, refunded through the real decideRefund. */
  readonly settlements = new Map<string, Settlement>();
  readonly sales = new Map<string, Sale & { paid?: boolean }>();
  readonly sessions = new Map<string, FakeSession>();
  readonly outcomes = new Map<string, SessionOutcome[]>();
  readonly lastSeen = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  addSession(session: Omit<FakeSession, 'startedAt'> & { startedAt?: string }): FakeSession {
    const stored: FakeSession = {
      ...session,
      startedAt: session.startedAt ?? this.clock.now().toISOString(),
    };
    this.sessions.set(stored.sessionId, stored);
    this.lastSeen.set(stored.laneId, stored.startedAt);
    return stored;
  }

  /** A completed vending session whose customer paid `sold` (settled at Vipps). */
  addPaidSession(sessionId: string, laneId: string, sold: number): void {
    this.addSession({ sessionId, laneId, state: 'completed', maxAmount: sold });
    const seed = {
      sessionId: `s_${'0'.repeat(32)}`,
      laneId,
      msn: '123456',
      reference: `cg-${sessionId}`,
      kind: 'vending' as const,
      currency: 'NOK' as const,
      paymentCreatedAt: this.clock.now().toISOString(),
      soldValue: sold,
      authorizedValue: sold,
      capturedValue: sold,
      cancelledValue: 0,
      owed: false,
    };
    this.settlements.set(sessionId, { ...settlementFromSeed(seed, this.clock.now()), sessionId });
  }

  async refund(
    sessionId: string,
    ask: { refundId: string; amount: number; reason: string | null },
    requestedBy: string,
  ): Promise<RefundResult> {
    const s = this.settlements.get(sessionId);
    if (!s) return this.sessions.has(sessionId) ? { kind: 'not-finished' } : { kind: 'not-found' };
    const { result, next } = decideRefund(s, { ...ask, requestedBy }, this.clock.now());
    if (next) this.settlements.set(sessionId, next);
    return result;
  }

  async openSale(
    laneId: string,
    request: SaleRequest,
  ): Promise<{ status: 'opened' | 'existing'; sale: Sale }> {
    const open = this.sales.get(laneId);
    if (open) {
      const same =
        open.orderId === request.orderId &&
        isDeepStrictEqual(
          [open.amount, open.currency, open.description],
          [request.amount, request.currency, request.description],
        );
      if (same) return { status: 'existing', sale: open };
      throw new ControllerServiceError(
        'sale_conflict',
        open.orderId === request.orderId
          ? `order ${request.orderId} is already open on ${laneId} with different details`
          : `order ${open.orderId} is open on ${laneId}; cancel it first`,
      );
    }
    const sale: Sale = { ...request, laneId, openedAt: this.clock.now().toISOString() };
    this.sales.set(laneId, sale);
    return { status: 'opened', sale };
  }

  async cancelSale(laneId: string): Promise<{ status: 'cancelled' | 'none' }> {
    const open = this.sales.get(laneId);
    if (!open) return { status: 'none' };
    if (open.paid) throw new ControllerServiceError('sale_finished', `order ${open.orderId} is already paid`);
    this.sales.delete(laneId);
    return { status: 'cancelled' };
  }

  /** lane|attemptId → sessionId of the sessions started by pairing. */
  readonly started = new Map<string, string>();

  /** POST /v1/lanes/{laneId}/sessions (issue 16): idempotent on attemptId, refused while the lane is busy. */
  async startSession(laneId: string, req: LaneStartRequest): Promise<LaneStartResult> {
    if (!ATTEMPT_ID_PATTERN.test(req.attemptId))
      return { status: 'problem', problem: 'invalid_attempt_id', detail: 'bad attemptId' };
    const qr = req.personalQr;
    if (req.pairing === 'personal-qr' && (qr === undefined || qr.length < 5 || qr.length > 255))
      return { status: 'problem', problem: 'invalid_personal_qr', detail: 'bad personal QR' };
    const existing = this.started.get(`${laneId}|${req.attemptId}`);
    if (existing) return { status: 'existing', sessionId: existing, session: null };
    if ([...this.sessions.values()].some((s) => s.laneId === laneId && !FINAL_STATES.has(s.state)))
      return { status: 'problem', problem: 'lane_busy', detail: `lane ${laneId} has a session in progress` };
    const sessionId = `ses_start_${this.started.size + 1}`;
    this.started.set(`${laneId}|${req.attemptId}`, sessionId);
    this.addSession({ sessionId, laneId, state: 'payment-requested' });
    return { status: 'created', sessionId, session: null };
  }

  async sessionLane(sessionId: string): Promise<string | undefined> {
    return this.sessions.get(sessionId)?.laneId;
  }

  async reportDispense(
    sessionId: string,
    report: DispenseReport,
  ): Promise<{ status: 'accepted' | 'duplicate' }> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new ControllerServiceError('unknown_session', `no session ${sessionId}`);
    if (session.report) {
      if (isDeepStrictEqual(session.report, report)) return { status: 'duplicate' };
      throw new ControllerServiceError(
        'session_finished',
        `a different result was already reported for ${sessionId}`,
      );
    }
    if (FINAL_STATES.has(session.state)) {
      throw new ControllerServiceError('session_finished', `session ${sessionId} is ${session.state}`);
    }
    if (report.amount !== undefined && session.maxAmount !== undefined && report.amount > session.maxAmount) {
      throw new ControllerServiceError(
        'amount_exceeds_authorized',
        `at most ${session.maxAmount} was authorized`,
      );
    }
    session.report = report;
    return { status: 'accepted' };
  }

  async laneStatus(laneId: string): Promise<LaneStatus> {
    const current = [...this.sessions.values()].find(
      (s) => s.laneId === laneId && !FINAL_STATES.has(s.state),
    );
    return {
      currentSession: current
        ? { sessionId: current.sessionId, state: current.state, startedAt: current.startedAt }
        : null,
      openSale: this.sales.get(laneId) ?? null,
      lastSeenAt: this.lastSeen.get(laneId) ?? null,
      recentOutcomes: this.outcomes.get(laneId) ?? [],
    };
  }
}
