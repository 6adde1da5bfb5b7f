// Migration 007 erases the customer tokens that dead letters kept before this release (architecture §2).
import { migrate } from '../../src/store/migrate';
import { migrations } from '../../src/store/migrations';
import { openPglite } from '../../src/store/pglite';
import type { Database } from '../../src/store/sql';

const TOKEN = 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=';

let db: Database;
beforeAll(async () => {
  db = await openPglite('memory://');
  await migrate(
    db,
    migrations.filter((m) => m.id < 7),
  );
});
afterAll(async () => {
  await db.close();
});

async function insertJob(key: string, state: string, payload: unknown): Promise<void> {
  const at = new Date('2026-01-01T12:00:00Z');
  await db.query(
    `INSERT INTO jobs (grp, type, dedup_key, payload, state, attempt, available_at, enqueued_at, updated_at)
     VALUES ('vend-1', 'checkin', $1, $2::json, $3, 1, $4, $4, $4)`,
    [key, JSON.stringify(payload), state, at],
  );
}

it('scrubs dead jobs and intake dead letters kept with a token, and leaves everything else alone', async () => {
  const checkin = { type: 'checkin', msn: '123456', customerToken: TOKEN };
  await insertJob('dead-checkin', 'dead', checkin);
  await insertJob('live-checkin', 'ready', checkin); // still to run: it needs its token
  await insertJob('dead-other', 'dead', { sessionId: 's_1' });
  const letters = [
    Buffer.from(JSON.stringify({ customerToken: TOKEN, initiatedAt: 'soon' })),
    Buffer.from('{"hello":"world"}'),
    Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]),
    // Not UTF-8, so not readable as text: left as it is rather than failing the migration.
    Buffer.concat([Buffer.from('{"customerToken":"'), Buffer.from([0xff]), Buffer.from('"}')]),
  ];
  for (const body of letters)
    await db.query("INSERT INTO intake_dead_letters (reason, raw_body) VALUES ('unknown_shape', $1)", [body]);

  expect(await migrate(db)).toEqual(migrations.filter((m) => m.id >= 7).map((m) => m.id));

  const jobs = await db.query<{ dedup_key: string; payload: unknown }>(
    'SELECT dedup_key, payload FROM jobs ORDER BY id',
  );
  expect(jobs.rows).toEqual([
    { dedup_key: 'dead-checkin', payload: { ...checkin, customerToken: null, customerTokenErased: true } },
    { dedup_key: 'live-checkin', payload: checkin },
    { dedup_key: 'dead-other', payload: { sessionId: 's_1' } },
  ]);
  const kept = await db.query<{ raw_body: Uint8Array }>(
    'SELECT raw_body FROM intake_dead_letters ORDER BY id',
  );
  const bodies = kept.rows.map((r) => Buffer.from(r.raw_body));
  expect(JSON.parse(bodies[0]?.toString('utf8') ?? '')).toEqual({
    customerToken: null,
    customerTokenErased: true,
    initiatedAt: 'soon',
  });
  expect(bodies.slice(1)).toEqual(letters.slice(1));
});
