// Dead queue jobs and lane messages given up on, as dead letters: listed with their lane and error, replayed
// through the queue's own replayDead / made due again in the outbox, discarded; a dead check-in (its token
// erased when it died) is never replayed into a payment.
import { PermanentJobError } from '../../src/queue/queue';
import { addToOutbox, listOutbox, markFailed } from '../../src/store/outbox-repo';
import type { Database } from '../../src/store/sql';
import { checkinJob } from '../queue/dead-checkin-fixture';
import { sessionMessages } from '../sessions/session-messages';
import { checkinPayload } from '../support/signed-request';
import { useTestDatabase } from '../support/use-test-database';
import { waitFor } from '../support/wait-for';
import { deadLetterRig, type DeadLetterRig } from './dead-letters-harness';

let db: Database;
let rig: DeadLetterRig;
const stops: (() => Promise<void>)[] = [];
useTestDatabase((d) => (db = d));
beforeEach(() => {
  rig = deadLetterRig(db);
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Runs the queue's consumer with a handler that refuses every job for good, until `n` jobs are dead. */
async function killJobs(n: number): Promise<void> {
  const consumer = rig.queue.consume(
    async (job) => {
      throw new PermanentJobError(`job ${job.id} refused by the test`);
    },
    { concurrency: 1, pollIntervalMs: 5 },
  );
  await waitFor(async () => (await rig.queue.stats()).dead === n);
  await consumer.stop();
}

describe('dead jobs', () => {
  it('are listed with lane, type, attempts and error; replay makes the job ready again, once', async () => {
    await rig.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: { sessionId: 's' } });
    await killJobs(1);
    const [letter] = (await rig.service.list()).deadLetters;
    expect(letter).toEqual({
      id: 'job-1',
      kind: 'job',
      at: '2026-01-01T12:00:00.000Z',
      reason: 'job_dead',
      detail: 'PermanentJobError: job 1 refused by the test',
      laneId: 'lane-1',
      eventType: 'timer',
      qr: null,
      attempts: 1,
      state: 'open',
      resolvedAt: null,
      resolvedBy: null,
      replayableUntil: null,
    });
    expect(await rig.service.counts()).toEqual({ intake: 0, job: 1, 'lane-message': 0 });

    expect(await rig.service.replay(['job-1'], 'alice')).toEqual([
      { id: 'job-1', outcome: 'replayed', jobId: '1' },
    ]);
    expect((await rig.jobs()).map((j) => [j.id, j.state])).toEqual([['1', 'ready']]);
    expect(await rig.service.replay(['job-1'], 'alice')).toEqual([
      {
        id: 'job-1',
        outcome: 'already_replayed',
        resolvedAt: '2026-01-01T12:00:00.000Z',
        resolvedBy: 'alice',
      },
    ]);
    expect(await rig.service.counts()).toEqual({ intake: 0, job: 0, 'lane-message': 0 });

    // It dies again later: open again, and replayable again (the operator fixed something else).
    rig.h.clock.advance(60_000);
    await killJobs(1);
    expect((await rig.service.list()).deadLetters.map((l) => [l.id, l.state])).toEqual([['job-1', 'open']]);
    expect(await rig.service.replay(['job-1'], 'bob')).toEqual([
      { id: 'job-1', outcome: 'replayed', jobId: '1' },
    ]);
    expect(await rig.audits()).toEqual([
      { operator: 'alice', action: 'dead-letter.replay', target: 'job-1', outcome: 'replayed' },
      { operator: 'alice', action: 'dead-letter.replay', target: 'job-1', outcome: 'already_replayed' },
      { operator: 'bob', action: 'dead-letter.replay', target: 'job-1', outcome: 'replayed' },
    ]);
  });

  it('a dead check-in has no token left: recorded stale and left dead, never queued into a payment', async () => {
    await rig.queue.enqueue(checkinJob(rig.h.clock.now().getTime()));
    await killJobs(1);
    const [letter] = (await rig.service.list()).deadLetters;
    expect(letter).toMatchObject({ id: 'job-1', eventType: 'checkin', qr: { msn: '123456' } });
    expect(await rig.service.replay(['job-1'], 'alice')).toEqual([{ id: 'job-1', outcome: 'stale' }]);
    expect((await rig.jobs()).map((j) => j.state)).toEqual(['dead']);
    expect((await rig.service.list()).deadLetters).toEqual([]);
    expect((await rig.service.list({ state: 'stale' })).deadLetters.map((l) => l.id)).toEqual(['job-1']);
  });

  it('discard hides a dead job and keeps its row', async () => {
    await rig.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: {} });
    await killJobs(1);
    expect(await rig.service.discard(['job-1'], 'carol')).toEqual([{ id: 'job-1', outcome: 'discarded' }]);
    expect((await rig.service.list()).deadLetters).toEqual([]);
    expect((await rig.jobs()).map((j) => j.state)).toEqual(['dead']);
    expect(await rig.service.replay(['job-1'], 'carol')).toEqual([
      {
        id: 'job-1',
        outcome: 'already_discarded',
        resolvedAt: '2026-01-01T12:00:00.000Z',
        resolvedBy: 'carol',
      },
    ]);
  });
});

describe('lane messages given up on', () => {
  const messages = sessionMessages('lane-1', `s_${'a'.repeat(32)}`);
  const first = messages[0]!;

  beforeEach(async () => {
    await addToOutbox(db, messages, rig.h.clock.now());
    await markFailed(db, first.id, rig.h.clock.now(), 'ChannelDeliveryError: 410 Gone');
  });

  it('are listed; replay makes the message pending and due now and wakes the dispatcher', async () => {
    const id = `lane-message-${first.id}`;
    expect((await rig.service.list()).deadLetters).toEqual([
      expect.objectContaining({
        id,
        kind: 'lane-message',
        reason: 'delivery_refused',
        detail: 'ChannelDeliveryError: 410 Gone',
        laneId: 'lane-1',
        eventType: 'session.checked-in',
        attempts: 1,
      }),
    ]);
    rig.h.clock.advance(5_000);
    expect(await rig.service.replay([id], 'alice')).toEqual([{ id, outcome: 'replayed' }]);
    const [row] = await listOutbox(db, 'lane-1');
    expect(row).toMatchObject({
      id: first.id,
      failedAt: null,
      nextAttemptAt: new Date('2026-01-01T12:00:05Z'),
    });
    expect(rig.wakes()).toBe(1);
    expect(await rig.service.replay([id], 'alice')).toEqual([
      { id, outcome: 'already_replayed', resolvedAt: '2026-01-01T12:00:05.000Z', resolvedBy: 'alice' },
    ]);
    expect(rig.wakes()).toBe(1);
  });

  it('the three kinds list together, newest first, and page across kinds', async () => {
    rig.h.clock.advance(1_000);
    await rig.h.send(rig.h.sign(checkinPayload({ merchantQrId: 'x' })));
    rig.h.clock.advance(1_000);
    await rig.queue.enqueue({ group: 'lane-1', type: 'timer', dedupKey: 't-1', payload: {} });
    await killJobs(1);
    const all = (await rig.service.list()).deadLetters.map((l) => l.id);
    expect(all).toEqual(['job-1', 'intake-1', `lane-message-${first.id}`]);
    const one = await rig.service.list({ limit: 1 });
    const two = await rig.service.list({ limit: 1, cursor: one.nextCursor ?? '' });
    const three = await rig.service.list({ limit: 1, cursor: two.nextCursor ?? '' });
    expect([...one.deadLetters, ...two.deadLetters, ...three.deadLetters].map((l) => l.id)).toEqual(all);
    expect(three.nextCursor).toBeNull();
    expect((await rig.service.list({ kind: 'lane-message' })).deadLetters).toHaveLength(1);
  });
});
