import { FakeClock } from '../../src/clock';
import type { CheckinEvent, EpaymentEvent } from '../../src/intake/event-types';
import { intakeEvent, type IntakeDeps } from '../../src/intake/intake';
import { IntakeUnavailableError } from '../../src/intake/intake-errors';
import { MemoryQueue } from '../support/memory-queue';
import { testLanes } from './lanes-fixture';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const checkin = (overrides: Partial<CheckinEvent> = {}): CheckinEvent => ({
  customerToken: 'dG9rZW4=',
  merchantQrId: 'lane-1',
  msn: '123456',
  initiatedAt: '2026-01-01T11:59:00.0000000Z',
  ...overrides,
});
const payment: EpaymentEvent = {
  msn: '123456',
  reference: 'lane-1-abcdef12',
  pspReference: 'psp-1',
  name: 'AUTHORIZED',
  amount: { currency: 'NOK', value: 4900 },
  timestamp: '2026-01-01T12:00:00.000Z',
  success: true,
};

function setup(overrides: Partial<IntakeDeps> = {}) {
  const clock = new FakeClock(NOW);
  const queue = new MemoryQueue(clock);
  const deps: IntakeDeps = {
    lanes: () => testLanes,
    queue,
    clock,
    checkinMaxAgeS: 120,
    resolveReference: async (ref) => (ref === payment.reference ? 'lane-1' : undefined),
    ...overrides,
  };
  return { queue, clock, deps };
}

describe('intakeEvent: check-ins', () => {
  it('enqueues a usable check-in in its lane group with the token in the payload', async () => {
    const { queue, deps } = setup();
    const out = await intakeEvent({ kind: 'checkin', event: checkin() }, deps);
    expect(out).toMatchObject({ kind: 'enqueued', laneId: 'lane-1', duplicate: false });
    const jobs = await queue.jobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      group: 'lane-1',
      type: 'checkin',
      dedupKey: expect.stringMatching(/^checkin:[0-9a-f]{64}$/),
    });
    expect(jobs[0]?.payload).toEqual({
      type: 'checkin',
      laneId: 'lane-1',
      key: jobs[0]?.dedupKey,
      msn: '123456',
      merchantQrId: 'lane-1',
      initiatedAt: '2026-01-01T11:59:00.0000000Z',
      customerToken: 'dG9rZW4=',
      receivedAt: '2026-01-01T12:00:00.000Z',
    });
  });

  it('leaves exactly one job when the same check-in is delivered twice', async () => {
    const { queue, deps } = setup();
    const first = await intakeEvent({ kind: 'checkin', event: checkin() }, deps);
    const second = await intakeEvent({ kind: 'checkin', event: checkin() }, deps);
    expect(second).toMatchObject({
      kind: 'enqueued',
      duplicate: true,
      key: first.kind === 'enqueued' ? first.key : '',
    });
    expect(await queue.jobs()).toHaveLength(1);
  });

  it.each([
    ['an unknown QR', checkin({ merchantQrId: 'nope' }), { reason: 'unknown_lane' }],
    ['a QR of another sales unit', checkin({ msn: '999999' }), { reason: 'unknown_lane' }],
    [
      'a disabled lane',
      checkin({ merchantQrId: 'lane-off' }),
      { reason: 'lane_disabled', laneId: 'lane-off' },
    ],
    [
      'a check-in 121 s old',
      checkin({ initiatedAt: '2026-01-01T11:57:59Z' }),
      { reason: 'stale_checkin', laneId: 'lane-1' },
    ],
    [
      'a check-in 31 s old on a lane with a 30 s cutoff',
      checkin({ merchantQrId: 'lane-strict', initiatedAt: '2026-01-01T11:59:29Z' }),
      { reason: 'stale_checkin', laneId: 'lane-strict' },
    ],
  ])('drops %s and enqueues nothing', async (_name, event, expected) => {
    const { queue, deps } = setup();
    expect(await intakeEvent({ kind: 'checkin', event }, deps)).toEqual({ kind: 'dropped', ...expected });
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('accepts a check-in exactly at the cutoff and one from slightly in the future', async () => {
    const { queue, deps } = setup();
    await intakeEvent({ kind: 'checkin', event: checkin({ initiatedAt: '2026-01-01T11:58:00Z' }) }, deps);
    await intakeEvent({ kind: 'checkin', event: checkin({ initiatedAt: '2026-01-01T12:00:05Z' }) }, deps);
    expect(await queue.jobs()).toHaveLength(2);
  });

  it('reads the lane registry per event, so a reload takes effect at once', async () => {
    let registry = testLanes;
    const { queue, deps } = setup({ lanes: () => registry });
    registry = { ...testLanes, byQr: () => undefined };
    expect(await intakeEvent({ kind: 'checkin', event: checkin() }, deps)).toMatchObject({
      reason: 'unknown_lane',
    });
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('reports a queue failure as IntakeUnavailableError queue_unavailable', async () => {
    const { queue, deps } = setup();
    queue.failEnqueue(new Error('connection refused'));
    await expect(intakeEvent({ kind: 'checkin', event: checkin() }, deps)).rejects.toMatchObject({
      name: 'IntakeUnavailableError',
      code: 'queue_unavailable',
      status: 503,
    });
  });
});

describe('intakeEvent: ePayment events', () => {
  it('enqueues an event in the lane its reference resolves to, keyed by reference|name|pspReference', async () => {
    const { queue, deps } = setup();
    const out = await intakeEvent({ kind: 'epayment', event: payment }, deps);
    expect(out).toMatchObject({ kind: 'enqueued', laneId: 'lane-1', duplicate: false });
    const [job] = await queue.jobs();
    expect(job).toMatchObject({
      group: 'lane-1',
      type: 'epayment-event',
      dedupKey: expect.stringMatching(/^epayment:[0-9a-f]{64}$/),
    });
    expect(job?.payload).toEqual({
      type: 'epayment-event',
      laneId: 'lane-1',
      key: job?.dedupKey,
      event: payment,
    });
  });

  it('passes a success:false event through to the worker', async () => {
    const { queue, deps } = setup();
    await intakeEvent({ kind: 'epayment', event: { ...payment, name: 'CAPTURED', success: false } }, deps);
    expect(await queue.jobs()).toHaveLength(1);
  });

  it('drops an event for a payment the gateway did not make as unknown_reference', async () => {
    const { queue, deps } = setup();
    const out = await intakeEvent(
      { kind: 'epayment', event: { ...payment, reference: 'someone-elses-ref' } },
      deps,
    );
    expect(out).toEqual({ kind: 'dropped', reason: 'unknown_reference' });
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('reports a failing reference lookup as store_unavailable', async () => {
    const { deps } = setup({ resolveReference: () => Promise.reject(new Error('db down')) });
    const err: unknown = await intakeEvent({ kind: 'epayment', event: payment }, deps).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntakeUnavailableError);
    expect(err).toMatchObject({ code: 'store_unavailable' });
  });
});
