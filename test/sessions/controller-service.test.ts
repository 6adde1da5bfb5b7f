// The real ControllerService on PGlite and the PostgresQueue: synchronous answers from the store, and the
// jobs it queues for the worker (which applies them in lane order). Sessions come from the real state machine.
import { ControllerServiceError } from '../../src/controller-api/controller-service';
import type { Input, Session } from '../../src/sessions/types';
import { systemClock } from '../../src/clock';
import { createControllerService } from '../../src/sessions/controller-service';
import { loadSale, saveOpenSale } from '../../src/store/sales-repo';
import { loadSession, saveSession } from '../../src/store/sessions-repo';
import { waitFor } from '../support/wait-for';
import { checkinFor, LaneSim, saleFor } from './harness';
import { useWorkerHarness } from './use-worker-harness';
import { shopSale, vending, type Harness } from './worker-harness';

let h: Harness;
useWorkerHarness((harness) => (h = harness));

const sale = { orderId: 'order-1', amount: 3200, currency: 'NOK' as const, description: 'Groceries' };

async function jobs(type: string): Promise<unknown[]> {
  const { rows } = await h.db.query<{ payload: unknown }>(
    'SELECT payload FROM jobs WHERE type = $1 ORDER BY id',
    [type],
  );
  return rows.map((r) => r.payload);
}

async function refusal(promise: Promise<unknown>): Promise<Pick<ControllerServiceError, 'code' | 'detail'>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ControllerServiceError);
  const { code, detail } = err as ControllerServiceError;
  return { code, detail };
}

/** Stores every session and the sale the simulator produced, as the worker would have. */
async function store(sim: LaneSim): Promise<Session> {
  for (const s of sim.sessions.values()) await saveSession(h.db, s, 0);
  if (sim.openSale) await saveOpenSale(h.db, sim.lane.id, sim.openSale, null, new Date());
  return sim.session;
}

/** A vending session, authorized for 10000 (or only checked in). */
function vendingSession(authorized = true): LaneSim {
  const now = Date.now();
  const sim = new LaneSim(vending, now);
  sim.apply(checkinFor(vending, now));
  sim.apply(sim.by('payment-created'));
  if (authorized) sim.apply(sim.poll('AUTHORIZED', 10000));
  return sim;
}

describe('openSale', () => {
  it('opens once, answers the same sale again as existing, and queues one job', async () => {
    const first = await h.service.openSale(shopSale.id, sale);
    expect(first).toEqual({
      status: 'opened',
      sale: { ...sale, laneId: shopSale.id, openedAt: expect.any(String) },
    });
    const again = await h.service.openSale(shopSale.id, sale);
    expect(again).toEqual({ status: 'existing', sale: first.sale });
    expect(await jobs('sale-opened')).toEqual([
      { sale: { ...sale, laneId: shopSale.id, openedAt: first.sale.openedAt } },
    ]);
  });

  it('refuses another order, or the same order with other details, with sale_conflict', async () => {
    await h.service.openSale(shopSale.id, sale);
    expect(await refusal(h.service.openSale(shopSale.id, { ...sale, orderId: 'order-2' }))).toEqual({
      code: 'sale_conflict',
      detail: `another sale is open on lane ${shopSale.id}; cancel it first`,
    });
    expect(await refusal(h.service.openSale(shopSale.id, { ...sale, amount: 3300 }))).toEqual({
      code: 'sale_conflict',
      detail: `order order-1 is already open on lane ${shopSale.id} with other details`,
    });
  });

  it('refuses an amount below what ePayment accepts with invalid_amount, before reserving anything', async () => {
    expect(await refusal(h.service.openSale(shopSale.id, { ...sale, amount: 99 }))).toEqual({
      code: 'invalid_amount',
      detail: 'expected an integer number of minor units ≥ 100 for NOK, got 99',
    });
    expect(await loadSale(h.db, shopSale.id)).toBeNull();
  });

  it('refuses an amount over the 65000000 cap with invalid_amount (not sale_conflict); nothing reserved or queued', async () => {
    expect(await refusal(h.service.openSale(shopSale.id, { ...sale, amount: 65_000_001 }))).toEqual({
      code: 'invalid_amount',
      detail: 'expected at most 65000000 minor units (the ePayment maximum), got 65000001',
    });
    expect(await loadSale(h.db, shopSale.id)).toBeNull();
    expect(await h.queue.stats()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 0 });
  });
});

describe('cancelSale', () => {
  it('none when no sale is open', async () => {
    expect(await h.service.cancelSale(shopSale.id)).toEqual({ status: 'none' });
  });

  it('withdraws a sale the worker has not taken yet; its queued job then does nothing', async () => {
    await h.service.openSale(shopSale.id, sale);
    expect(await h.service.cancelSale(shopSale.id)).toEqual({ status: 'cancelled' });
    expect(await loadSale(h.db, shopSale.id)).toBeNull();
    h.startWorker();
    await waitFor(async () => (await jobs('sale-opened')).length === 0, { what: 'the job to be handled' });
    expect(await loadSale(h.db, shopSale.id)).toBeNull();
    expect(h.logLines.some((l) => l.includes('sale-withdrawn'))).toBe(true);
  });

  it('an applied sale is cancelled through the lane’s queue', async () => {
    h.startWorker();
    await h.service.openSale(shopSale.id, sale);
    await waitFor(async () => (await loadSale(h.db, shopSale.id))?.applied, {
      what: 'the sale to be applied',
    });
    expect(await h.service.cancelSale(shopSale.id)).toEqual({ status: 'cancelled' });
    await waitFor(async () => (await loadSale(h.db, shopSale.id)) === null, { what: 'the sale to go' });
  });

  it('a sale whose payment is being captured is sale_finished', async () => {
    const now = Date.now();
    const sim = new LaneSim(shopSale, now);
    sim.apply({ type: 'sale-opened', sale: saleFor(shopSale, 'order-9', 3200, now) });
    sim.apply(checkinFor(shopSale, now));
    sim.apply(sim.event('AUTHORIZED', 3200));
    expect(sim.session.state).toBe('capturing');
    await store(sim);
    expect(await refusal(h.service.cancelSale(shopSale.id))).toEqual({
      code: 'sale_finished',
      detail: 'order order-9 is being paid',
    });
  });
});

describe('reportDispense', () => {
  it('unknown session ⇒ unknown_session; sessionLane finds the lane of a known one', async () => {
    expect(await refusal(h.service.reportDispense('s_nope', { result: 'failed' }))).toEqual({
      code: 'unknown_session',
      detail: 'no session s_nope',
    });
    const s = await store(vendingSession());
    expect(await h.service.sessionLane(s.id)).toBe(vending.id);
    expect(await h.service.sessionLane('s_nope')).toBeUndefined();
  });

  it('accepts once, queues it in the lane group, and answers a repeat as duplicate', async () => {
    const s = await store(vendingSession());
    expect(await h.service.reportDispense(s.id, { result: 'dispensed', amount: 2500 })).toEqual({
      status: 'accepted',
    });
    expect(await h.service.reportDispense(s.id, { result: 'dispensed', amount: 2500 })).toEqual({
      status: 'duplicate',
    });
    expect(await jobs('dispense-report')).toEqual([
      { sessionId: s.id, result: 'dispensed', amount: { currency: 'NOK', value: 2500 } },
    ]);
    const { rows } = await h.db.query<{ grp: string; dedup_key: string }>(
      "SELECT grp, dedup_key FROM jobs WHERE type = 'dispense-report'",
    );
    expect(rows).toEqual([{ grp: vending.id, dedup_key: `dispense:${s.id}` }]);
  });

  it('a different report while the accepted one is still queued ⇒ session_finished; nothing queued', async () => {
    const s = await store(vendingSession());
    expect(await h.service.reportDispense(s.id, { result: 'dispensed', amount: 2500 })).toEqual({
      status: 'accepted',
    });
    const before = { jobs: await h.queue.stats(), session: await loadSession(h.db, s.id) };
    expect(await refusal(h.service.reportDispense(s.id, { result: 'failed' }))).toEqual({
      code: 'session_finished',
      detail: `a different report (dispensed 2500) was already accepted for ${s.id}`,
    });
    expect(await refusal(h.service.reportDispense(s.id, { result: 'dispensed', amount: 2400 }))).toEqual({
      code: 'session_finished',
      detail: `a different report (dispensed 2500) was already accepted for ${s.id}`,
    });
    expect(await h.queue.stats()).toEqual(before.jobs);
    expect(await loadSession(h.db, s.id)).toEqual(before.session);
    expect(await jobs('dispense-report')).toEqual([
      { sessionId: s.id, result: 'dispensed', amount: { currency: 'NOK', value: 2500 } },
    ]);
    // The same report is still recognised.
    expect(await h.service.reportDispense(s.id, { result: 'dispensed', amount: 2500 })).toEqual({
      status: 'duplicate',
    });
  });

  it('the same report after an enqueue that failed is queued then, and answered duplicate', async () => {
    const s = await store(vendingSession());
    const down = createControllerService({
      db: h.db,
      queue: { enqueue: () => Promise.reject(new Error('queue unreachable')) },
      lanes: () => h.registry,
      clock: systemClock,
    });
    await expect(down.reportDispense(s.id, { result: 'failed' })).rejects.toThrow('queue unreachable');
    expect(await jobs('dispense-report')).toEqual([]);
    expect(await h.service.reportDispense(s.id, { result: 'failed' })).toEqual({ status: 'duplicate' });
    expect(await jobs('dispense-report')).toEqual([{ sessionId: s.id, result: 'failed' }]);
  });

  it('more than was authorized ⇒ amount_exceeds_authorized', async () => {
    const s = await store(vendingSession());
    expect(await refusal(h.service.reportDispense(s.id, { result: 'dispensed', amount: 10001 }))).toEqual({
      code: 'amount_exceeds_authorized',
      detail: 'at most 10000 was authorized',
    });
    expect(await jobs('dispense-report')).toEqual([]);
  });

  it('before authorization, or after the end, ⇒ session_finished', async () => {
    const pending = await store(vendingSession(false));
    expect(await refusal(h.service.reportDispense(pending.id, { result: 'failed' }))).toEqual({
      code: 'session_finished',
      detail: `session ${pending.id} cannot take this report (not-authorized, state payment-requested)`,
    });
    await h.reset();
    const sim = vendingSession();
    const timeout: Input = {
      type: 'timer',
      sessionId: sim.session.id,
      name: 'dispense-timeout',
      at: sim.session.timers['dispense-timeout'] as string,
    };
    sim.apply(timeout);
    sim.apply(sim.by('cancel-done'));
    const ended = await store(sim);
    expect(ended.state).toBe('cancelled');
    expect(await refusal(h.service.reportDispense(ended.id, { result: 'dispensed', amount: 100 }))).toEqual({
      code: 'session_finished',
      detail: `session ${ended.id} has ended (cancelled)`,
    });
  });

  it('the same report after the session completed is still a duplicate', async () => {
    const sim = vendingSession();
    sim.apply({
      type: 'dispense-report',
      sessionId: sim.session.id,
      result: 'dispensed',
      amount: { currency: 'NOK', value: 2500 },
    });
    sim.apply(sim.by('capture-done'));
    sim.apply(sim.by('cancel-done'));
    const done = await store(sim);
    expect(done.state).toBe('completed');
    expect(await h.service.reportDispense(done.id, { result: 'dispensed', amount: 2500 })).toEqual({
      status: 'duplicate',
    });
    expect(
      await refusal(h.service.reportDispense(done.id, { result: 'dispensed', amount: 2600 })),
    ).toMatchObject({
      code: 'session_finished',
    });
  });
});

describe('laneStatus', () => {
  it('shows the active session, the open sale and no outcomes yet', async () => {
    const s = await store(vendingSession());
    await h.service.openSale(shopSale.id, sale);
    expect(await h.service.laneStatus(vending.id)).toEqual({
      currentSession: { sessionId: s.id, state: 'authorized', startedAt: s.createdAt },
      openSale: null,
      lastSeenAt: null,
      recentOutcomes: [],
    });
    expect((await h.service.laneStatus(shopSale.id)).openSale).toMatchObject({
      orderId: 'order-1',
      amount: 3200,
    });
  });
});
