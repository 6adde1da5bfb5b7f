// Decides what a verified, parsed event becomes: a job in its lane's queue group, or a drop with a reason.
// Genuine but useless events are dropped with a 2xx (architecture §1): a 4xx would be retried for 7 days.
import type { Clock } from '../clock';
import type { LaneRegistry } from '../lanes/lane';
import type { Queue } from '../queue/queue';
import { checkinDedupKey, epaymentDedupKey } from './dedup-keys';
import { orUnavailable } from './intake-errors';
import type { CheckinEvent, EpaymentEvent, VippsEvent } from './event-types';
import {
  CHECKIN_JOB,
  EPAYMENT_EVENT_JOB,
  type CheckinJobPayload,
  type EpaymentJobPayload,
} from './job-payloads';

export type IntakeDropReason = 'unknown_lane' | 'lane_disabled' | 'stale_checkin' | 'unknown_reference';

export type IntakeOutcome =
  | {
      readonly kind: 'enqueued';
      readonly laneId: string;
      readonly key: string;
      readonly jobId: string;
      /** The same event was already queued (a Vipps retry): nothing new was written. */
      readonly duplicate: boolean;
    }
  | { readonly kind: 'dropped'; readonly reason: IntakeDropReason; readonly laneId?: string };

export interface IntakeDeps {
  readonly lanes: () => LaneRegistry;
  readonly queue: Queue;
  readonly clock: Clock;
  /** Default cutoff for a check-in's age (CHECKIN_MAX_AGE_S); a lane's `checkinMaxAgeS` overrides it. */
  readonly checkinMaxAgeS: number;
  /** Maps an ePayment `reference` to the lane whose session created it; undefined for foreign payments. */
  readonly resolveReference: (reference: string) => Promise<string | undefined>;
}

async function intakeCheckin(e: CheckinEvent, deps: IntakeDeps): Promise<IntakeOutcome> {
  const lane = deps.lanes().byQr(e.msn, e.merchantQrId);
  if (!lane) return { kind: 'dropped', reason: 'unknown_lane' };
  if (!lane.enabled) return { kind: 'dropped', reason: 'lane_disabled', laneId: lane.id };
  const now = deps.clock.now();
  const maxAgeS = lane.checkinMaxAgeS ?? deps.checkinMaxAgeS;
  // A check-in from the future (clock drift) is not stale; the token's 15 minutes started at the scan anyway.
  if (now.getTime() - Date.parse(e.initiatedAt) > maxAgeS * 1000)
    return { kind: 'dropped', reason: 'stale_checkin', laneId: lane.id };

  const key = checkinDedupKey(e);
  const payload: CheckinJobPayload = {
    type: CHECKIN_JOB,
    laneId: lane.id,
    key,
    msn: e.msn,
    merchantQrId: e.merchantQrId,
    initiatedAt: e.initiatedAt,
    customerToken: e.customerToken,
    receivedAt: now.toISOString(),
  };
  const r = await orUnavailable('queue_unavailable', () =>
    deps.queue.enqueue({ group: lane.id, type: CHECKIN_JOB, dedupKey: key, payload }),
  );
  return { kind: 'enqueued', laneId: lane.id, key, jobId: r.id, duplicate: r.duplicate };
}

async function intakeEpayment(e: EpaymentEvent, deps: IntakeDeps): Promise<IntakeOutcome> {
  // A disabled lane still gets its payment events: a session in flight must be able to finish.
  const laneId = await orUnavailable('store_unavailable', () => deps.resolveReference(e.reference));
  if (laneId === undefined) return { kind: 'dropped', reason: 'unknown_reference' };
  const key = epaymentDedupKey(e);
  const payload: EpaymentJobPayload = { type: EPAYMENT_EVENT_JOB, laneId, key, event: e };
  const r = await orUnavailable('queue_unavailable', () =>
    deps.queue.enqueue({ group: laneId, type: EPAYMENT_EVENT_JOB, dedupKey: key, payload }),
  );
  return { kind: 'enqueued', laneId, key, jobId: r.id, duplicate: r.duplicate };
}

/**
 * Resolves only once the job is durable (the queue's enqueue resolved). Throws IntakeUnavailableError when the
 * queue or the reference lookup fails.
 */
export function intakeEvent(value: VippsEvent, deps: IntakeDeps): Promise<IntakeOutcome> {
  return value.kind === 'checkin' ? intakeCheckin(value.event, deps) : intakeEpayment(value.event, deps);
}
