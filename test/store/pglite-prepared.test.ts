// Prepared statements on PGlite (src/store/pglite-prepared.ts): values travel as literals in an EXECUTE, so
// these pin that every kind of value arrives exactly as a bind would deliver it, that nothing in a value can
// end the literal, that a statement is prepared once, and that errors carry the SQL, not the values.
import { openPglite } from '../../src/store/pglite';
import type { Database } from '../../src/store/sql';

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

  it('prepares a statement once, however often it runs', async () => {
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

  it("puts the statement's SQL on an error, never the EXECUTE that carries the values", async () => {
    await db.query(INSERT, ['taken', null, null, null, null, null, null]);
    const err = await db
      .query(INSERT, ['taken', null, { customerToken: 'token-value-xyz' }, null, null, null, null])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', query: INSERT });
    expect(JSON.stringify(err)).not.toContain('token-value-xyz');
  });

  it('gives a wrong parameter count the database error, as an unprepared statement does', async () => {
    await expect(db.query('SELECT t FROM vals WHERE t = $1', [])).rejects.toThrow(/parameter/);
  });
});
