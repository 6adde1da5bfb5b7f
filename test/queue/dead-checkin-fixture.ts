// A check-in job as intake queues it (with a customer token), for the dead-letter tests of both queue adapters,
// and what the lane machine makes of it when it comes back from the dead letters.
import { checkinDedupKey } from '../../src/intake/dedup-keys';
import type { CheckinJobPayload } from '../../src/intake/job-payloads';
import type { EnqueueInput, Job } from '../../src/queue/queue';
import { jobInput } from '../../src/sessions/job-inputs';
import type { StepResult } from '../../src/sessions/types';
import { iso, LaneSim, TOKEN, vendingLane } from '../sessions/harness';

export { TOKEN };

/** A fresh check-in on vendingLane: its token is still usable for 15 minutes. */
export function checkinJob(nowMs: number): EnqueueInput & { readonly payload: CheckinJobPayload } {
  const event = {
    msn: vendingLane.msn,
    merchantQrId: vendingLane.merchantQrId,
    initiatedAt: iso(nowMs),
    customerToken: TOKEN,
  };
  const key = checkinDedupKey(event);
  return {
    group: vendingLane.id,
    type: 'checkin',
    dedupKey: key,
    payload: { type: 'checkin', laneId: vendingLane.id, key, ...event, receivedAt: iso(nowMs) },
  };
}

/** The job parsed as the worker parses it and applied to an idle vending lane at nowMs. */
export function replayed(job: Job, nowMs: number): StepResult {
  const { input } = jobInput(job);
  return new LaneSim(vendingLane, nowMs).apply(input);
}

/** What a replayed token-less check-in must come to: a dropped session, stale, and no payment asked for. */
export function expectDroppedStale(result: StepResult): void {
  expect(result.session).toMatchObject({ state: 'dropped', reason: 'stale', customerToken: null });
  expect(result.effects.map((e) => e.type)).not.toContain('create-payment');
  expect(JSON.stringify(result)).not.toContain(TOKEN);
}
