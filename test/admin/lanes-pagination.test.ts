// The fleet view with 5,000 lanes: filtering and paging happen before the per-lane reads, so a page costs the
// same with 5,000 lanes as with 50. Rows are seeded straight into the store (sessions, history, outbox).
import { queryLanes } from '../../src/admin/lanes-query';
import type { Lane } from '../../src/lanes/lane';
import type { Database } from '../../src/store/sql';
import { useTestDatabase } from '../support/use-test-database';

const LANES = 5_000;
const NOW = new Date('2026-12-04T12:00:00Z');
const id = (i: number) => `lane-${String(i).padStart(4, '0')}`;

const lanes: Lane[] = Array.from({ length: LANES }, (_, i) => ({
  id: id(i),
  kind: 'vending',
  msn: '123456',
  merchantQrId: id(i),
  description: i % 2 === 0 ? `Hall A machine ${i}` : `Hall B machine ${i}`,
  currency: 'NOK',
  maxAmount: 5000,
  // Every 100th lane is disabled.
  enabled: i % 100 !== 99,
  controller: { type: 'log' },
}));

describe('lanes paged server-side with 5,000 lanes', () => {
  let db: Database;
  useTestDatabase((d) => (db = d));

  beforeEach(async () => {
    // Lanes 0, 10, 20, … (500) have a session in progress; every lane has one completed sale of 2500 today;
    // lanes 0, 5, 10, … (1,000) have a lane message waiting since 90 s ago.
    await db.query(
      `INSERT INTO sessions (id, lane_id, state, reference, data, customer_token, version, final, created_at, updated_at)
       SELECT 'ses_done_' || i, 'lane-' || lpad(i::text, 4, '0'), 'completed', 'ref-done-' || i,
              jsonb_build_object('kind', 'vending', 'capturedValue', 2500, 'amount',
                                 jsonb_build_object('currency', 'NOK', 'value', 2500), 'reason', null),
              NULL, 1, true, $1::timestamptz - interval '1 hour', $1::timestamptz - interval '1 hour'
       FROM generate_series(0, ${LANES - 1}) AS i`,
      [NOW],
    );
    await db.query(
      `INSERT INTO sessions (id, lane_id, state, reference, data, customer_token, version, final, created_at, updated_at)
       SELECT 'ses_live_' || i, 'lane-' || lpad(i::text, 4, '0'), 'authorized', 'ref-live-' || i,
              jsonb_build_object('kind', 'vending', 'capturedValue', 0), NULL, 1, false,
              $1::timestamptz - interval '30 seconds', $1::timestamptz - interval '30 seconds'
       FROM generate_series(0, ${LANES - 1}, 10) AS i`,
      [NOW],
    );
    await db.query(
      `INSERT INTO session_history (session_id, lane_id, at, input_type, from_state, to_state, outcome, reason, effects)
       SELECT 'ses_done_' || i, 'lane-' || lpad(i::text, 4, '0'), $1::timestamptz - interval '1 hour', 'dispensed',
              'capturing', 'completed', 'applied', NULL, '[]'::jsonb
       FROM generate_series(0, ${LANES - 1}) AS i`,
      [NOW],
    );
    await db.query(
      `INSERT INTO outbox (id, lane_id, message, next_attempt_at, created_at)
       SELECT 'msg_' || i, 'lane-' || lpad(i::text, 4, '0'), '{}'::jsonb, $1, $1::timestamptz - interval '90 seconds'
       FROM generate_series(0, ${LANES - 1}, 5) AS i`,
      [NOW],
    );
  }, 60_000);

  it('pages 5,000 lanes 50 at a time, with totals and per-lane details on the page', async () => {
    const started = performance.now();
    const first = await queryLanes(db, lanes, {}, NOW);
    const firstMs = performance.now() - started;
    expect({ total: first.total, page: first.page, pageSize: first.pageSize, pages: first.pages }).toEqual({
      total: 5000,
      page: 1,
      pageSize: 50,
      pages: 100,
    });
    expect(first.items.map((l) => l.id)).toEqual(Array.from({ length: 50 }, (_, i) => id(i)));
    expect(first.items[0]).toMatchObject({
      state: 'busy',
      currentSession: { id: 'ses_live_0', state: 'authorized', ageS: 30 },
      lastOutcome: { sessionId: 'ses_done_0', state: 'completed' },
      today: { count: 1, amount: 2500, currency: 'NOK' },
      channel: { type: 'log', backlog: 1, oldestUndeliveredAgeS: 90, failed: 0 },
    });
    expect(first.items[1]).toMatchObject({ state: 'idle', currentSession: null, channel: { backlog: 0 } });
    const last = await queryLanes(db, lanes, { page: 100 }, NOW);
    expect(last.items.map((l) => l.id)).toEqual(Array.from({ length: 50 }, (_, i) => id(4950 + i)));
    expect((await queryLanes(db, lanes, { page: 101 }, NOW)).items).toEqual([]);
    const big = await queryLanes(db, lanes, { pageSize: 500, page: 10 }, NOW);
    expect({ n: big.items.length, first: big.items[0]?.id, pages: big.pages }).toEqual({
      n: 500,
      first: id(4500),
      pages: 10,
    });
    // A page is a handful of bounded reads: well under a second even on a loaded machine.
    expect(firstMs).toBeLessThan(5_000);
  });

  it('filters by state and search text before paging', async () => {
    const busy = await queryLanes(db, lanes, { state: 'busy', pageSize: 500 }, NOW);
    // Lanes 0, 10, …, 4990 are busy; those of them ending in 99 are none (99 is not a multiple of 10).
    expect({
      total: busy.total,
      pages: busy.pages,
      all: busy.items.every((l) => l.state === 'busy'),
    }).toEqual({
      total: 500,
      pages: 1,
      all: true,
    });
    const disabled = await queryLanes(db, lanes, { state: 'disabled' }, NOW);
    expect(disabled.total).toBe(50);
    expect(disabled.items.every((l) => !l.enabled && l.state === 'disabled')).toBe(true);
    const idle = await queryLanes(db, lanes, { state: 'idle' }, NOW);
    expect(idle.total).toBe(5000 - 500 - 50);
    const search = await queryLanes(db, lanes, { q: 'LANE-04', pageSize: 30, page: 4 }, NOW);
    expect({ total: search.total, ids: search.items.map((l) => l.id) }).toEqual({
      total: 100,
      ids: Array.from({ length: 10 }, (_, i) => id(490 + i)),
    });
    const hallB = await queryLanes(db, lanes, { q: 'hall b' }, NOW);
    expect(hallB.total).toBe(2500);
    expect((await queryLanes(db, lanes, { q: 'nothing like this' }, NOW)).total).toBe(0);
  });
});
