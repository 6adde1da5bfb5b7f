// Store target (d): PGlite on a worker thread of its own (src/store/pglite-thread.ts), the embedded profile's
// store for a data directory. Every suite must hold as in-process, plus what only a thread can get wrong.
import { openPgliteThread } from '../../../src/store/pglite-thread';
import type { Database } from '../../../src/store/sql';
import { describeStore, pgliteThreadTarget } from '../../support/store-targets';
import { defineStoreSuites } from './store-suites';

describeStore(pgliteThreadTarget, (db) => defineStoreSuites(db));

/** Runs fn on a fresh in-memory PGlite thread, closed afterwards whatever happens. */
async function withThread(fn: (db: Database) => Promise<void>): Promise<void> {
  const db = await openPgliteThread('memory://');
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

describe('pglite thread adapter', () => {
  it('carries a database error across the thread with its SQLSTATE and constraint', () =>
    withThread(async (db) => {
      await db.query('CREATE TABLE t (k text PRIMARY KEY)');
      await db.query("INSERT INTO t VALUES ('a')");
      const err = (await db.query("INSERT INTO t VALUES ('a')").catch((e: unknown) => e)) as Error & {
        code?: string;
        constraint?: string;
      };
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/duplicate key/);
      expect(err.code).toBe('23505');
      expect(err.constraint).toBe('t_pkey');
    }));

  it('rolls back a transaction whose function throws, and the next one still runs', () =>
    withThread(async (db) => {
      await db.query('CREATE TABLE t (k text PRIMARY KEY)');
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO t VALUES ('x')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES ('y')");
      });
      const { rows } = await db.query<{ k: string }>('SELECT k FROM t ORDER BY k');
      expect(rows).toEqual([{ k: 'y' }]);
    }));

  it('runs a statement outside a transaction only after the open transaction ends', () =>
    withThread(async (db) => {
      await db.query('CREATE TABLE t (n int)');
      const order: string[] = [];
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      const tx = db.transaction(async (t) => {
        await t.query('INSERT INTO t VALUES (1)');
        order.push('tx insert');
        await held;
        order.push('tx end');
      });
      // Queued behind the transaction: it must see the committed row.
      const outside = db.query<{ c: number }>('SELECT count(*)::int AS c FROM t').then((r) => {
        order.push('outside');
        return r.rows[0]!.c;
      });
      await new Promise((r) => setImmediate(r));
      release();
      await tx;
      expect(await outside).toBe(1);
      expect(order).toEqual(['tx insert', 'tx end', 'outside']);
    }));

  it('rejects calls after close instead of hanging', async () => {
    const db = await openPgliteThread('memory://');
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/PGlite thread exited/);
  });
});
