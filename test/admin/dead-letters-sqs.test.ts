// The dead-letter service with the SQS queue (QUEUE=sqs), against fauxqs and a real PGlite: dead jobs in the
// FIFO dead-letter queue are listed as `job-sqs-<MessageId>`, replayed into the intake queue once, a dead
// check-in (its token erased when it died) is recorded stale and never re-sent, discard deletes; every action
// is audited.
import type { AuditContext } from '../../src/admin/audit';
import { createDeadLetterService, type DeadLetterService } from '../../src/admin/dead-letters';
import { systemClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { type Job, PermanentJobError } from '../../src/queue/queue';
import type { SqsQueue } from '../../src/queue/sqs-queue';
import type { SqsQueueUrls } from '../../src/queue/sqs-setup';
import type { Database } from '../../src/store/sql';
import { testLanes } from '../intake/lanes-fixture';
import { checkinJob, TOKEN } from '../queue/dead-checkin-fixture';
import { waitFor } from '../queue/queue-test-helpers';
import type { Fauxqs } from '../queue/sqs-fauxqs';
import { useFauxqsQueues } from '../queue/use-fauxqs-queues';
import { useTestDatabase } from '../support/use-test-database';

let db: Database;
useTestDatabase((d) => (db = d));

let sqs: Fauxqs;
const { consumers, setup } = useFauxqsQueues({ backoff: { baseMs: 0, maxMs: 0 } }, (s) => (sqs = s));

interface Rig {
  readonly queue: SqsQueue;
  readonly urls: SqsQueueUrls;
  readonly service: DeadLetterService;
  /** Every delivery the worker saw. */
  readonly seen: Job[];
}

/** An SqsQueue on fresh queues, a worker that refuses each job's first delivery for good, the service. */
async function rig(): Promise<Rig> {
  const { queue, urls } = await setup();
  const seen: Job[] = [];
  const refused = new Set<string>();
  consumers.push(
    queue.consume(
      async (j) => {
        seen.push(j);
        if (!refused.has(j.dedupKey)) {
          refused.add(j.dedupKey);
          throw new PermanentJobError(`refused ${j.type}`);
        }
      },
      { concurrency: 2 },
    ),
  );
  const audit: AuditContext = { db, clock: systemClock, logger: silentLogger() };
  const service = createDeadLetterService({
    db,
    clock: systemClock,
    lanes: () => testLanes,
    queue,
    checkinMaxAgeS: 120,
    resolveReference: async () => undefined,
    audit,
  });
  return { queue, urls, service, seen };
}

async function dead(r: Rig, n: number): Promise<void> {
  await waitFor('dead-lettered', async () => (await r.queue.stats()).dead === n, 10_000);
}

const inDlq = async (urls: SqsQueueUrls) => (await sqs.peek(urls.dlqUrl, 0, 0)).length;

async function audits() {
  return (
    await db.query<{ operator: string; action: string; target: string; outcome: string }>(
      'SELECT operator, action, target, outcome FROM admin_audit ORDER BY id',
    )
  ).rows;
}

it('lists a dead job of the DLQ as job-sqs-<MessageId>, and listing leaves it in the DLQ', async () => {
  const r = await rig();
  await r.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: { sessionId: 's' } });
  await dead(r, 1);

  const page = await r.service.list({ kind: 'job' });
  expect(page.partial).toBeUndefined();
  expect(page.nextCursor).toBeNull();
  expect(page.deadLetters).toHaveLength(1);
  const [letter] = page.deadLetters;
  expect(letter?.id).toMatch(/^job-sqs-[A-Za-z0-9-]+$/);
  expect(letter).toMatchObject({
    kind: 'job',
    reason: 'job_dead',
    detail: 'PermanentJobError: refused timer',
    laneId: 'lane-1',
    eventType: 'timer',
    attempts: 1,
    state: 'open',
    resolvedAt: null,
  });
  expect((await r.service.list()).deadLetters.map((l) => l.id)).toEqual([letter?.id]);
  expect(await r.service.list({ kind: 'job', laneId: 'lane-2' })).toEqual({
    deadLetters: [],
    nextCursor: null,
  });
  expect(await r.service.counts()).toEqual({ intake: 0, job: 1, 'lane-message': 0 });
  expect(await inDlq(r.urls)).toBe(1);
});

it('replay sends the job back to the intake queue and out of the DLQ; replaying twice does nothing twice', async () => {
  const r = await rig();
  await r.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: { sessionId: 's' } });
  await dead(r, 1);
  const id = (await r.service.list()).deadLetters[0]?.id ?? '';

  const [first] = await r.service.replay([id], 'ops-anna');
  expect(first).toEqual({ id, outcome: 'replayed', jobId: id.slice('job-sqs-'.length) });
  await waitFor('received again', () => r.seen.length === 2, 10_000);
  expect(r.seen[1]).toMatchObject({ group: 'lane-1', type: 'timer', dedupKey: 't-1' });
  expect(await inDlq(r.urls)).toBe(0);
  expect((await r.service.list()).deadLetters).toEqual([]);

  const [second] = await r.service.replay([id], 'ops-bob');
  expect(second).toMatchObject({ id, outcome: 'already_replayed', resolvedBy: 'ops-anna' });
  await waitFor('intake drained', async () => {
    const s = await r.queue.stats();
    return s.ready === 0 && s.inFlight === 0;
  });
  expect(r.seen).toHaveLength(2);
  expect(await audits()).toEqual([
    { operator: 'ops-anna', action: 'dead-letter.replay', target: id, outcome: 'replayed' },
    { operator: 'ops-bob', action: 'dead-letter.replay', target: id, outcome: 'already_replayed' },
  ]);
});

it('a dead check-in without its token is recorded stale, never re-sent, and leaves the DLQ', async () => {
  const r = await rig();
  await r.queue.enqueue(checkinJob(Date.now()));
  await dead(r, 1);
  const page = await r.service.list();
  const [letter] = page.deadLetters;
  expect(letter).toMatchObject({ eventType: 'checkin', qr: { msn: expect.any(String) } });
  expect(JSON.stringify(page)).not.toContain(TOKEN);
  const id = letter?.id ?? '';

  expect(await r.service.replay([id], 'ops-anna')).toEqual([{ id, outcome: 'stale' }]);
  expect(await inDlq(r.urls)).toBe(0);
  expect(await r.queue.stats()).toMatchObject({ ready: 0, inFlight: 0, dead: 0 });
  expect(r.seen).toHaveLength(1);
  expect(await r.service.replay([id], 'ops-anna')).toEqual([
    expect.objectContaining({ id, outcome: 'already_stale' }),
  ]);
  const { rows } = await db.query<{ resolution: string; detail: string }>(
    'SELECT resolution, detail FROM dead_letter_resolutions WHERE letter_id = $1',
    [id],
  );
  expect(rows).toEqual([{ resolution: 'stale', detail: 'a dead check-in keeps no customer token' }]);
});

it('discard deletes the message from the DLQ and records it; unknown and foreign ids are refused', async () => {
  const r = await rig();
  await r.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: { sessionId: 's' } });
  await dead(r, 1);
  const id = (await r.service.list()).deadLetters[0]?.id ?? '';

  const unknown = 'job-sqs-00000000-0000-0000-0000-000000000000';
  expect(await r.service.discard([unknown], 'ops-anna')).toEqual([{ id: unknown, outcome: 'not_found' }]);
  expect(await r.service.replay([unknown], 'ops-anna')).toEqual([{ id: unknown, outcome: 'not_found' }]);
  await expect(r.service.replay(['job-sqs-a b'], 'ops-anna')).rejects.toMatchObject({
    code: 'invalid_dead_letter_id',
  });
  expect(await inDlq(r.urls)).toBe(1);

  expect(await r.service.discard([id], 'ops-anna')).toEqual([{ id, outcome: 'discarded' }]);
  expect(await inDlq(r.urls)).toBe(0);
  expect(await r.service.replay([id], 'ops-bob')).toEqual([
    expect.objectContaining({ id, outcome: 'already_discarded', resolvedBy: 'ops-anna' }),
  ]);
  expect(r.seen).toHaveLength(1);
  expect((await r.service.list({ state: 'all' })).deadLetters).toEqual([]);
  expect(await r.service.counts()).toEqual({ intake: 0, job: 0, 'lane-message': 0 });
});

it("says the page is partial while a lane's later dead jobs are behind its oldest (FIFO)", async () => {
  const r = await rig();
  await r.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: {} });
  await r.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-2', payload: {} });
  await dead(r, 2);
  const page = await r.service.list();
  // fauxqs hands out one message per held group (real SQS may return both in one batch: then not partial).
  expect(page.deadLetters).toHaveLength(1);
  expect(page.partial).toBe(true);
  const oldest = page.deadLetters.at(-1)?.id ?? '';
  expect(await r.service.discard([oldest], 'ops-anna')).toEqual([{ id: oldest, outcome: 'discarded' }]);
  const rest = await r.service.list();
  expect(rest.partial).toBeUndefined();
  expect(rest.deadLetters).toHaveLength(1);
});
