// The outbox table on a real database: idempotent adds, per-lane heads in seq order, leases, retry and failure.
import {
  addToOutbox,
  claimLaneHead,
  dueHeads,
  listOutbox,
  markDelivered,
  markFailed,
  markRetry,
  pruneDelivered,
} from '../../src/store/outbox-repo';
import type { Database } from '../../src/store/sql';
import { laneMessage, type LaneMessage } from '../../src/sessions/lane-message';

export function defineOutboxRepoSuite(getDb: () => Database): void {
  describe('outbox', () => {
    const T0 = Date.parse('2026-01-01T12:00:00.000Z');
    const at = (ms: number): Date => new Date(T0 + ms);
    const S1 = 's_11111111111111111111111111111111';
    const S2 = 's_22222222222222222222222222222222';

    function dropped(sessionId: string, laneId: string): LaneMessage {
      return laneMessage({ id: sessionId, laneId }, 'session.dropped', { reason: 'busy' }, at(0));
    }
    function checkedIn(sessionId: string, laneId: string): LaneMessage {
      return laneMessage(
        { id: sessionId, laneId },
        'session.checked-in',
        { kind: 'vending', awaitingSale: false },
        at(0),
      );
    }

    let db: Database;
    beforeEach(() => {
      db = getDb();
    });

    it('adds messages once per id, in order', async () => {
      expect(await addToOutbox(db, [checkedIn(S1, 'lane-a'), dropped(S1, 'lane-a')], at(0))).toBe(2);
      expect(await addToOutbox(db, [checkedIn(S1, 'lane-a')], at(5))).toBe(0);
      const rows = await listOutbox(db, 'lane-a');
      expect(rows.map((r) => r.id)).toEqual([`${S1}.checked-in`, `${S1}.dropped`]);
      expect(rows[0]?.message).toEqual(checkedIn(S1, 'lane-a'));
    });

    it('offers one head per lane; a leased or retrying head blocks its lane only', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a'), dropped(S1, 'lane-a'), checkedIn(S2, 'lane-b')], at(0));
      expect((await dueHeads(db, at(0), 10, [])).map((h) => h.id)).toEqual([
        `${S1}.checked-in`,
        `${S2}.checked-in`,
      ]);
      expect((await dueHeads(db, at(0), 10, ['lane-a'])).map((h) => h.id)).toEqual([`${S2}.checked-in`]);

      const head = await claimLaneHead(db, 'lane-a', at(0), at(1000));
      expect(head?.id).toBe(`${S1}.checked-in`);
      expect(await claimLaneHead(db, 'lane-a', at(10), at(1010))).toBeNull();
      expect((await dueHeads(db, at(10), 10, [])).map((h) => h.laneId)).toEqual(['lane-b']);

      await markRetry(db, `${S1}.checked-in`, at(500), 'webhook_unavailable');
      expect(await claimLaneHead(db, 'lane-a', at(100), at(1100))).toBeNull();
      const again = await claimLaneHead(db, 'lane-a', at(500), at(1500));
      expect(again).toMatchObject({ id: `${S1}.checked-in`, attempts: 1 });

      await markDelivered(db, `${S1}.checked-in`, at(600));
      expect((await claimLaneHead(db, 'lane-a', at(600), at(1600)))?.id).toBe(`${S1}.dropped`);
    });

    it('an expired lease makes the head claimable again', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a')], at(0));
      await claimLaneHead(db, 'lane-a', at(0), at(100));
      expect((await claimLaneHead(db, 'lane-a', at(100), at(200)))?.id).toBe(`${S1}.checked-in`);
    });

    it('a failed message no longer blocks its lane and keeps its error', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a'), dropped(S1, 'lane-a')], at(0));
      await markFailed(db, `${S1}.checked-in`, at(1), 'webhook_rejected: HTTP 400');
      expect((await dueHeads(db, at(1), 10, [])).map((h) => h.id)).toEqual([`${S1}.dropped`]);
      const [failed] = await listOutbox(db, 'lane-a');
      expect(failed).toMatchObject({ failedAt: at(1), lastError: 'webhook_rejected: HTTP 400', attempts: 1 });
    });

    it('prunes delivered messages older than the cutoff only', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a'), dropped(S1, 'lane-a')], at(0));
      await markDelivered(db, `${S1}.checked-in`, at(10));
      expect(await pruneDelivered(db, at(10))).toBe(0);
      expect(await pruneDelivered(db, at(11))).toBe(1);
      expect((await listOutbox(db)).map((r) => r.id)).toEqual([`${S1}.dropped`]);
    });
  });
}
