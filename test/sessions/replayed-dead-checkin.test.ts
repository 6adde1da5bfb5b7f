// A check-in that was dead-lettered and replayed by an operator (architecture §2: its token was erased when it
// died) is recorded as a session dropped `stale` and told to the lane; the worker asks Vipps for nothing.
import { PermanentJobError } from '../../src/queue/queue';
import { ERASED_CUSTOMER_TOKEN } from '../../src/sessions/checkin';
import { sessionIdFor } from '../../src/sessions/ids';
import { waitFor } from '../support/wait-for';
import { useWorkerHarness } from './use-worker-harness';
import { vending, type Harness } from './worker-harness';

let h: Harness;
useWorkerHarness((harness) => (h = harness));

it('a replayed dead check-in is dropped as stale and charges nothing', async () => {
  // A fresh scan: its token is good for 15 minutes, so only its erasure can stop the payment.
  const scan = h.emulator.scan({
    msn: vending.msn,
    merchantQrId: vending.merchantQrId,
    behavior: { action: 'approve', afterMs: 0 },
  });
  await h.enqueueCheckin(vending, scan);
  const failing = h.queue.consume(
    async () => {
      throw new PermanentJobError('the worker could not take it');
    },
    { concurrency: 1, pollIntervalMs: 10 },
  );
  const dead = await waitFor(async () => (await h.queue.deadJobs(1))[0], {
    what: 'the check-in to be dead-lettered',
  });
  await failing.stop();
  const row = await h.db.query<{ row: string }>('SELECT j::text AS row FROM jobs j');
  expect(row.rows.map((r) => r.row).join('\n')).not.toContain(scan.customerToken);

  h.startWorker();
  expect(await h.queue.replayDead(dead.id)).toBe(true);
  const id = sessionIdFor({
    msn: vending.msn,
    merchantQrId: vending.merchantQrId,
    initiatedAt: scan.initiatedAt,
    customerToken: ERASED_CUSTOMER_TOKEN,
  });
  const session = await h.waitForState(id, 'dropped');
  expect(session).toMatchObject({ reason: 'stale', customerToken: null, paymentCreated: false });
  const dropped = await h.waitForMessage(id, 'session.dropped');
  expect(dropped.data).toMatchObject({ reason: 'stale' });
  expect(await h.payments()).toEqual([]);
  expect((await h.queue.stats()).dead).toBe(0);
});
