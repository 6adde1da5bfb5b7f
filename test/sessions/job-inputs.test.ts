// Queue jobs into machine inputs: an ePayment event whose name this gateway does not know (issue 12).
import type { Job } from '../../src/queue/queue';
import { PermanentJobError } from '../../src/queue/queue';
import { jobInput } from '../../src/sessions/job-inputs';
import type { Input } from '../../src/sessions/types';
import { checkinFor, LaneSim, T0, vendingLane } from './harness';

function eventJob(event: Record<string, unknown>): Job {
  return {
    id: 'job-1',
    group: vendingLane.id,
    type: 'epayment-event',
    dedupKey: 'epayment:1',
    payload: { type: 'epayment-event', laneId: vendingLane.id, event },
    attempt: 1,
    enqueuedAt: new Date(T0),
  };
}

const event = (reference: string, name: unknown) => ({
  msn: vendingLane.msn,
  reference,
  pspReference: 'psp-9',
  name,
  amount: { currency: 'NOK', value: 10000 },
  timestamp: new Date(T0).toISOString(),
  success: true,
});

/** A vending session waiting for the customer to approve. */
function waitingSession(): LaneSim {
  const sim = new LaneSim(vendingLane, T0);
  sim.apply(checkinFor(vendingLane, T0));
  sim.apply(sim.by('payment-created'));
  return sim;
}

describe('an epayment-event job with a name this gateway does not know', () => {
  it('is parsed, not dead-lettered as malformed', () => {
    const { laneId, input } = jobInput(eventJob(event('ref-1', 'PARTIALLY_SETTLED')));
    expect(laneId).toBe(vendingLane.id);
    expect(input).toMatchObject({ type: 'epayment-event', reference: 'ref-1', name: 'PARTIALLY_SETTLED' });
  });

  it('neither fails nor ends an open session: it is ignored, and the payment is read', () => {
    const sim = waitingSession();
    const before = sim.session;
    const { input } = jobInput(eventJob(event(before.reference, 'PARTIALLY_SETTLED')));
    const result = sim.apply(input);
    expect(result.outcome.kind).toBe('ignored');
    expect(sim.session.state).toBe(before.state);
    expect(result.effects.map((e) => e.type)).toContain('get-payment');
  });

  it('still dead-letters an event without a name, or with a name that is not a word', () => {
    for (const name of [undefined, '', 7]) {
      expect(() => jobInput(eventJob(event('ref-1', name)))).toThrow(PermanentJobError);
      expect(() => jobInput(eventJob(event('ref-1', name)))).toThrow('payload field event.name');
    }
  });

  it('reads a known name as before', () => {
    const { input } = jobInput(eventJob(event('ref-1', 'AUTHORIZED')));
    expect((input as Extract<Input, { type: 'epayment-event' }>).name).toBe('AUTHORIZED');
  });
});
