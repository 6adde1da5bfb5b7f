// An embedded gateway restarted after kill -9 takes back at once what its dead predecessor had leased.
import { FakeClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import { releaseStaleLeases } from '../../src/store/release-stale-leases';
import { addToOutbox, claimLaneHead, claimDueHeads } from '../../src/store/outbox-repo';
import { claimDueSettlements, seedSettlementStatement } from '../../src/store/settlements-repo';
import type { Database } from '../../src/store/sql';
import { useTestDatabase } from '../support/use-test-database';
import { waitFor } from '../support/wait-for';

let db: Database;
let clock: FakeClock;
let queue: PostgresQueue;

useTestDatabase((opened) => (db = opened));
beforeEach(async () => {
  clock = new FakeClock();
  queue = new PostgresQueue({
    sql: db,
    clock,
    logger: silentLogger(),
    maxAttempts: 5,
    backoff: { baseMs: 1000, maxMs: 60_000 },
  });
});

const message = {
  id: 's_1.dropped',
  v: 1,
  type: 'session.dropped',
  laneId: 'vend-1',
  sessionId: 's_1',
  at: '2026-01-01T12:00:00.000Z',
  data: { reason: 'busy' },
} as const;

it('makes a job leased by a dead process claimable now, its delivery counted', async () => {
  await queue.enqueue({ group: 'vend-1', type: 'checkin', dedupKey: 'k1', payload: {} });
  const leaseUntil = new Date(clock.now().getTime() + 30_000);
  await db.query("UPDATE jobs SET state = 'leased', attempt = 1, lease_until = $1, leased_by = 'dead:1'", [
    leaseUntil,
  ]);

  const released = await releaseStaleLeases(db, clock.now());

  expect(released).toEqual({ jobs: 1, laneMessages: 0, settlements: 0 });
  const handled: number[] = [];
  const consumer = queue.consume(async (job) => void handled.push(job.attempt), { concurrency: 1 });
  await waitFor(() => handled.length > 0);
  await consumer.stop();
  expect(handled).toEqual([2]);
});

it('frees a lane message leased by a dead dispatcher so its lane is delivered again at once', async () => {
  const now = clock.now();
  await addToOutbox(db, [message, { ...message, id: 's_2.dropped', sessionId: 's_2' }], now);
  expect(await claimLaneHead(db, 'vend-1', now, new Date(now.getTime() + 120_000))).not.toBeNull();
  expect(await claimDueHeads(db, now, 10, [], now)).toEqual([]);

  const released = await releaseStaleLeases(db, now);

  expect(released).toEqual({ jobs: 0, laneMessages: 1, settlements: 0 });
  const heads = await claimDueHeads(db, now, 10, [], now);
  expect(heads.map((h) => h.id)).toEqual(['s_1.dropped']);
});

it('frees a settlement leased by a dead runner so the money is worked again at once', async () => {
  const now = clock.now();
  const seed = {
    sessionId: `s_${'ab'.repeat(16)}`,
    laneId: 'vend-1',
    msn: '123456',
    reference: 'cgvend1-abababababababababababab',
    kind: 'vending' as const,
    currency: 'NOK' as const,
    paymentCreatedAt: now.toISOString(),
    soldValue: 2500,
    authorizedValue: 10000,
    capturedValue: 0,
    cancelledValue: 0,
    owed: true,
  };
  await db.batch([seedSettlementStatement(seed, now)]);
  expect((await claimDueSettlements(db, now, 120_000, 10)).map((s) => s.reference)).toEqual([seed.reference]);
  expect(await claimDueSettlements(db, now, 120_000, 10)).toEqual([]);

  const released = await releaseStaleLeases(db, now);

  expect(released).toEqual({ jobs: 0, laneMessages: 0, settlements: 1 });
  expect((await claimDueSettlements(db, now, 120_000, 10)).map((s) => s.reference)).toEqual([seed.reference]);
});
