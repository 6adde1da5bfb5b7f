// The `channels` readiness entry reads the outbox: lanes whose oldest pending lane message is too old.
import { FakeClock } from '../../src/clock';
import { degradedChannelsCheck } from '../../src/runtime/degraded-channels';
import type { LaneMessage } from '../../src/sessions/lane-message';
import { addToOutbox, markDelivered, markFailed } from '../../src/store/outbox-repo';
import type { Database } from '../../src/store/sql';
import { openTestDatabase, truncateAll } from '../support/db';

const T0 = new Date('2026-12-04T12:00:00.000Z');
const msg = (id: string, laneId: string): LaneMessage =>
  ({
    id,
    v: 1,
    type: 'session.dropped',
    laneId,
    sessionId: `ses_${id}`,
    at: T0.toISOString(),
    data: { reason: 'expired' },
  }) as unknown as LaneMessage;
const at = (s: number) => new Date(T0.getTime() + s * 1000);

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterEach(async () => truncateAll(db));
afterAll(async () => db.close());

describe('degradedChannelsCheck', () => {
  it('is ok when every pending message is younger than the threshold', async () => {
    await addToOutbox(db, [msg('m1', 'vend-1')], at(0));
    const clock = new FakeClock(at(60).getTime());
    expect(await degradedChannelsCheck(db, clock, 60).check()).toBeUndefined();
  });

  it('names the lanes whose oldest undelivered message is older, oldest first, with its age', async () => {
    await addToOutbox(db, [msg('a1', 'vend-a')], at(0));
    await addToOutbox(db, [msg('b1', 'vend-b'), msg('b2', 'vend-b')], at(-30));
    await addToOutbox(db, [msg('c1', 'vend-c')], at(50));
    expect(await degradedChannelsCheck(db, new FakeClock(at(90).getTime()), 60).check()).toEqual({
      degraded: '2 lanes with a lane message undelivered for more than 60 s',
      detail: {
        afterS: 60,
        lanes: [
          { laneId: 'vend-b', undeliveredForS: 120 },
          { laneId: 'vend-a', undeliveredForS: 90 },
        ],
      },
    });
  });

  it('forgets a lane once its messages are delivered or given up on', async () => {
    await addToOutbox(db, [msg('d1', 'vend-d')], at(0));
    await addToOutbox(db, [msg('f1', 'vend-f')], at(0));
    await markDelivered(db, 'd1', at(100));
    await markFailed(db, 'f1', at(100), 'refused');
    expect(await degradedChannelsCheck(db, new FakeClock(at(200).getTime()), 60).check()).toBeUndefined();
  });

  it('says degraded rather than failing readiness when the outbox cannot be read', async () => {
    const broken = {
      query: () => Promise.reject(new Error('connection terminated')),
    } as unknown as Database;
    expect(await degradedChannelsCheck(broken, new FakeClock(at(0).getTime()), 60).check()).toEqual({
      degraded: 'cannot read the outbox: connection terminated',
    });
  });
});
