// What the controller API needs from the rest of the gateway. The worker wires the real implementation
// (store + queue: reports enter the lane's queue group like Vipps events, architecture §1); the routes only
// authenticate, validate and map outcomes to HTTP. Amounts are integers in minor units of the lane's currency.
import type { Lane } from '../lanes/lane';
import type { LaneStartRequest, LaneStartResult } from '../sessions/lane-start';

export interface SaleRequest {
  readonly amount: number;
  readonly currency: Lane['currency'];
  /** Shown to the customer in the payment request (≤ 100 characters). */
  readonly description: string;
  /** The POS's own order id: the idempotency key of opening a sale. */
  readonly orderId: string;
}

export interface Sale extends SaleRequest {
  readonly laneId: string;
  readonly openedAt: string;
  /** Set once a check-in picked the sale up. */
  readonly sessionId?: string;
}

export interface DispenseReport {
  readonly result: 'dispensed' | 'failed';
  /** Required with `dispensed`: what was actually handed out. */
  readonly amount?: number;
}

export interface SessionSummary {
  readonly sessionId: string;
  readonly state: string;
  readonly startedAt: string;
}

export interface SessionOutcome {
  readonly sessionId: string;
  /** Final state: completed, cancelled, failed or dropped. */
  readonly outcome: string;
  readonly at: string;
  /** Captured amount, when money moved. */
  readonly amount?: number;
  readonly reason?: string;
}

export interface LaneStatus {
  readonly currentSession: SessionSummary | null;
  readonly openSale: Sale | null;
  /** Last time a customer checked in on this lane. */
  readonly lastSeenAt: string | null;
  /** Most recent first. */
  readonly recentOutcomes: readonly SessionOutcome[];
}

export type ControllerServiceCode =
  | 'sale_conflict'
  | 'sale_finished'
  | 'unknown_session'
  | 'session_finished'
  | 'amount_exceeds_authorized'
  /** A dispense report after the session's dispenseBy: the reservation is being released. */
  | 'dispense_window_closed'
  /** A sale amount outside what ePayment (and the lanes file) allow: answered 422 invalid_body. */
  | 'invalid_amount';

/** An expected refusal, with a stable code the routes map to HTTP; `detail` is shown to the controller. */
export class ControllerServiceError extends Error {
  override readonly name = 'ControllerServiceError';
  constructor(
    readonly code: ControllerServiceCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface ControllerService {
  /**
   * Idempotent on orderId: the same open sale again is 'existing'; another open sale ⇒ sale_conflict; an amount
   * outside ePayment's limits ⇒ invalid_amount.
   */
  openSale(laneId: string, sale: SaleRequest): Promise<{ status: 'opened' | 'existing'; sale: Sale }>;
  /** 'none' when no sale is open (idempotent). A sale already paid ⇒ sale_finished. */
  cancelSale(laneId: string): Promise<{ status: 'cancelled' | 'none' }>;
  /** The lane a session belongs to (for the token's lane scope), or undefined if unknown. */
  sessionLane(sessionId: string): Promise<string | undefined>;
  /**
   * The same report again is 'duplicate'; a different one, queued or applied, is session_finished. Other
   * errors: unknown_session, amount_exceeds_authorized.
   */
  reportDispense(sessionId: string, report: DispenseReport): Promise<{ status: 'accepted' | 'duplicate' }>;
  laneStatus(laneId: string): Promise<LaneStatus>;
  /**
   * Starts a session by pairing (POST /v1/lanes/{laneId}/sessions, issue 16): idempotent on attemptId; waits,
   * bounded, for the payment to be created. Absent = the route is not offered.
   */
  startSession?(laneId: string, req: LaneStartRequest): Promise<LaneStartResult>;
}
