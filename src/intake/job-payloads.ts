// What intake puts on the queue for the worker (architecture §1). Group = lane id.
import type { EpaymentEvent } from './event-types';

export const CHECKIN_JOB = 'checkin';
export const EPAYMENT_EVENT_JOB = 'epayment-event';

export interface CheckinJobPayload {
  readonly type: typeof CHECKIN_JOB;
  readonly laneId: string;
  /** The dedup key, also usable as a stable id for the check-in. */
  readonly key: string;
  readonly msn: string;
  readonly merchantQrId: string;
  readonly initiatedAt: string;
  /** The worker needs it to create the payment; it must never be logged. */
  readonly customerToken: string;
  /** ISO time intake accepted the delivery. */
  readonly receivedAt: string;
}

export interface EpaymentJobPayload {
  readonly type: typeof EPAYMENT_EVENT_JOB;
  readonly laneId: string;
  readonly key: string;
  readonly event: EpaymentEvent;
}

export type IntakeJobPayload = CheckinJobPayload | EpaymentJobPayload;
