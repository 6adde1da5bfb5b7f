// Prepared statements on PGlite (src/store/pglite-prepared.ts): named statements, values bound through the
// extended protocol. These pin that every kind of value arrives intact, that a statement is parsed once, that
// a batch is one protocol call and all or nothing, and that errors carry the SQL, never the values.
import { PGlite } from '@electric-sql/pglite';
import { openPglite } from '../../src/store/pglite';
import { preparedQueries } from '../../src/store/pglite-prepared';
import { BatchExpectationError, type Database } from '../../src/store/sql';

let db: Database;

beforeAll(async () => {
  db = await openPglite('memory://');
  await db.query(
    `CREATE TABLE vals (id serial PRIMARY KEY, t text UNIQUE, j json, jb jsonb, ts timestamptz, arr text[], n bigint, b boolean)`,
  );
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await db.query('TRUNCATE vals');
});

const INSERT = 'INSERT INTO vals (t, j, jb, ts, arr, n, b) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id';
const HOSTILE = [
  `'); DROP TABLE vals; --`,
  `back\\slash \\' and \\\\`,
  `$$ dollar $$ and $1`,
  `quote " double "" and 'single'' `,
  `{braces,commas}`,
  `unicode æøå 🚀 \u2028`,
];

describe('PGlite prepared statements', () => {
  it.each(HOSTILE)('stores %j exactly, in every column type', async (value) => {
    const ts = new Date('2026-01-01T12:34:56.789Z');
    await db.query(INSERT, [
      value,
      JSON.stringify({ value }),
      { value },
      ts,
      [value, value],
      '9007199254740993',
      true,
    ]);
    const { rows } = await db.query<Record<string, unknown>>(
      'SELECT t, j, jb, ts, arr, n::text AS n, b FROM vals WHERE t = $1',
      [value],
    );
    expect(rows).toEqual([
      { t: value, j: { value }, jb: { value }, ts, arr: [value, value], n: '9007199254740993', b: true },
    ]);
    expect((await db.query('SELECT 1 FROM vals')).rows).toHaveLength(1);
  });

  it('passes NULL and undefined as SQL NULL', async () => {
    await db.query(INSERT, [null, null, null, undefined, null, null, null]);
    const { rows } = await db.query('SELECT t, j, jb, ts, arr, n, b FROM vals');
    expect(rows).toEqual([{ t: null, j: null, jb: null, ts: null, arr: null, n: null, b: null }]);
  });

  it('parses a statement once, however often it runs', async () => {
    const text = 'SELECT count(*)::int AS n FROM vals WHERE b = $1';
    for (let i = 0; i < 3; i++) await db.query(text, [true]);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE $1',
      ['%FROM vals WHERE b = $1'],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('reports affected rows of writes as before', async () => {
    await db.query(INSERT, ['a', null, null, null, null, 1, false]);
    await db.query(INSERT, ['b', null, null, null, null, 2, false]);
    expect((await db.query('UPDATE vals SET b = $1 WHERE n > $2', [true, 0])).affectedRows).toBe(2);
    expect((await db.query('DELETE FROM vals WHERE t = $1', ['none'])).affectedRows).toBe(0);
  });

  it("puts the statement's SQL on an error, never the values it was given", async () => {
    await db.query(INSERT, ['taken', null, null, null, null, null, null]);
    const err = await db
      .query(INSERT, ['taken', null, { customerToken: 'token-value-xyz' }, null, null, null, null])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', query: INSERT });
    expect(JSON.stringify(err)).not.toContain('token-value-xyz');
    expect(err).not.toHaveProperty('params');
  });

  it('keeps values off the errors of statements that run through query() (DDL, DO blocks)', async () => {
    const err = await db
      .query('DO $$ BEGIN RAISE EXCEPTION $e$boom$e$; END $$', ['token-value-xyz'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toHaveProperty('params');
    expect(JSON.stringify(err)).not.toContain('token-value-xyz');
  });

  it('gives a wrong parameter count the database error, as an unprepared statement does', async () => {
    await expect(db.query('SELECT t FROM vals WHERE t = $1', [])).rejects.toThrow(/parameter/);
  });
});

describe('PGlite batches as one protocol call', () => {
  let pg: PGlite;
  let calls: number;
  let execs: string[];
  const prepared = () => preparedQueries(pg);
  const count = async () => (await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM vals')).rows[0]?.n;
  const put = (t: string, n: number) => ({ text: 'INSERT INTO vals (t, n) VALUES ($1, $2)', params: [t, n] });

  beforeEach(async () => {
    pg = await PGlite.create();
    await pg.exec('CREATE TABLE vals (t text PRIMARY KEY, n bigint)');
    calls = 0;
    const stream = pg.execProtocolStream.bind(pg);
    pg.execProtocolStream = (message, options) => {
      calls++;
      return stream(message, options);
    };
    execs = [];
    const exec = pg.exec.bind(pg);
    pg.exec = (text, options) => {
      execs.push(text);
      return exec(text, options);
    };
  });
  afterEach(async () => {
    await pg.close();
  });

  it('runs a parsed batch in one protocol call and reports each statement its own row count', async () => {
    const p = prepared();
    const batch = [
      put('a', 1),
      put('b', 2),
      { text: 'UPDATE vals SET n = n + 1 WHERE n > $1', params: [0] },
      { text: 'DELETE FROM vals WHERE t = $1', params: ['none'] },
      { text: 'SELECT t FROM vals ORDER BY t', params: [] },
    ];
    await p.batch(batch);
    await pg.exec('TRUNCATE vals');
    calls = 0;
    const results = await p.batch(batch);
    expect(calls).toBe(1);
    expect(results.map((r) => r.affectedRows)).toEqual([1, 1, 2, 0, 0]);
    expect(results[4]?.rows).toEqual([{ t: 'a' }, { t: 'b' }]);
  });

  it('checks an expected row count inside the transaction: a wrong one rolls all back', async () => {
    const p = prepared();
    const err = await p
      .batch([
        put('a', 1),
        { text: 'UPDATE vals SET n = 5 WHERE t = $1', params: ['none'], expectRows: 1 },
        put('b', 2),
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchExpectationError);
    expect(err).toMatchObject({ index: 1, affectedRows: 0 });
    expect(await count()).toBe(0);
    // Nothing is left open: the next batch commits on its own.
    const ok = await p.batch([
      put('a', 1),
      { text: 'UPDATE vals SET n = 5 WHERE t = $1', params: ['a'], expectRows: 1 },
    ]);
    expect(ok.map((r) => r.affectedRows)).toEqual([1, 1]);
    expect(await count()).toBe(1);
  });

  it('rolls back on a failing statement and names the SQL, never the values', async () => {
    const p = prepared();
    await p.batch([put('taken', 1)]);
    const err = await p
      .batch([put('fresh', 1), put('taken', 'token-value-xyz'.length)])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505' });
    expect((err as { query: string }).query).toBe(`${put('a', 0).text};\n${put('a', 0).text}`);
    expect(JSON.stringify(err)).not.toContain('fresh');
    const secret = await p
      .batch([put('token-value-xyz', 1), { text: 'SELECT 1/0', params: [] }])
      .catch((e: unknown) => e);
    expect(JSON.stringify(secret)).not.toContain('token-value-xyz');
    expect(String((secret as Error).message)).toBe('division by zero');
    expect(await count()).toBe(1);
  });

  it('runs statement by statement, with the same results, when a statement cannot be prepared', async () => {
    const results = await prepared().batch([
      put('a', 1),
      // RETURNING with an expected count cannot be checked in SQL; a DO block cannot be prepared.
      { text: 'UPDATE vals SET n = 2 WHERE t = $1 RETURNING n::int', params: ['a'], expectRows: 1 },
      { text: 'DO $$ BEGIN PERFORM 1; END $$', params: [] },
    ]);
    // Statement by statement, inside a transaction of PGlite's own: the helper function was never needed.
    expect(execs).toEqual([]);
    expect(results.map((r) => r.affectedRows)).toEqual([1, 1, 0]);
    expect(results[1]?.rows).toEqual([{ n: 2 }]);
  });
});
