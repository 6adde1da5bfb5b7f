// The Sql port's contract, the same on every store target: values come back as embedded PGlite returns them
// (the repositories and the queue rely on these types), affected rows count writes only, one statement per
// call, transactions commit or roll back as a whole with nested ones inside, and the session runs in UTC.
import { BatchExpectationError, type Database } from '../../../src/store/sql';

export function defineSqlPortSuite(getDb: () => Database): void {
  describe('Sql port', () => {
    let db: Database;
    beforeEach(() => {
      db = getDb();
    });

    const count = async (): Promise<unknown> =>
      (await db.query<{ n: unknown }>('SELECT count(*) AS n FROM intake_dead_letters')).rows[0]?.n;

    it('returns bigserial ids and count(*) as numbers, bytea as Uint8Array, timestamptz as Date', async () => {
      const at = new Date('2026-01-02T03:04:05.678Z');
      const inserted = await db.query(
        `INSERT INTO intake_dead_letters (reason, raw_body, received_at) VALUES ($1, $2, $3)
         RETURNING id, raw_body, received_at, content_type`,
        ['bad-signature', Uint8Array.from([0, 1, 254, 255]), at],
      );
      expect(inserted).toStrictEqual({
        rows: [{ id: 1, raw_body: Uint8Array.from([0, 1, 254, 255]), received_at: at, content_type: null }],
        affectedRows: 1,
      });
      expect(await count()).toBe(1);
    });

    it('parses every column type the way PGlite does', async () => {
      const { rows } = await db.query(
        `SELECT 42::int AS int4, 7::smallint AS int2, 9007199254740993::bigint AS int8_beyond_safe,
           1.25::float8 AS float8, 12.50::numeric AS numeric, true AS bool, 'x'::text AS text,
           '{"a": [1, {"b": null}]}'::jsonb AS jsonb, '{"c": 2}'::json AS json,
           '2026-01-02 03:04:05.678+02'::timestamptz AS timestamptz, '2026-01-02'::date AS date,
           '00000000-0000-4000-8000-000000000001'::uuid AS uuid, ARRAY[1, 2]::bigint[] AS int8_array,
           ARRAY[1.5, NULL]::numeric[] AS numeric_array, ARRAY['{"d": 3}']::jsonb[] AS jsonb_array,
           ARRAY['2026-01-02T00:00:00Z']::timestamptz[] AS timestamptz_array, NULL::text AS nothing`,
      );
      expect(rows).toStrictEqual([
        {
          int4: 42,
          int2: 7,
          int8_beyond_safe: 9007199254740993n,
          float8: 1.25,
          numeric: '12.50',
          bool: true,
          text: 'x',
          jsonb: { a: [1, { b: null }] },
          json: { c: 2 },
          timestamptz: new Date('2026-01-02T01:04:05.678Z'),
          date: new Date('2026-01-02T00:00:00.000Z'),
          uuid: '00000000-0000-4000-8000-000000000001',
          int8_array: [1, 2],
          numeric_array: ['1.5', null],
          jsonb_array: [{ d: 3 }],
          timestamptz_array: [new Date('2026-01-02T00:00:00.000Z')],
          nothing: null,
        },
      ]);
    });

    it('counts the rows a write touched, and none for a SELECT', async () => {
      const body = Uint8Array.from([1]);
      const sql = 'INSERT INTO intake_dead_letters (reason, raw_body) VALUES ($1, $2), ($1, $2), ($1, $2)';
      expect((await db.query(sql, ['r', body])).affectedRows).toBe(3);
      const update = await db.query("UPDATE intake_dead_letters SET detail = 'd' WHERE id <= 2");
      expect(update.affectedRows).toBe(2);
      const select = await db.query('SELECT id FROM intake_dead_letters');
      expect({ rows: select.rows.length, affectedRows: select.affectedRows }).toEqual({
        rows: 3,
        affectedRows: 0,
      });
      expect((await db.query('DELETE FROM intake_dead_letters')).affectedRows).toBe(3);
    });

    it('refuses two statements in one call, as PGlite does', async () => {
      await expect(db.query('SELECT 1; SELECT 2')).rejects.toThrow(
        'cannot insert multiple commands into a prepared statement',
      );
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('commits a transaction with a nested one running in the same transaction', async () => {
      const ids = await db.transaction(async (tx) => {
        const outer = (await tx.query<{ id: string }>('SELECT txid_current()::text AS id')).rows[0]?.id;
        await tx.query("INSERT INTO intake_dead_letters (reason, raw_body) VALUES ('outer', '\\x00')");
        const inner = await tx.transaction(async (nested) => {
          await nested.query("INSERT INTO intake_dead_letters (reason, raw_body) VALUES ('inner', '\\x00')");
          return (await nested.query<{ id: string }>('SELECT txid_current()::text AS id')).rows[0]?.id;
        });
        return { outer, inner };
      });
      expect(ids.inner).toBe(ids.outer);
      expect(await count()).toBe(2);
    });

    it('rolls the whole transaction back, nested work included, and rethrows the error', async () => {
      const failure = new Error('step failed');
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO intake_dead_letters (reason, raw_body) VALUES ('outer', '\\x00')");
          await tx.transaction(async (nested) => {
            await nested.query(
              "INSERT INTO intake_dead_letters (reason, raw_body) VALUES ('inner', '\\x00')",
            );
          });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await count()).toBe(0);
    });

    it('rolls back after a failed statement and keeps serving queries', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO intake_dead_letters (reason, raw_body) VALUES ('kept?', '\\x00')");
          await tx.query('INSERT INTO intake_dead_letters (reason, raw_body) VALUES (NULL, NULL)');
        }),
      ).rejects.toThrow('null value in column "reason" of relation "intake_dead_letters"');
      expect(await count()).toBe(0);
      expect(await db.transaction(async (tx) => (await tx.query('SELECT 1 AS one')).rows)).toEqual([
        { one: 1 },
      ]);
    });

    it('runs the session in UTC, as PGlite does', async () => {
      const { rows } = await db.query<{ tz: string; day: Date }>(
        "SELECT current_setting('TimeZone') AS tz, ('2026-01-01T23:30:00Z'::timestamptz)::date AS day",
      );
      expect(rows).toStrictEqual([{ tz: 'UTC', day: new Date('2026-01-01T00:00:00.000Z') }]);
    });

    describe('batch', () => {
      const insert = (reason: string) => ({
        text: 'INSERT INTO intake_dead_letters (reason, raw_body) VALUES ($1, $2) RETURNING id',
        params: [reason, Uint8Array.from([1])],
      });

      it('runs the statements in order in one transaction and returns each result', async () => {
        const results = await db.batch([
          insert('a'),
          {
            text: "UPDATE intake_dead_letters SET detail = 'seen' WHERE reason = $1",
            params: ['a'],
            expectRows: 1,
          },
          insert('b'),
        ]);
        expect(results.map((r) => r.affectedRows)).toEqual([1, 1, 1]);
        expect(results[0]!.rows).toEqual([{ id: 1 }]);
        expect(results[2]!.rows).toEqual([{ id: 2 }]);
        const { rows } = await db.query('SELECT reason, detail FROM intake_dead_letters ORDER BY id');
        expect(rows).toEqual([
          { reason: 'a', detail: 'seen' },
          { reason: 'b', detail: null },
        ]);
      });

      it('rolls back everything when a statement affects another row count than expected', async () => {
        const err = await db
          .batch([
            insert('a'),
            { text: 'DELETE FROM intake_dead_letters WHERE reason = $1', params: ['nobody'], expectRows: 1 },
            insert('b'),
          ])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BatchExpectationError);
        expect(err).toMatchObject({ index: 1, affectedRows: 0 });
        expect(await count()).toBe(0);
      });

      it('rolls back everything when a statement fails', async () => {
        await expect(db.batch([insert('a'), { text: 'SELECT 1/0', params: [] }])).rejects.toThrow(
          /division by zero/,
        );
        expect(await count()).toBe(0);
      });

      it('runs inside the current transaction when called on it', async () => {
        await expect(
          db.transaction(async (tx) => {
            await tx.batch([insert('a')]);
            throw new Error('abandon');
          }),
        ).rejects.toThrow('abandon');
        expect(await count()).toBe(0);
      });
    });
  });
}
