// Store target (c): a real Postgres server at TEST_DATABASE_URL (`.ci/run` starts one from Debian's packages),
// each test file on a database of its own. Besides the suites every store passes, what only a server with
// many connections can show: instances migrating one database at once, and consumers racing on separate pools.
import { FakeClock } from '../../../src/clock';
import { silentLogger } from '../../../src/log';
import { PostgresQueue } from '../../../src/queue/postgres-queue';
import type { Job } from '../../../src/queue/queue';
import { migrate } from '../../../src/store/migrate';
import { migrations } from '../../../src/store/migrations';
import { openPostgres } from '../../../src/store/pg';
import type { Database } from '../../../src/store/sql';
import { waitFor } from '../../queue/queue-test-helpers';
import {
  createScratchDatabase,
  describeStore,
  openAnotherPool,
  postgresServerTarget,
} from '../../support/store-targets';
import { defineStoreSuites } from './store-suites';

describeStore(postgresServerTarget, (db, opened) => {
  defineStoreSuites(db);

  describe('several instances on one server', () => {
    it('migrates an empty database from five pools at once, each migration exactly once, without error', async () => {
      const scratch = await createScratchDatabase();
      const pools: Database[] = [];
      try {
        for (let i = 0; i < 5; i++) pools.push(await openPostgres(scratch.url, { max: 2 }));
        const applied = await Promise.all(pools.map((pool) => migrate(pool)));
        const ids = migrations.map((m) => m.id);
        expect(applied.flat().sort((a, b) => a - b)).toEqual(ids);
        // The advisory lock serialises them: whoever got it first did everything, the others found it done.
        expect(applied.filter((list) => list.length > 0)).toEqual([ids]);
        const { rows } = await pools[0]!.query('SELECT id, name FROM schema_migrations ORDER BY id');
        expect(rows).toEqual(migrations.map((m) => ({ id: m.id, name: m.name })));
        expect(await Promise.all(pools.map((pool) => migrate(pool)))).toEqual([[], [], [], [], []]);
      } finally {
        await Promise.all(pools.map((pool) => pool.close()));
        await scratch.drop();
      }
    });

    it('two consumers on separate pools never run two jobs of one group at once, and keep each group in order', async () => {
      const other = await openAnotherPool(opened(), { max: 10 });
      const clock = new FakeClock(); // leases never expire: every job runs exactly once
      const queues = [db(), other].map(
        (sql) =>
          new PostgresQueue({
            sql,
            clock,
            logger: silentLogger(),
            maxAttempts: 3,
            backoff: { baseMs: 1, maxMs: 1 },
          }),
      );
      const groups = ['a', 'b', 'c', 'd'];
      const perGroup = 12;
      const inFlight = new Map<string, number>();
      const overlaps: string[] = [];
      const ran = new Map<string, number[]>(groups.map((g) => [g, []]));
      const runsBy = [0, 0];
      const handler = (index: number, sql: Database) => async (job: Job) => {
        const now = (inFlight.get(job.group) ?? 0) + 1;
        inFlight.set(job.group, now);
        if (now > 1) overlaps.push(`${job.group}:${job.dedupKey}`);
        // Real work on this consumer's own pool keeps the job in flight while the other consumer claims.
        for (let i = 0; i < 3; i++) await sql.query('SELECT count(*) FROM jobs WHERE grp = $1', [job.group]);
        ran.get(job.group)!.push((job.payload as { n: number }).n);
        runsBy[index]!++;
        inFlight.set(job.group, (inFlight.get(job.group) ?? 1) - 1);
      };
      for (let n = 0; n < perGroup; n++)
        await Promise.all(
          groups.map((g) =>
            queues[0]!.enqueue({ group: g, type: 't', dedupKey: `${g}-${n}`, payload: { n } }),
          ),
        );
      const consumers = queues.map((q, i) =>
        q.consume(handler(i, i === 0 ? db() : other), { concurrency: 2, pollIntervalMs: 2 }),
      );
      try {
        await waitFor('every job to run', () => runsBy[0]! + runsBy[1]! === groups.length * perGroup, 20_000);
        await waitFor(
          'all acked',
          async () => (await queues[0]!.stats()).ready + (await queues[0]!.stats()).inFlight === 0,
        );
      } finally {
        await Promise.all(consumers.map((c) => c.stop()));
        await other.close();
      }
      expect(overlaps).toEqual([]);
      const inOrder = Array.from({ length: perGroup }, (_, n) => n);
      expect(Object.fromEntries(ran)).toEqual(Object.fromEntries(groups.map((g) => [g, inOrder])));
      // Both consumers took part: each claimed jobs while the other held some.
      expect(runsBy.every((n) => n > 0)).toBe(true);
    });
  });
});
