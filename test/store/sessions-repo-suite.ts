// The session store on a real database: sessions with optimistic concurrency and a visible token erasure, the
// append-only history, lane status and open sales. Sessions come from the real state machine (LaneSim).
import { appendHistory, recentEndings, sessionHistory } from '../../src/store/history-repo';
import { loadLaneStatus, recordLaneStep } from '../../src/store/lane-status-repo';
import { loadActiveSession, loadLaneView } from '../../src/store/lane-view-repo';
import {
  deleteUnappliedSale,
  loadOpenSale,
  loadSale,
  reserveSale,
  saveOpenSale,
} from '../../src/store/sales-repo';
import {
  ConcurrentUpdateError,
  eraseCustomerToken,
  listOverdueSessions,
  loadSession,
  loadSessionByReference,
  saveSession,
} from '../../src/store/sessions-repo';
import type { Database } from '../../src/store/sql';
import type { Session } from '../../src/sessions/types';
import { checkinFor, LaneSim, saleFor, selfCheckoutLane, T0, TOKEN, vendingLane } from '../sessions/harness';

export function defineSessionsRepoSuite(getDb: () => Database): void {
  let db: Database;
  beforeEach(() => {
    db = getDb();
  });

  /** A vending session just checked in (version 1, token held) and the simulator that made it. */
  function checkedIn(atMs = T0, token = TOKEN): { sim: LaneSim; session: Session } {
    const sim = new LaneSim(vendingLane, atMs);
    const r = sim.apply(checkinFor(vendingLane, atMs, token));
    if (!r.session) throw new Error('no session');
    return { sim, session: r.session };
  }

  async function tokenColumn(id: string): Promise<string | null | undefined> {
    const { rows } = await db.query<{ customer_token: string | null }>(
      'SELECT customer_token FROM sessions WHERE id = $1',
      [id],
    );
    return rows[0]?.customer_token;
  }

  describe('sessions', () => {
    it('stores a new session and loads it by id, by reference and as the lane’s active session', async () => {
      const { session } = checkedIn();
      await saveSession(db, session, 0);
      expect(await loadSession(db, session.id)).toEqual(session);
      expect(await loadSessionByReference(db, session.reference)).toEqual(session);
      expect(await loadActiveSession(db, vendingLane.id)).toEqual(session);
      expect(await loadActiveSession(db, 'other-lane')).toBeNull();
      expect(await loadSession(db, 's_00000000000000000000000000000000')).toBeNull();
    });

    it('keeps the token out of the JSON column, in its own column', async () => {
      const { session } = checkedIn();
      await saveSession(db, session, 0);
      const { rows } = await db.query<{ data: Record<string, unknown> }>('SELECT data FROM sessions');
      expect(rows[0]?.data).not.toHaveProperty('customerToken');
      expect(JSON.stringify(rows[0]?.data)).not.toContain(TOKEN);
      expect(await tokenColumn(session.id)).toBe(TOKEN);
    });

    it('rejects a save from a stale version with ConcurrentUpdateError', async () => {
      const { sim, session } = checkedIn();
      await saveSession(db, session, 0);
      const created = sim.apply(sim.by('payment-created')).session as Session;
      await saveSession(db, created, session.version);
      // A second writer that also read version 1 loses.
      const stale = { ...created, state: 'failed' as const };
      await expect(saveSession(db, stale, session.version)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(saveSession(db, session, 0)).rejects.toThrow(`session ${session.id} already exists`);
      expect(await loadSession(db, session.id)).toEqual(created);
    });

    it('erases the token with a visible UPDATE once the payment exists', async () => {
      const { sim, session } = checkedIn();
      await saveSession(db, session, 0);
      const created = sim.apply(sim.by('payment-created')).session as Session;
      expect(created.customerToken).toBeNull();
      await saveSession(db, created, session.version);
      expect(await tokenColumn(session.id)).toBeNull();
      expect((await loadSession(db, session.id))?.customerToken).toBeNull();
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM sessions WHERE data::text LIKE '%' || $1 || '%'",
        [TOKEN],
      );
      expect(rows[0]?.n).toBe(0);
    });

    it('eraseCustomerToken clears the column and is idempotent', async () => {
      const { session } = checkedIn();
      await saveSession(db, session, 0);
      await eraseCustomerToken(db, session.id);
      await eraseCustomerToken(db, session.id);
      expect(await tokenColumn(session.id)).toBeNull();
    });

    it('indexes the earliest timer so overdue sessions can be listed, and forgets ended ones', async () => {
      const { sim, session } = checkedIn();
      await saveSession(db, session, 0);
      const retryAt = Date.parse(session.timers.retry as string);
      expect(await listOverdueSessions(db, new Date(retryAt), 10)).toEqual([]);
      expect(await listOverdueSessions(db, new Date(retryAt + 1), 10)).toEqual([
        { id: session.id, laneId: vendingLane.id, timers: session.timers },
      ]);
      const failed = sim.apply({
        type: 'payment-create-failed',
        sessionId: session.id,
        code: '4050',
        status: 400,
        retryable: false,
        message: 'x',
      }).session as Session;
      await saveSession(db, failed, session.version);
      expect(await listOverdueSessions(db, new Date(retryAt + 1), 10)).toEqual([]);
      expect(await loadActiveSession(db, vendingLane.id)).toBeNull();
    });
  });

  describe('session history', () => {
    const entry = {
      sessionId: 's_1',
      laneId: vendingLane.id,
      at: new Date(T0),
      inputType: 'checkin',
      fromState: null,
      toState: 'payment-requested',
      outcome: 'applied',
      reason: null,
      effects: ['msg:checked-in', 'create-payment'],
    };

    it('appends and reads back in order', async () => {
      await appendHistory(db, entry);
      await appendHistory(db, { ...entry, inputType: 'payment-created', fromState: 'payment-requested' });
      const rows = await sessionHistory(db, 's_1');
      expect(rows.map((r) => [r.inputType, r.fromState, r.toState, r.effects])).toEqual([
        ['checkin', null, 'payment-requested', ['msg:checked-in', 'create-payment']],
        ['payment-created', 'payment-requested', 'payment-requested', ['msg:checked-in', 'create-payment']],
      ]);
    });

    it('refuses UPDATE and DELETE: the history is append-only', async () => {
      await appendHistory(db, entry);
      await expect(db.query("UPDATE session_history SET outcome = 'forged'")).rejects.toThrow(
        'session_history is append-only',
      );
      await expect(db.query('DELETE FROM session_history')).rejects.toThrow('session_history is append-only');
      expect(await sessionHistory(db, 's_1')).toHaveLength(1);
    });

    it('lists a lane’s endings newest first, with the captured amount from the session', async () => {
      const { session } = checkedIn();
      await saveSession(db, { ...session, state: 'completed', capturedValue: 2500, timers: {} }, 0);
      await appendHistory(db, { ...entry, sessionId: session.id });
      await appendHistory(db, {
        ...entry,
        sessionId: 's_dropped',
        fromState: null,
        toState: 'dropped',
        reason: 'busy',
        at: new Date(T0 + 1000),
      });
      await appendHistory(db, {
        ...entry,
        sessionId: session.id,
        fromState: 'cancelling',
        toState: 'completed',
        at: new Date(T0 + 2000),
      });
      // A later step on an ended session is not a second ending.
      await appendHistory(db, {
        ...entry,
        sessionId: session.id,
        fromState: 'completed',
        toState: 'completed',
      });
      expect(await recentEndings(db, vendingLane.id, 10)).toEqual([
        {
          sessionId: session.id,
          state: 'completed',
          at: new Date(T0 + 2000),
          reason: null,
          capturedValue: 2500,
        },
        {
          sessionId: 's_dropped',
          state: 'dropped',
          at: new Date(T0 + 1000),
          reason: 'busy',
          capturedValue: 0,
        },
      ]);
      expect(await recentEndings(db, vendingLane.id, 1)).toHaveLength(1);
    });
  });

  describe('lane status', () => {
    const at = new Date(T0);
    const step = (sessionId: string, active: boolean, seenAt: Date | null = null) =>
      recordLaneStep(db, { laneId: vendingLane.id, sessionId, active, seenAt, at });

    it('tracks the active session; an ending clears it only if it held the lane', async () => {
      await step('s_a', true, at);
      expect(await loadLaneStatus(db, vendingLane.id)).toMatchObject({
        activeSessionId: 's_a',
        lastSeenAt: at,
      });
      await step('s_b', false, new Date(T0 + 5)); // dropped as busy
      expect(await loadLaneStatus(db, vendingLane.id)).toMatchObject({
        activeSessionId: 's_a',
        lastSeenAt: new Date(T0 + 5),
      });
      await step('s_a', false);
      expect(await loadLaneStatus(db, vendingLane.id)).toMatchObject({
        activeSessionId: null,
        lastSeenAt: new Date(T0 + 5),
      });
      expect(await loadLaneStatus(db, 'unknown')).toBeNull();
    });
  });

  describe('open sales', () => {
    const sale = { ...saleFor(selfCheckoutLane, 'order-1', 4900, T0), sessionId: null };
    const now = new Date(T0);

    it('a reservation blocks a second sale and is invisible to the state machine until applied', async () => {
      expect(await reserveSale(db, sale, now)).toBe(true);
      expect(await reserveSale(db, { ...sale, orderId: 'order-2' }, now)).toBe(false);
      expect(await loadSale(db, selfCheckoutLane.id)).toEqual({ ...sale, applied: false });
      expect(await loadOpenSale(db, selfCheckoutLane.id)).toBeNull();
      await saveOpenSale(db, selfCheckoutLane.id, sale, null, now);
      expect(await loadOpenSale(db, selfCheckoutLane.id)).toEqual(sale);
      expect(await deleteUnappliedSale(db, selfCheckoutLane.id, 'order-1')).toBe(false);
    });

    it('binds, and removes only the order the step saw', async () => {
      await saveOpenSale(db, selfCheckoutLane.id, sale, null, now);
      const bound = { ...sale, sessionId: 's_x' };
      await saveOpenSale(db, selfCheckoutLane.id, bound, 'order-1', now);
      expect(await loadOpenSale(db, selfCheckoutLane.id)).toEqual(bound);
      await saveOpenSale(db, selfCheckoutLane.id, null, 'order-other', now);
      expect(await loadOpenSale(db, selfCheckoutLane.id)).toEqual(bound);
      await saveOpenSale(db, selfCheckoutLane.id, null, 'order-1', now);
      expect(await loadSale(db, selfCheckoutLane.id)).toBeNull();
    });

    it('withdraws an unapplied reservation', async () => {
      await reserveSale(db, sale, now);
      expect(await deleteUnappliedSale(db, selfCheckoutLane.id, 'order-1')).toBe(true);
      expect(await loadSale(db, selfCheckoutLane.id)).toBeNull();
    });
  });
  describe('lane view (what one step reads, in one statement)', () => {
    const sale = { ...saleFor(selfCheckoutLane, 'order-1', 4900, T0), sessionId: null };

    it('finds the named session by id or reference, with its lane’s active session and sale row', async () => {
      const { session } = checkedIn();
      await saveSession(db, session, 0);
      const byId = await loadLaneView(db, { by: 'id', value: session.id }, 'ignored-lane');
      expect(byId).toEqual({ session, laneId: vendingLane.id, activeSession: session, sale: null });
      const byRef = await loadLaneView(db, { by: 'reference', value: session.reference }, vendingLane.id);
      expect(byRef).toEqual(byId);
    });

    it('falls back to the given lane when nothing is named or found, and reads its sale row', async () => {
      await reserveSale(db, sale, new Date(T0));
      const unknown = { by: 'id', value: 's_00000000000000000000000000000000' } as const;
      for (const key of [{ by: 'none' } as const, unknown]) {
        expect(await loadLaneView(db, key, selfCheckoutLane.id)).toEqual({
          session: null,
          laneId: selfCheckoutLane.id,
          activeSession: null,
          sale: { ...sale, applied: false },
        });
      }
    });

    it('shows no active session once the named one has ended, and the newest of two if a bug left two', async () => {
      const { session } = checkedIn();
      await saveSession(db, session, 0);
      const older = {
        ...session,
        id: 's_older',
        reference: 'ref-older',
        createdAt: new Date(T0 - 1000).toISOString(),
      };
      await saveSession(db, older, 0);
      expect((await loadLaneView(db, { by: 'none' }, vendingLane.id)).activeSession).toEqual(session);
      const ended: Session = { ...session, state: 'cancelled', version: session.version + 1 };
      await saveSession(db, ended, session.version);
      const view = await loadLaneView(db, { by: 'id', value: session.id }, vendingLane.id);
      expect(view.session?.state).toBe(ended.state);
      expect(view.activeSession).toEqual(older);
    });
  });
}
