// The outbox table on a real database: idempotent adds, per-lane heads in seq order, leases, retry and failure.
import {
  addToOutbox,
  claimDueHeads,
  claimLaneHead,
  listOutbox,
  markDelivered,
  markDeliveredClaimNext,
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
      // Leased for 0 ms: the lease has run out by the next instant, so each check below starts fresh.
      const ids = async (ms: number, busy: string[] = []) =>
        (await claimDueHeads(db, at(ms), 10, busy, at(ms))).map((h) => h.id);
      expect(await ids(0)).toEqual([`${S1}.checked-in`, `${S2}.checked-in`]);
      expect(await ids(1, ['lane-a'])).toEqual([`${S2}.checked-in`]);

      const head = await claimLaneHead(db, 'lane-a', at(2), at(1000));
      expect(head?.id).toBe(`${S1}.checked-in`);
      expect(await claimLaneHead(db, 'lane-a', at(10), at(1010))).toBeNull();
      expect(await ids(10)).toEqual([`${S2}.checked-in`]);

      await markRetry(db, `${S1}.checked-in`, at(500), 'webhook_unavailable');
      expect(await claimLaneHead(db, 'lane-a', at(100), at(1100))).toBeNull();
      const again = await claimLaneHead(db, 'lane-a', at(500), at(1500));
      expect(again).toMatchObject({ id: `${S1}.checked-in`, attempts: 1 });

      await markDelivered(db, `${S1}.checked-in`, at(600));
      expect((await claimLaneHead(db, 'lane-a', at(600), at(1600)))?.id).toBe(`${S1}.dropped`);
    });

    it('leases the heads it returns: a second dispatcher gets none of them until the lease runs out', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a'), checkedIn(S2, 'lane-b')], at(0));
      expect(await claimDueHeads(db, at(0), 1, [], at(100))).toMatchObject([{ id: `${S1}.checked-in` }]);
      expect((await claimDueHeads(db, at(1), 10, [], at(100))).map((h) => h.id)).toEqual([
        `${S2}.checked-in`,
      ]);
      expect(await claimDueHeads(db, at(2), 10, [], at(100))).toEqual([]);
      expect((await claimDueHeads(db, at(100), 10, [], at(200))).map((h) => h.laneId)).toEqual([
        'lane-a',
        'lane-b',
      ]);
    });

    it('marks a head delivered and leases the next due message of its lane in one step', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a'), dropped(S1, 'lane-a'), checkedIn(S2, 'lane-b')], at(0));
      const [first] = await claimDueHeads(db, at(0), 1, [], at(100));
      const next = await markDeliveredClaimNext(db, first!.id, at(1), at(101));
      expect(next).toMatchObject({ id: `${S1}.dropped`, laneId: 'lane-a', message: dropped(S1, 'lane-a') });
      expect(await claimLaneHead(db, 'lane-a', at(2), at(102))).toBeNull();
      expect(await markDeliveredClaimNext(db, next!.id, at(3), at(103))).toBeNull();
      const rows = await listOutbox(db);
      expect(rows.map((r) => [r.id, r.deliveredAt])).toEqual([
        [`${S1}.checked-in`, at(1)],
        [`${S1}.dropped`, at(3)],
        [`${S2}.checked-in`, null],
      ]);
    });

    it('an expired lease makes the head claimable again', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a')], at(0));
      await claimLaneHead(db, 'lane-a', at(0), at(100));
      expect((await claimLaneHead(db, 'lane-a', at(100), at(200)))?.id).toBe(`${S1}.checked-in`);
    });

    it('a failed message no longer blocks its lane and keeps its error', async () => {
      await addToOutbox(db, [checkedIn(S1, 'lane-a'), dropped(S1, 'lane-a')], at(0));
      await markFailed(db, `${S1}.checked-in`, at(1), 'webhook_rejected: HTTP 400');
      expect((await claimDueHeads(db, at(1), 10, [], at(1))).map((h) => h.id)).toEqual([`${S1}.dropped`]);
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
