// Timer jobs and the step that arms them. With the postgres queue on the store's own database (Queue.jobsIn),
// a step's timer jobs commit in its own transaction and the instants it gives up are withdrawn, so the jobs
// table holds exactly the timers sessions hold. With a queue elsewhere (only the port: enqueue, consume,
// stats, as SQS offers), armed timers are queued after the commit and superseded ones stay, to fire as stale.
import type { Queue } from '../../src/queue/queue';
import { timerJobId } from '../../src/sessions/ids';
import type { Session } from '../../src/sessions/types';
import { waitFor } from '../support/wait-for';
import { openHarness, vending, type Harness } from './worker-harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  await h.reset();
});

// Long enough that no timer fires during a test: what the table holds is what the steps wrote.
const SLOW_TIMERS = { firstPollS: 60, pollEveryS: 60, dispenseTimeoutS: 60 };

/** The timer jobs queued for a session, and every timer dedup key it still has, as sorted keys. */
async function timerRows(sessionId: string): Promise<{ jobs: string[]; keys: string[] }> {
  const like = `${sessionId}.timer.%`;
  const jobs = await h.db.query<{ k: string }>(
    "SELECT dedup_key AS k FROM jobs WHERE dedup_key LIKE $1 AND state = 'ready' ORDER BY 1",
    [like],
  );
  const keys = await h.db.query<{ k: string }>(
    'SELECT dedup_key AS k FROM job_keys WHERE dedup_key LIKE $1 ORDER BY 1',
    [like],
  );
  return { jobs: jobs.rows.map((r) => r.k), keys: keys.rows.map((r) => r.k) };
}

const heldKeys = (s: Session): string[] =>
  Object.entries(s.timers)
    .map(([name, at]) => timerJobId(s.id, name, at))
    .sort();

async function authorizedSession(): Promise<Session> {
  h.bridgeWebhooks();
  const scan = await h.scan(vending);
  await h.waitForMessage(scan.sessionId, 'session.authorized');
  return h.waitForState(scan.sessionId, 'authorized');
}

it('with the queue in the store: the jobs table holds exactly the timers the session holds', async () => {
  h.startWorker({ timing: SLOW_TIMERS });
  const session = await authorizedSession();
  // Creating the payment armed a poll and the payment deadline; authorization gave both up for the
  // dispense timeout. The keys of the withdrawn jobs went with them.
  expect(Object.keys(session.timers)).toEqual(['dispense-timeout']);
  const held = heldKeys(session);
  await waitFor(
    async () => JSON.stringify(await timerRows(session.id)) === JSON.stringify({ jobs: held, keys: held }),
    {
      what: 'only the held timer queued',
    },
  );

  await h.service.reportDispense(session.id, { result: 'dispensed', amount: 2500 });
  await h.waitForState(session.id, 'completed');
  expect(await timerRows(session.id)).toEqual({ jobs: [], keys: [] });
});

it('with a queue elsewhere: armed timers are queued after the commit, superseded ones stay', async () => {
  const portOnly: Queue = {
    enqueue: (input) => h.queue.enqueue(input),
    consume: (handler, options) => h.queue.consume(handler, options),
    stats: () => h.queue.stats(),
  };
  h.startWorker({ timing: SLOW_TIMERS, queue: portOnly });
  const session = await authorizedSession();
  const held = heldKeys(session);
  const nameOf = (key: string) => key.split('.timer.')[1]?.split('.')[0];
  const { jobs } = await waitFor(
    async () => {
      const rows = await timerRows(session.id);
      return held.every((k) => rows.jobs.includes(k)) ? rows : null;
    },
    { what: 'the held timer queued' },
  );
  // The poll and payment deadline that authorization gave up are still queued (they will fire as stale).
  expect(jobs.map(nameOf)).toEqual(expect.arrayContaining(['poll', 'payment-deadline', 'dispense-timeout']));
  expect(jobs.length).toBeGreaterThan(held.length);
});
