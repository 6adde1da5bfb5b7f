// The `outbox backlog` line's numbers (what the AWS alarm for undelivered lane messages reads).
import {
  logOutboxBacklogEvery,
  readLanesBehind,
  readOutboxBacklog,
} from '../../src/admin/outbox-backlog-log';
import { FakeClock } from '../../src/clock';
import { captureLogs } from '../support/lanes-dir';
import type { Database } from '../../src/store/sql';
import { useTestDatabase } from '../support/use-test-database';

const NOW = new Date('2026-12-04T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

describe('readOutboxBacklog', () => {
  let db: Database;
  useTestDatabase((d) => (db = d));

  async function message(
    id: string,
    laneId: string,
    createdAgoS: number,
    state: 'pending' | 'delivered' | 'failed',
  ) {
    await db.query(
      `INSERT INTO outbox (id, lane_id, message, next_attempt_at, created_at, delivered_at, failed_at)
       VALUES ($1, $2, '{}'::jsonb, $3, $3, $4, $5)`,
      [id, laneId, ago(createdAgoS), state === 'delivered' ? NOW : null, state === 'failed' ? NOW : null],
    );
  }

  /** a: 300 s and 10 s pending; b: 61 s; c: 30 s; d: delivered. Behind after 60 s: a and b. */
  async function fourLanes() {
    await message('a1', 'a', 300, 'pending');
    await message('a2', 'a', 10, 'pending');
    await message('b1', 'b', 61, 'pending');
    await message('c1', 'c', 30, 'pending');
    await message('d1', 'd', 4000, 'delivered');
  }

  it('is all zeros with nothing pending', async () => {
    await message('m1', 'a', 500, 'delivered');
    await message('m2', 'b', 900, 'failed');
    expect(await readOutboxBacklog(db, NOW, 60)).toEqual({
      oldestUndeliveredS: 0,
      lanesBehind: 0,
      pending: 0,
      oldestLaneId: null,
      behindLaneIds: [],
    });
  });

  it('gives the oldest pending age, the lanes behind the threshold and the pending count', async () => {
    await fourLanes();
    expect(await readOutboxBacklog(db, NOW, 60)).toEqual({
      oldestUndeliveredS: 300,
      lanesBehind: 2,
      pending: 4,
      oldestLaneId: 'a',
      behindLaneIds: ['a', 'b'],
    });
  });

  it('names at most the 10 lanes most behind, oldest first', async () => {
    for (let i = 0; i < 12; i += 1) await message(`m${i}`, `lane-${i}`, 100 + i * 10, 'pending');
    const backlog = await readOutboxBacklog(db, NOW, 60);
    expect(backlog.lanesBehind).toBe(12);
    expect(backlog.oldestLaneId).toBe('lane-11');
    expect(backlog.behindLaneIds).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `lane-${i}`));
  });

  it('lists each lane behind with its oldest age and pending count, most behind first, at most the limit', async () => {
    await fourLanes();
    expect(await readLanesBehind(db, NOW, 60)).toEqual([
      { laneId: 'a', oldestUndeliveredS: 300, pending: 2 },
      { laneId: 'b', oldestUndeliveredS: 61, pending: 1 },
    ]);
    expect(await readLanesBehind(db, NOW, 60, 1)).toEqual([
      { laneId: 'a', oldestUndeliveredS: 300, pending: 2 },
    ]);
  });

  it('logs the backlog line, then one warn line per lane behind (none when no lane is)', async () => {
    const clock = new FakeClock(NOW.getTime());
    const run = async () => {
      const { logger, lines } = captureLogs();
      const repeating = logOutboxBacklogEvery(60_000, { db, clock, logger, behindAfterS: 60 });
      repeating.start();
      await repeating.stop(); // the first pass runs at start; stop waits for it
      return lines.map(({ level, message, event, laneId, oldestUndeliveredS }) => ({
        level,
        message,
        event,
        ...(laneId === undefined ? {} : { laneId }),
        oldestUndeliveredS,
      }));
    };
    await message('c1', 'c', 30, 'pending');
    expect(await run()).toEqual([
      { level: 'info', message: 'outbox backlog', event: 'outbox-backlog', oldestUndeliveredS: 30 },
    ]);
    await message('a1', 'a', 300, 'pending');
    await message('b1', 'b', 61, 'pending');
    expect(await run()).toEqual([
      { level: 'info', message: 'outbox backlog', event: 'outbox-backlog', oldestUndeliveredS: 300 },
      {
        level: 'warn',
        message: 'lane messages behind',
        event: 'lane-messages-behind',
        laneId: 'a',
        oldestUndeliveredS: 300,
      },
      {
        level: 'warn',
        message: 'lane messages behind',
        event: 'lane-messages-behind',
        laneId: 'b',
        oldestUndeliveredS: 61,
      },
    ]);
  });
});
