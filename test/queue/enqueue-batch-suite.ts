// Group commit: concurrent enqueues are written together; every caller still gets its own exact result.
import { FakeClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import type { Database } from '../../src/store/sql';

export function defineEnqueueBatchSuite(getDb: () => Database): void {
  describe('enqueue group commit', () => {
    let db: Database;
    let queue: PostgresQueue;
    let statements: string[];

    beforeEach(async () => {
      db = getDb();
      statements = [];
      // Count the statements the queue sends, to prove concurrent enqueues share one.
      const counting = {
        ...db,
        query: ((text: string, params?: readonly unknown[]) => {
          statements.push(text);
          return db.query(text, params);
        }) as Database['query'],
      };
      queue = new PostgresQueue({
        sql: counting,
        clock: new FakeClock(),
        logger: silentLogger(),
        maxAttempts: 3,
        backoff: { baseMs: 1000, maxMs: 60_000 },
      });
    });

    function job(key: string, group = 'lane-1') {
      return { group, type: 'checkin', dedupKey: key, payload: { key } };
    }

    it('writes 50 concurrent enqueues in far fewer statements, each job exactly once', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => queue.enqueue(job(`k-${i}`))));
      expect(results.every((r) => !r.duplicate)).toBe(true);
      expect(new Set(results.map((r) => r.id)).size).toBe(50);
      expect(statements.length).toBeLessThanOrEqual(3);
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM jobs');
      expect(Number(rows[0]!.n)).toBe(50);
      expect((await queue.stats()).ready).toBe(50);
    });

    it('answers duplicates inside one batch and against earlier batches with the first job id', async () => {
      const first = await queue.enqueue(job('a'));
      const [x, y, z, w] = await Promise.all([
        queue.enqueue(job('b')),
        queue.enqueue(job('a')),
        queue.enqueue(job('b')),
        queue.enqueue(job('c')),
      ]);
      expect(y).toEqual({ id: first.id, duplicate: true });
      expect(x!.duplicate).toBe(false);
      expect(z).toEqual({ id: x!.id, duplicate: true });
      expect(w!.duplicate).toBe(false);
      const { rows } = await db.query<{ dedup_key: string }>('SELECT dedup_key FROM jobs ORDER BY dedup_key');
      expect(rows.map((r) => r.dedup_key)).toEqual(['a', 'b', 'c']);
    });

    it('keeps payload, group and type of each batched job', async () => {
      await Promise.all([queue.enqueue(job('p-1', 'lane-a')), queue.enqueue(job('p-2', 'lane-b'))]);
      const { rows } = await db.query<{ grp: string; type: string; payload: { key: string } }>(
        'SELECT grp, type, payload FROM jobs ORDER BY dedup_key',
      );
      expect(rows).toEqual([
        { grp: 'lane-a', type: 'checkin', payload: { key: 'p-1' } },
        { grp: 'lane-b', type: 'checkin', payload: { key: 'p-2' } },
      ]);
    });

    it('rejects every caller of a failed batch so none answers 2xx for a job that was not written', async () => {
      await db.query('ALTER TABLE jobs ADD CONSTRAINT no_bad CHECK (grp <> $$bad$$)');
      try {
        const settled = await Promise.allSettled([
          queue.enqueue(job('ok-1')),
          queue.enqueue(job('x', 'bad')),
        ]);
        const rejected = settled.filter((s) => s.status === 'rejected').length;
        expect(rejected).toBeGreaterThanOrEqual(1);
        const { rows } = await db.query<{ dedup_key: string }>('SELECT dedup_key FROM jobs');
        const written = new Set(rows.map((r) => r.dedup_key));
        settled.forEach((s, i) => {
          if (s.status === 'fulfilled') expect(written.has(i === 0 ? 'ok-1' : 'x')).toBe(true);
        });
        expect(written.has('x')).toBe(false);
      } finally {
        await db.query('ALTER TABLE jobs DROP CONSTRAINT no_bad');
      }
    });
  });
}
