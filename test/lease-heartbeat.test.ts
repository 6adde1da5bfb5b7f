// The lease heartbeat on its own (issue 13): renewals fenced by the end last written, a lease that is no
// longer ours is given up for good, and release hands the holder the fence for its last write.
import { FakeClock } from '../src/clock';
import { createLeaseHeartbeat, type LeaseHeartbeat } from '../src/lease-heartbeat';
import { capturingLogger } from './queue/queue-test-helpers';
import { waitFor } from './support/wait-for';

const heartbeats: LeaseHeartbeat[] = [];
afterEach(() => {
  for (const h of heartbeats.splice(0)) h.stop();
});

function heartbeat(renew: (key: string, from: Date, to: Date) => Promise<boolean>) {
  const clock = new FakeClock();
  const { logger, lines } = capturingLogger();
  const lost: string[] = [];
  const h = createLeaseHeartbeat({
    clock,
    logger,
    leaseMs: 1_000,
    intervalMs: 5,
    renew,
    what: 'thing',
    onLost: (key) => lost.push(key),
  });
  heartbeats.push(h);
  return { h, clock, lines, lost };
}

it('moves a held lease forward from the end it last wrote, and release returns the latest end', async () => {
  const ends = new Map<string, number>();
  const calls: Array<[number, number]> = [];
  const { h, clock } = heartbeat(async (key, from, to) => {
    calls.push([from.getTime(), to.getTime()]);
    if (ends.get(key) !== from.getTime()) return false;
    ends.set(key, to.getTime());
    return true;
  });
  const start = clock.now().getTime();
  ends.set('a', start + 1_000);
  h.hold('a', new Date(start + 1_000));
  clock.advance(500);
  await waitFor(() => ends.get('a') === start + 1_500, { what: 'a renewal to now + lease' });
  clock.advance(500);
  await waitFor(() => ends.get('a') === start + 2_000, { what: 'the next renewal, fenced by the last' });

  expect((await h.release('a'))?.getTime()).toBe(ends.get('a'));
  expect(calls.slice(0, 1)).toEqual([[start + 1_000, start + 1_500]]);
  expect(h.size).toBe(0);
});

it('gives up a lease whose renewal finds it taken over, and tells the holder', async () => {
  const { h, clock, lines, lost } = heartbeat(async () => false);
  h.hold('b', new Date(clock.now().getTime() + 1_000));
  await waitFor(() => lost.length === 1, { what: 'the lease to be lost' });

  expect(lost).toEqual(['b']);
  expect(await h.release('b')).toBeNull();
  expect(lines.some((l) => l.includes('thing lease lost') && l.includes('taken over'))).toBe(true);
});

it('gives up a lease whose renewal failed: whether it landed is unknown', async () => {
  const { h, clock, lines } = heartbeat(async () => {
    throw new Error('connection lost');
  });
  h.hold('c', new Date(clock.now().getTime() + 1_000));
  await waitFor(() => h.size === 0, { what: 'the lease to be given up' });

  expect(await h.release('c')).toBeNull();
  expect(lines.some((l) => l.includes('renewal failed') && l.includes('connection lost'))).toBe(true);
});

it('refuses a heartbeat that is not shorter than the lease', () => {
  const { logger } = capturingLogger();
  expect(() =>
    createLeaseHeartbeat({
      clock: new FakeClock(),
      logger,
      leaseMs: 1_000,
      intervalMs: 1_000,
      renew: async () => true,
      what: 'thing',
    }),
  ).toThrow(RangeError);
});
