// Issue 13, "SQL from values": with standard_conforming_strings = off in DATA_DIR/postgresql.conf a backslash
// escapes inside a string literal, so a value spliced into SQL text can end its literal and run SQL of its own.
// Values are bound, so every hostile value is stored as it is and nothing else is touched, on both embedded
// adapters (in-process and the PGlite thread).
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openPglite } from '../../src/store/pglite';
import { openPgliteThread } from '../../src/store/pglite-thread';
import type { Database } from '../../src/store/sql';

const HOSTILE = [
  `\\', 1); DELETE FROM canary; --`,
  `'); DELETE FROM canary; --`,
  `back\\slash \\\\ and \\n and \\x41 and E'\\''`,
  `quotes ' '' " "" and $$ dollars $$`,
  `unicode æøå 🚀 \u2028 ✓`,
];

const adapters: [string, (dir: string) => Promise<Database>][] = [
  ['in-process PGlite', openPglite],
  ['the PGlite thread', openPgliteThread],
];

describe.each(adapters)('bound values with standard_conforming_strings = off, on %s', (_name, open) => {
  let dir: string;
  let db: Database;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cg-hostile-'));
    const created = await PGlite.create(dir);
    await created.close();
    // Takes effect when the directory is opened again.
    await appendFile(path.join(dir, 'postgresql.conf'), '\nstandard_conforming_strings = off\n');
    db = await open(dir);
    await db.query('CREATE TABLE canary (n int)');
    await db.query('INSERT INTO canary VALUES (1)');
    await db.query('CREATE TABLE vals (id serial PRIMARY KEY, t text, b bytea)');
  }, 180_000); // two PGlite starts, on a machine shared with other test runs
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const canary = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM canary')).rows;
  const stored = async () =>
    (await db.query<{ t: string }>('SELECT t FROM vals ORDER BY id')).rows.map((r) => r.t);

  it('runs with the setting off, where a backslash in a literal escapes', async () => {
    const { rows } = await db.query<{ s: string }>(
      "SELECT current_setting('standard_conforming_strings') AS s",
    );
    expect(rows).toEqual([{ s: 'off' }]);
  });

  it('stores every hostile value intact through query() and touches nothing else', async () => {
    await db.query('TRUNCATE vals');
    for (const t of HOSTILE) await db.query('INSERT INTO vals (t) VALUES ($1)', [t]);
    expect(await stored()).toEqual(HOSTILE);
    expect(await canary()).toEqual([{ n: 1 }]);
    const found = await db.query('SELECT t FROM vals WHERE t = $1', [HOSTILE[0]]);
    expect(found.rows).toEqual([{ t: HOSTILE[0] }]);
  });

  it('stores every hostile value intact through a batch and touches nothing else', async () => {
    await db.query('TRUNCATE vals');
    await db.batch(
      HOSTILE.map((t) => ({ text: 'INSERT INTO vals (t) VALUES ($1)', params: [t], expectRows: 1 })),
    );
    expect(await stored()).toEqual(HOSTILE);
    expect(await canary()).toEqual([{ n: 1 }]);
  });

  it('stores every hostile value intact inside a transaction', async () => {
    await db.query('TRUNCATE vals');
    await db.transaction(async (tx) => {
      for (const t of HOSTILE) await tx.query('INSERT INTO vals (t) VALUES ($1)', [t]);
    });
    expect(await stored()).toEqual(HOSTILE);
    expect(await canary()).toEqual([{ n: 1 }]);
  });

  it('round-trips bytea [1,2,3] as [1,2,3]', async () => {
    const { rows } = await db.query<{ b: Uint8Array }>('INSERT INTO vals (b) VALUES ($1) RETURNING b', [
      new Uint8Array([1, 2, 3]),
    ]);
    expect([...(rows[0]?.b ?? [])]).toEqual([1, 2, 3]);
    const [r] = await db.batch([
      { text: 'SELECT $1::bytea AS b', params: [new Uint8Array([0, 92, 39, 255])] },
    ]);
    expect([...((r?.rows[0]?.['b'] as Uint8Array | undefined) ?? [])]).toEqual([0, 92, 39, 255]);
  });
});
