// The sweeper on a FakeClock: a session whose timer jobs were lost (the process died between the step's
// commit and queuing them) is found past its deadline and its timers queued again; a timer whose job still
// exists is not duplicated. Time only moves when the test advances it.
import { FakeClock } from '../../src/clock';
import { createSweeper } from '../../src/sessions/sweeper';
import { silentLogger } from '../../src/log';
import { waitFor } from '../support/wait-for';
import { FAST_TIMING, openHarness, vending, type Harness } from './worker-harness';

const clock = new FakeClock(Date.now());
let h: Harness;
beforeAll(async () => {
  h = await openHarness({ clock });
});
afterAll(async () => {
  await h.close();
});

async function timerJobs(): Promise<string[]> {
  const { rows } = await h.db.query<{ dedup_key: string }>(
    "SELECT dedup_key FROM jobs WHERE type = 'timer' ORDER BY id",
  );
  return rows.map((r) => r.dedup_key);
}

it('re-queues the timers of a session whose timer jobs were lost, and the session moves on', async () => {
  const timing = { ...FAST_TIMING, firstPollS: 2 };
  const worker = h.startWorker({ timing });
  const scan = await h.scan(vending, { action: 'approve', afterMs: 1_000 });
  const created = await waitFor(
    async () => {
      const s = await h.session(scan.sessionId);
      return s?.paymentCreated && s.timers.poll !== undefined ? s : null;
    },
    { what: 'the payment to be created' },
  );
  await worker.stop();
  // The crash window: the step committed its timers, their jobs never reached the queue.
  await h.db.query("DELETE FROM jobs WHERE type = 'timer'");
  await h.db.query("DELETE FROM job_keys WHERE dedup_key LIKE '%.timer.%'");

  const sweeper = createSweeper({ db: h.db, queue: h.queue, clock, logger: silentLogger(), graceMs: 1_000 });
  expect(await sweeper.sweepOnce()).toEqual({ overdueSessions: 0, requeued: 0 });

  clock.advance(3_500); // past the first poll and the grace
  const swept = await sweeper.sweepOnce();
  expect(swept).toEqual({ overdueSessions: 1, requeued: Object.keys(created.timers).length });
  expect(await sweeper.sweepOnce()).toEqual({ overdueSessions: 1, requeued: 0 });

  h.startWorker({ timing });
  await h.waitForMessage(scan.sessionId, 'session.authorized');
  expect(await h.session(scan.sessionId)).toMatchObject({ state: 'authorized', authorizedValue: 10000 });
  expect(await sweeper.sweepOnce()).toEqual({ overdueSessions: 0, requeued: 0 });
});

it('does not duplicate a timer whose job is still queued; the job itself fires', async () => {
  await h.reset();
  const timing = FAST_TIMING;
  const worker = h.startWorker({ timing });
  const scan = await h.scan(vending, { action: 'approve', afterMs: 0 });
  await waitFor(async () => (await h.session(scan.sessionId))?.paymentCreated, { what: 'the payment' });
  clock.advance(100); // the first poll
  await h.waitForMessage(scan.sessionId, 'session.authorized');
  await worker.stop();
  const queued = await timerJobs();

  // The controller never reported: the lane's 60 s dispense timeout is long overdue.
  clock.advance((vending.dispenseTimeoutS ?? 60) * 1000 + 5_000);
  const sweeper = createSweeper({ db: h.db, queue: h.queue, clock, logger: silentLogger(), graceMs: 1_000 });
  expect(await sweeper.sweepOnce()).toEqual({ overdueSessions: 1, requeued: 0 });
  expect(await timerJobs()).toEqual(queued);

  // The worker's own sweeper runs at start too; the queued job cancels the reservation.
  h.startWorker({ timing, sweeper: { graceMs: 1_000, intervalMs: 60_000 } });
  const session = await h.waitForState(scan.sessionId, 'cancelled');
  expect(session.reason).toBe('dispense-timeout');
  expect((await h.payments())[0]).toMatchObject({ aggregate: { cancelledAmount: { value: 10000 } } });
});
