// Every reachable state × every input, for both lane kinds. Each fixture is reached by driving the real
// machine; each row states the next state (`=` unchanged), the outcome and the effects in order.
import type { Input, Session, SessionState } from '../../src/sessions/types';
import { LaneSim, T0, checkinFor, effectTokens, saleFor, selfCheckoutLane, vendingLane } from './harness';

type Build = () => LaneSim;

const vendingFixtures: Partial<Record<SessionState, Build>> = {};
{
  const requested = (): LaneSim => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0 - 2000));
    sim.apply(sim.by('payment-created'), 300);
    return sim;
  };
  const authorized = (): LaneSim => {
    const sim = requested();
    sim.apply(sim.event('AUTHORIZED', 10000), 8000);
    return sim;
  };
  const capturing = (): LaneSim => {
    const sim = authorized();
    sim.apply(
      {
        type: 'dispense-report',
        sessionId: sim.session.id,
        result: 'dispensed',
        amount: { currency: 'NOK', value: 2500 },
      },
      9000,
    );
    return sim;
  };
  const cancelling = (): LaneSim => {
    const sim = authorized();
    sim.apply({ type: 'dispense-report', sessionId: sim.session.id, result: 'failed' }, 9000);
    return sim;
  };
  Object.assign(vendingFixtures, {
    'payment-requested': requested,
    authorized,
    capturing,
    cancelling,
    completed: () => {
      const sim = capturing();
      sim.apply(sim.by('capture-done'), 400);
      sim.apply(sim.by('cancel-done'), 400);
      return sim;
    },
    cancelled: () => {
      const sim = cancelling();
      sim.apply(sim.by('cancel-done'), 400);
      return sim;
    },
    failed: () => {
      const sim = requested();
      sim.apply(sim.event('ABORTED', 10000), 20000);
      return sim;
    },
    dropped: () => {
      const sim = new LaneSim(vendingLane, T0);
      sim.apply(checkinFor(vendingLane, T0 - 20 * 60_000)); // token spent
      return sim;
    },
  });
}

const selfCheckoutFixtures: Partial<Record<SessionState, Build>> = {};
{
  const awaiting = (): LaneSim => {
    const sim = new LaneSim(selfCheckoutLane, T0);
    sim.apply(checkinFor(selfCheckoutLane, T0 - 2000));
    return sim;
  };
  const requested = (): LaneSim => {
    const sim = awaiting();
    sim.apply({ type: 'sale-opened', sale: saleFor(selfCheckoutLane, 'order-1', 4900, sim.now) }, 5000);
    sim.apply(sim.by('payment-created'), 300);
    return sim;
  };
  const capturing = (): LaneSim => {
    const sim = requested();
    sim.apply(sim.event('AUTHORIZED', 4900), 8000);
    return sim;
  };
  const cancelling = (): LaneSim => {
    const sim = requested();
    sim.apply({ type: 'sale-cancelled', laneId: selfCheckoutLane.id, orderId: 'order-1' }, 4000);
    return sim;
  };
  Object.assign(selfCheckoutFixtures, {
    'awaiting-sale': awaiting,
    'payment-requested': requested,
    capturing,
    cancelling,
    completed: () => {
      const sim = capturing();
      sim.apply(sim.by('capture-done'), 400);
      return sim;
    },
    cancelled: () => {
      const sim = cancelling();
      sim.apply(sim.by('cancel-done'), 400);
      return sim;
    },
    failed: () => {
      const sim = requested();
      sim.apply(sim.event('ABORTED', 4900), 20000);
      return sim;
    },
    dropped: () => {
      const sim = new LaneSim(selfCheckoutLane, T0);
      sim.apply(checkinFor(selfCheckoutLane, T0 - 20 * 60_000));
      return sim;
    },
  });
}

/** The inputs, each built from the session under test (its ids, its armed timers, its amounts). */
const inputs: Record<string, (sim: LaneSim, s: Session) => Input> = {
  'checkin (redelivered)': (sim) => sim.log[0]!.input,
  'checkin (another scan)': (sim) => checkinFor(sim.lane, sim.now - 1000, 'another-token'),
  'event CREATED': (sim, s) => sim.event('CREATED', s.amount?.value ?? 1000),
  'event AUTHORIZED': (sim, s) => sim.event('AUTHORIZED', s.amount?.value ?? 1000),
  'event ABORTED': (sim, s) => sim.event('ABORTED', s.amount?.value ?? 1000),
  'event EXPIRED': (sim, s) => sim.event('EXPIRED', s.amount?.value ?? 1000),
  'event TERMINATED': (sim, s) => sim.event('TERMINATED', s.amount?.value ?? 1000),
  'event CAPTURED': (sim, s) =>
    sim.event('CAPTURED', s.pending?.op === 'capture' ? s.pending.amount.value : (s.amount?.value ?? 1000)),
  'event CANCELLED': (sim, s) => sim.event('CANCELLED', s.authorizedValue - s.capturedValue),
  'event REFUNDED': (sim) => sim.event('REFUNDED', 100),
  'poll CREATED': (sim) => sim.poll('CREATED'),
  // A read consistent with what the session has already done.
  'poll AUTHORIZED': (sim, s) =>
    sim.poll('AUTHORIZED', s.amount?.value ?? 1000, s.capturedValue, s.cancelledValue),
  'poll EXPIRED': (sim) => sim.poll('EXPIRED'),
  'payment-created': (sim) => sim.by('payment-created'),
  'create failed 4050': (_sim, s) => ({
    type: 'payment-create-failed',
    sessionId: s.id,
    code: '4050',
    status: 400,
    retryable: false,
    message: 'Invalid CustomerToken',
  }),
  'create failed 503': (_sim, s) => ({
    type: 'payment-create-failed',
    sessionId: s.id,
    status: 503,
    retryable: true,
    message: 'unavailable',
  }),
  'capture-done': (sim) => sim.by('capture-done'),
  'capture failed 503': (_sim, s) => ({
    type: 'capture-failed',
    sessionId: s.id,
    status: 503,
    retryable: true,
    message: 'unavailable',
  }),
  'cancel-done': (sim) => sim.by('cancel-done'),
  'cancel failed 404': (_sim, s) => ({
    type: 'cancel-failed',
    sessionId: s.id,
    status: 404,
    retryable: false,
    message: 'not found',
  }),
  'sale-opened': (sim) => ({ type: 'sale-opened', sale: saleFor(sim.lane, 'order-2', 4900, sim.now) }),
  'sale-cancelled': (sim) => ({ type: 'sale-cancelled', laneId: sim.lane.id, orderId: 'order-1' }),
  'dispensed 2500': (_sim, s) => ({
    type: 'dispense-report',
    sessionId: s.id,
    result: 'dispensed',
    amount: { currency: 'NOK', value: 2500 },
  }),
  'dispense failed': (_sim, s) => ({ type: 'dispense-report', sessionId: s.id, result: 'failed' }),
  ...Object.fromEntries(
    (['poll', 'payment-deadline', 'dispense-timeout', 'sale-wait', 'retry'] as const).map((name) => [
      `timer ${name}`,
      (_sim: LaneSim, s: Session): Input => ({
        type: 'timer',
        sessionId: s.id,
        name,
        at: s.timers[name] ?? new Date(T0 - 1).toISOString(), // not armed: a stale job
      }),
    ]),
  ),
};

type Rows = Record<string, string>;
const IGNORED = '= ignored';
// A late event the ended session cannot account for: its settlement reads the payment again.
const RECHECK = '= ignored log:payment-changed-after-session settlement:owed';

// Defaults for a final session: nothing changes; a new scan starts a new session.
const finalVending = (overrides: Rows): Rows => ({
  'checkin (redelivered)': '= duplicate',
  'checkin (another scan)':
    'payment-requested applied msg:checked-in msg:payment-requested create-payment timer:retry',
  'sale-opened': '= invalid',
  ...overrides,
});
const finalSelfCheckout = (overrides: Rows): Rows => ({
  'checkin (redelivered)': '= duplicate',
  'checkin (another scan)': 'awaiting-sale applied msg:checked-in timer:sale-wait',
  'sale-opened': '= applied',
  'dispensed 2500': '= invalid',
  'dispense failed': '= invalid',
  ...overrides,
});
const activeCommon: Rows = {
  'checkin (redelivered)': '= duplicate',
  'checkin (another scan)': 'dropped applied msg:dropped',
  'event CREATED': '= duplicate',
  'event REFUNDED': IGNORED,
  'payment-created': '= duplicate',
};

const vendingTable: Partial<Record<SessionState, Rows>> = {
  'payment-requested': {
    ...activeCommon,
    'event AUTHORIZED': 'authorized applied timer:dispense-timeout msg:authorized',
    'event ABORTED': 'failed applied settlement:settled msg:failed',
    'event EXPIRED': 'failed applied settlement:settled msg:failed',
    'event TERMINATED': 'failed applied settlement:settled msg:failed',
    'event CAPTURED': '= ignored get-payment',
    'event CANCELLED': '= ignored get-payment',
    'poll AUTHORIZED': 'authorized applied timer:dispense-timeout msg:authorized',
    'poll EXPIRED': 'failed applied settlement:settled msg:failed',
    'sale-opened': '= invalid',
    'dispensed 2500': '= invalid',
    'dispense failed': '= invalid',
    'timer poll': '= applied get-payment timer:poll',
    'timer payment-deadline': '= applied get-payment timer:payment-deadline',
  },
  authorized: {
    ...activeCommon,
    'event AUTHORIZED': '= duplicate',
    'event ABORTED': '= ignored get-payment',
    'event EXPIRED': '= ignored get-payment',
    'event TERMINATED': '= ignored get-payment',
    'event CAPTURED': '= ignored get-payment',
    'event CANCELLED': '= ignored get-payment',
    'poll EXPIRED': '= ignored log:payment-state-inconsistent',
    'sale-opened': '= invalid',
    'dispensed 2500': 'capturing applied capture:2500 timer:retry',
    'dispense failed': 'cancelling applied cancel timer:retry',
    'timer dispense-timeout': 'cancelling applied cancel timer:retry',
  },
  capturing: {
    ...activeCommon,
    'event AUTHORIZED': '= duplicate',
    'event ABORTED': '= ignored get-payment',
    'event EXPIRED': '= ignored get-payment',
    'event TERMINATED': '= ignored get-payment',
    'event CAPTURED': 'cancelling applied cancel timer:retry',
    'event CANCELLED': '= ignored get-payment',
    'poll EXPIRED': '= ignored log:payment-state-inconsistent',
    'capture-done': 'cancelling applied cancel timer:retry',
    'capture failed 503': 'completed applied log:settlement-takes-over settlement:owed msg:completed',
    'sale-opened': '= invalid',
    'dispensed 2500': '= duplicate capture:2500 timer:retry',
    'dispense failed': '= invalid',
    'timer retry': 'completed applied log:settlement-takes-over settlement:owed msg:completed',
  },
  cancelling: {
    ...activeCommon,
    'event ABORTED': 'cancelled applied settlement:owed msg:cancelled',
    'event EXPIRED': 'cancelled applied settlement:owed msg:cancelled',
    'event TERMINATED': 'cancelled applied settlement:owed msg:cancelled',
    'event CAPTURED': '= ignored get-payment',
    'event CANCELLED': 'cancelled applied settlement:settled msg:cancelled',
    'poll EXPIRED': 'cancelled applied settlement:owed msg:cancelled',
    'cancel-done': 'cancelled applied settlement:settled msg:cancelled',
    'cancel failed 404': 'cancelled applied log:settlement-takes-over settlement:owed msg:cancelled',
    'sale-opened': '= invalid',
    'dispensed 2500': '= invalid',
    'dispense failed': '= duplicate cancel timer:retry',
    'timer retry': 'cancelled applied log:settlement-takes-over settlement:owed msg:cancelled',
  },
  completed: finalVending({
    'event CAPTURED': RECHECK,
    'capture-done': '= duplicate',
    'dispensed 2500': '= duplicate',
    'dispense failed': '= invalid',
  }),
  cancelled: finalVending({
    'event CAPTURED': RECHECK,
    'dispensed 2500': '= invalid',
    'dispense failed': '= duplicate',
  }),
  failed: finalVending({
    'event AUTHORIZED': RECHECK,
    'poll AUTHORIZED': RECHECK,
    'event CAPTURED': RECHECK,
    'dispensed 2500': '= ignored log:dispensed-after-session-ended',
  }),
  dropped: finalVending({
    'event AUTHORIZED': RECHECK,
    'poll AUTHORIZED': RECHECK,
    'event CAPTURED': RECHECK,
    'dispensed 2500': '= ignored log:dispensed-after-session-ended',
  }),
};

const selfCheckoutTable: Partial<Record<SessionState, Rows>> = {
  'awaiting-sale': {
    ...activeCommon,
    'event CREATED': IGNORED,
    'payment-created': IGNORED,
    'sale-opened': 'payment-requested applied msg:payment-requested create-payment timer:retry',
    'dispensed 2500': '= invalid',
    'dispense failed': '= invalid',
    'timer sale-wait': 'cancelled applied erase-token msg:cancelled',
  },
  'payment-requested': {
    ...activeCommon,
    'event AUTHORIZED': 'capturing applied capture:4900 timer:retry',
    'event ABORTED': 'failed applied settlement:settled msg:failed',
    'event EXPIRED': 'failed applied settlement:settled msg:failed',
    'event TERMINATED': 'failed applied settlement:settled msg:failed',
    'event CAPTURED': '= ignored get-payment',
    'event CANCELLED': '= ignored get-payment',
    'poll AUTHORIZED': 'capturing applied capture:4900 timer:retry',
    'poll EXPIRED': 'failed applied settlement:settled msg:failed',
    'sale-opened': '= invalid',
    'sale-cancelled': 'cancelling applied cancel timer:retry',
    'dispensed 2500': '= invalid',
    'dispense failed': '= invalid',
    'timer poll': '= applied get-payment timer:poll',
    'timer payment-deadline': '= applied get-payment timer:payment-deadline',
  },
  capturing: {
    ...activeCommon,
    'event AUTHORIZED': '= duplicate capture:4900 timer:retry',
    'event ABORTED': '= ignored get-payment',
    'event EXPIRED': '= ignored get-payment',
    'event TERMINATED': '= ignored get-payment',
    'event CAPTURED': 'completed applied settlement:settled msg:paid',
    'event CANCELLED': '= ignored get-payment',
    'poll EXPIRED': '= ignored log:payment-state-inconsistent',
    'capture-done': 'completed applied settlement:settled msg:paid',
    'capture failed 503': 'completed applied log:settlement-takes-over settlement:owed msg:paid',
    'sale-opened': '= invalid',
    'sale-cancelled': '= invalid',
    'dispensed 2500': '= invalid',
    'dispense failed': '= invalid',
    'timer retry': 'completed applied log:settlement-takes-over settlement:owed msg:paid',
  },
  cancelling: {
    ...activeCommon,
    'event ABORTED': 'cancelled applied settlement:settled msg:cancelled',
    'event EXPIRED': 'cancelled applied settlement:settled msg:cancelled',
    'event TERMINATED': 'cancelled applied settlement:settled msg:cancelled',
    'event CAPTURED': '= ignored get-payment',
    'event CANCELLED': 'cancelled applied settlement:settled msg:cancelled',
    'poll EXPIRED': 'cancelled applied settlement:settled msg:cancelled',
    'cancel-done': 'cancelled applied settlement:settled msg:cancelled',
    'cancel failed 404': 'cancelled applied log:settlement-takes-over settlement:owed msg:cancelled',
    'sale-opened': '= applied',
    'dispensed 2500': '= invalid',
    'dispense failed': '= invalid',
    'timer retry': 'cancelled applied log:settlement-takes-over settlement:owed msg:cancelled',
  },
  completed: finalSelfCheckout({ 'capture-done': '= duplicate' }),
  cancelled: finalSelfCheckout({
    'event AUTHORIZED': RECHECK,
    'poll AUTHORIZED': RECHECK,
    'event CAPTURED': RECHECK,
  }),
  failed: finalSelfCheckout({
    // The failed session released its sale, so the next scan pays it.
    'checkin (another scan)':
      'payment-requested applied msg:checked-in msg:payment-requested create-payment timer:retry',
    'event AUTHORIZED': RECHECK,
    'poll AUTHORIZED': RECHECK,
    'event CAPTURED': RECHECK,
    'sale-cancelled': '= applied',
  }),
  dropped: finalSelfCheckout({
    'event AUTHORIZED': RECHECK,
    'poll AUTHORIZED': RECHECK,
    'event CAPTURED': RECHECK,
  }),
};

function rowsFor(fixtures: Partial<Record<SessionState, Build>>, table: Partial<Record<SessionState, Rows>>) {
  return Object.entries(fixtures).flatMap(([state, build]) =>
    Object.keys(inputs).map(
      (input) => [state, input, table[state as SessionState]?.[input] ?? IGNORED, build!] as const,
    ),
  );
}

function run(build: Build, inputName: string): string {
  const sim = build();
  const before = sim.session;
  const input = inputs[inputName]!(sim, before);
  const result = sim.apply(input, 1000);
  const s = result.session;
  // `=` when the session under test keeps its state; a new session (another scan) shows its own state.
  const shown = !s || (s.id === before.id && s.state === before.state) ? '=' : s.state;
  return [shown, result.outcome.kind, ...effectTokens(result.effects)].join(' ');
}

describe.each([
  ['vending', vendingFixtures, vendingTable],
  ['self-checkout', selfCheckoutFixtures, selfCheckoutTable],
] as const)('%s lane: state × input', (_kind, fixtures, table) => {
  it('has a fixture in the state it is named after', () => {
    for (const [state, build] of Object.entries(fixtures)) expect(build!().session.state).toBe(state);
  });

  it.each(rowsFor(fixtures, table))('%s + %s ⇒ %s', (_state, inputName, expected, build) => {
    expect(run(build, inputName)).toBe(expected);
  });
});
