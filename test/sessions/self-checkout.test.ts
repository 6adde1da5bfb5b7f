import { idempotencyKey } from '../../src/sessions/ids';
import { checkSale } from '../../src/sessions/sales';
import type { Effect, StepResult } from '../../src/sessions/types';
import {
  LaneSim,
  T0,
  TOKEN,
  checkinFor,
  effectTokens,
  iso,
  nok,
  saleFor,
  selfCheckoutLane,
  vendingLane,
} from './harness';

const messages = (r: StepResult) =>
  r.effects
    .filter((e): e is Extract<Effect, { type: 'send-lane-message' }> => e.type === 'send-lane-message')
    .map((e) => e.message);
const fixedLane = { ...selfCheckoutLane, id: 'shop-bergen-4', merchantQrId: 'qr-shop-4', fixedAmount: 4900 };
const openSale = (sim: LaneSim, orderId: string, value: number, advanceMs = 0) =>
  sim.apply({ type: 'sale-opened', sale: saleFor(sim.lane, orderId, value, sim.now + advanceMs) }, advanceMs);

describe('self-checkout: fixedAmount', () => {
  it('requests the fixed amount, captures it in full on authorization and reports paid', () => {
    const sim = new LaneSim(fixedLane, T0);
    const started = sim.apply(checkinFor(fixedLane, T0 - 1000));
    expect(started.session).toMatchObject({ state: 'payment-requested', amount: nok(4900), sale: null });
    expect(messages(started).map((m) => m.data)).toEqual([
      { kind: 'self-checkout', awaitingSale: false },
      { amount: nok(4900), orderId: null },
    ]);
    sim.apply(sim.by('payment-created'), 300);
    const authorized = sim.apply(sim.event('AUTHORIZED', 4900), 9000);
    expect(authorized.session?.state).toBe('capturing');
    expect(authorized.effects.filter((e) => e.type === 'capture')).toEqual([
      expect.objectContaining({
        amount: nok(4900),
        idempotencyKey: idempotencyKey(sim.session.id, 'capture'),
      }),
    ]);
    const paid = sim.apply(sim.by('capture-done'), 500);
    expect(paid.session).toMatchObject({ state: 'completed', capturedValue: 4900 });
    expect(messages(paid)).toEqual([
      expect.objectContaining({
        type: 'session.paid',
        data: { amount: nok(4900), orderId: null, settlement: 'settled' },
      }),
    ]);
  });

  it('prefers an open sale over the fixed amount', () => {
    const sim = new LaneSim(fixedLane, T0);
    openSale(sim, 'order-7', 12900);
    expect(sim.apply(checkinFor(fixedLane, T0)).session?.amount).toEqual(nok(12900));
  });
});

describe('self-checkout: scan before the sale', () => {
  it('waits in awaiting-sale, then requests the sale amount when it opens, and removes the sale once paid', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    const checkin = sim.apply(checkinFor(selfCheckoutLane, T0 - 1000));
    expect(checkin.session).toMatchObject({ state: 'awaiting-sale', amount: null, customerToken: TOKEN });
    expect(effectTokens(checkin.effects)).toEqual(['msg:checked-in', 'timer:sale-wait']);
    expect(messages(checkin)[0]?.data).toEqual({ kind: 'self-checkout', awaitingSale: true });
    expect(checkin.session?.timers['sale-wait']).toBe(iso(T0 + 300_000)); // the lane's saleWaitS

    const opened = openSale(sim, 'order-1', 4900, 20_000);
    expect(opened.sale).toMatchObject({ orderId: 'order-1', sessionId: sim.session.id });
    expect(opened.session).toMatchObject({
      state: 'payment-requested',
      amount: nok(4900),
      sale: { orderId: 'order-1', amount: nok(4900), description: 'Order order-1' },
      timers: { retry: iso(sim.now + 60_000) },
    });
    expect(effectTokens(opened.effects)).toEqual(['msg:payment-requested', 'create-payment', 'timer:retry']);
    expect(opened.effects.find((e) => e.type === 'create-payment')).toMatchObject({
      amount: nok(4900),
      description: 'Order order-1',
      customerToken: TOKEN,
    });

    sim.apply(sim.by('payment-created'), 300);
    sim.apply(sim.poll('AUTHORIZED', 4900), 6000);
    const paid = sim.apply(sim.by('capture-done'), 300);
    expect(messages(paid)[0]).toMatchObject({
      type: 'session.paid',
      data: { amount: nok(4900), orderId: 'order-1', settlement: 'settled' },
    });
    expect(paid.sale).toBeNull();
    expect(sim.openSale).toBeNull();
  });

  it('waits at most until shortly before the token expires when the lane sets no limit', () => {
    const { saleWaitS: _unset, ...lane } = selfCheckoutLane;
    const sim = new LaneSim(lane, T0);
    const r = sim.apply(checkinFor(lane, T0 - 1000));
    expect(r.session?.timers['sale-wait']).toBe(iso(T0 - 1000 + (15 * 60 - 60) * 1000));
  });

  it('gives up at the sale-wait timer: cancelled sale-timeout, token erased', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    sim.apply(checkinFor(selfCheckoutLane, T0));
    const r = sim.fire('sale-wait');
    expect(r.session).toMatchObject({
      state: 'cancelled',
      reason: 'sale-timeout',
      customerToken: null,
      timers: {},
    });
    expect(effectTokens(r.effects)).toEqual(['erase-token', 'msg:cancelled']);
    expect(messages(r)[0]?.data).toEqual({ reason: 'sale-timeout', orderId: null });
  });

  it('a sale opened after the token can no longer pay ends the waiting session and keeps the sale open', () => {
    const { saleWaitS: _unset, ...lane } = selfCheckoutLane;
    const sim = new LaneSim(lane, T0);
    sim.apply(checkinFor(lane, T0));
    const r = openSale(sim, 'order-9', 4900, (15 * 60 - 30) * 1000);
    expect(r.session).toMatchObject({ state: 'cancelled', reason: 'sale-timeout' });
    expect(r.sale).toMatchObject({ orderId: 'order-9', sessionId: null });
  });
});

describe('self-checkout: sale before the scan, failures and cancellations', () => {
  it('binds the open sale at check-in', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    const opened = openSale(sim, 'order-1', 25900);
    expect(opened).toMatchObject({ session: null, outcome: { kind: 'applied' } });
    expect(sim.openSale).toMatchObject({ orderId: 'order-1', sessionId: null });
    const r = sim.apply(checkinFor(selfCheckoutLane, T0 + 1000), 2000);
    expect(r.session).toMatchObject({ state: 'payment-requested', amount: nok(25900) });
    expect(r.sale).toMatchObject({ orderId: 'order-1', sessionId: r.session?.id });
  });

  it('releases the sale when the customer aborts, so the next scan pays it', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    openSale(sim, 'order-1', 4900);
    sim.apply(checkinFor(selfCheckoutLane, T0));
    sim.apply(sim.by('payment-created'), 300);
    const aborted = sim.apply(sim.event('ABORTED', 4900), 15_000);
    expect(aborted.session).toMatchObject({ state: 'failed', reason: 'aborted' });
    expect(messages(aborted)[0]?.data).toEqual({ reason: 'aborted', orderId: 'order-1' });
    expect(aborted.sale).toMatchObject({ orderId: 'order-1', sessionId: null });

    const retry = sim.apply(checkinFor(selfCheckoutLane, sim.now, 'same-customer-new-token'), 1000);
    expect(retry.session).toMatchObject({ state: 'payment-requested', amount: nok(4900) });
    expect(retry.sale?.sessionId).toBe(retry.session?.id);
  });

  it('terminates the payment when the POS cancels the sale mid-payment ⇒ cancelled sale-cancelled', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    openSale(sim, 'order-1', 4900);
    sim.apply(checkinFor(selfCheckoutLane, T0));
    sim.apply(sim.by('payment-created'), 300);
    const r = sim.apply({ type: 'sale-cancelled', laneId: selfCheckoutLane.id, orderId: 'order-1' }, 2000);
    expect(r.sale).toBeNull();
    expect(r.session?.state).toBe('cancelling');
    expect(effectTokens(r.effects)).toEqual(['cancel', 'timer:retry']);
    const done = sim.apply(sim.event('CANCELLED', 4900), 400);
    expect(done.session).toMatchObject({ state: 'cancelled', reason: 'sale-cancelled' });
    expect(done.sale).toBeUndefined(); // already gone
  });

  it('refuses to cancel a sale whose authorized money is being captured', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    openSale(sim, 'order-1', 4900);
    sim.apply(checkinFor(selfCheckoutLane, T0));
    sim.apply(sim.event('AUTHORIZED', 4900), 5000);
    const r = sim.apply({ type: 'sale-cancelled', laneId: selfCheckoutLane.id, orderId: 'order-1' }, 100);
    expect(r).toEqual({
      session: null,
      effects: [],
      outcome: { kind: 'invalid', reason: 'sale-being-paid' },
    });
  });

  it('removes an open sale nobody is paying, and ignores an unknown order id', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    openSale(sim, 'order-1', 4900);
    expect(
      sim.apply({ type: 'sale-cancelled', laneId: selfCheckoutLane.id, orderId: 'nope' }).outcome,
    ).toEqual({
      kind: 'ignored',
      reason: 'unknown-sale',
    });
    const r = sim.apply({ type: 'sale-cancelled', laneId: selfCheckoutLane.id, orderId: 'order-1' });
    expect(r).toEqual({ session: null, sale: null, effects: [], outcome: { kind: 'applied' } });
  });
});

describe('self-checkout: opening a sale', () => {
  it.each([
    ['a vending lane', vendingLane, {}, 'not-self-checkout'],
    ['a disabled lane', { ...selfCheckoutLane, enabled: false }, {}, 'lane-disabled'],
    ['another lane id', selfCheckoutLane, { laneId: 'other' }, 'lane-mismatch'],
    ['an empty order id', selfCheckoutLane, { orderId: '' }, 'invalid-order-id'],
    ['another currency', selfCheckoutLane, { currency: 'EUR' }, 'currency-mismatch'],
    ['less than 1 NOK', selfCheckoutLane, { amount: 99 }, 'invalid-amount'],
    ['a fractional amount', selfCheckoutLane, { amount: 100.5 }, 'invalid-amount'],
    ['more than the ePayment maximum', selfCheckoutLane, { amount: 65_000_001 }, 'invalid-amount'],
  ] as const)('refuses %s', (_name, lane, override, reason) => {
    const sale = { ...saleFor(selfCheckoutLane, 'order-1', 4900, T0), ...override };
    expect(checkSale(lane, sale)).toBe(reason);
    const r = new LaneSim(lane, T0).apply({ type: 'sale-opened', sale });
    expect(r).toEqual({ session: null, effects: [], outcome: { kind: 'invalid', reason } });
  });

  it('treats the same sale twice as a duplicate, a reused order id as invalid, and a sale in payment as taken', () => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    openSale(sim, 'order-1', 4900);
    expect(openSale(sim, 'order-1', 4900).outcome).toEqual({
      kind: 'duplicate',
      reason: 'sale-already-open',
    });
    expect(openSale(sim, 'order-1', 5900).outcome).toEqual({ kind: 'invalid', reason: 'order-id-reused' });
    sim.apply(checkinFor(selfCheckoutLane, T0));
    expect(openSale(sim, 'order-2', 5900).outcome).toEqual({ kind: 'invalid', reason: 'sale-in-progress' });
  });
});
