import { idempotencyKey, referenceFor, sessionIdFor } from '../../src/sessions/ids';
import { checkDispenseReport } from '../../src/sessions/dispense';
import { step } from '../../src/sessions/machine';
import type { Effect, Input, StepResult } from '../../src/sessions/types';
import { LaneSim, T0, TOKEN, checkinFor, effectTokens, iso, nok, vendingLane } from './harness';

const ofType = <T extends Effect['type']>(r: StepResult, type: T) =>
  r.effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
const messages = (r: StepResult) => ofType(r, 'send-lane-message').map((e) => e.message);
const dispensed = (sim: LaneSim, value: number): Input => ({
  type: 'dispense-report',
  sessionId: sim.session.id,
  result: 'dispensed',
  amount: nok(value),
});

/** A session authorized for the lane's 100.00 NOK, the webhook having arrived 8 s after the push. */
function authorizedSim(): LaneSim {
  const sim = new LaneSim(vendingLane, T0);
  sim.apply(checkinFor(vendingLane, T0 - 1500));
  sim.apply(sim.by('payment-created'), 400);
  sim.apply(sim.event('AUTHORIZED', 10000), 8000);
  return sim;
}

describe('vending: the happy path with a partial dispense', () => {
  it('reserves 100.00, captures the 25.00 dispensed, releases 75.00 and reports completed', () => {
    const sim = new LaneSim(vendingLane, T0);
    const checkin = checkinFor(vendingLane, T0 - 1500);
    const id = sessionIdFor(checkin);
    const reference = referenceFor(vendingLane.id, id);

    const started = sim.apply(checkin);
    expect(started.outcome).toEqual({ kind: 'applied' });
    expect(started.session).toMatchObject({
      id,
      reference,
      state: 'payment-requested',
      amount: nok(10000),
      version: 1,
    });
    expect(effectTokens(started.effects)).toEqual([
      'msg:checked-in',
      'msg:payment-requested',
      'create-payment',
      'timer:retry',
    ]);
    expect(ofType(started, 'create-payment')[0]).toEqual({
      type: 'create-payment',
      sessionId: id,
      laneId: vendingLane.id,
      msn: vendingLane.msn,
      reference,
      idempotencyKey: idempotencyKey(id, 'create'),
      amount: nok(10000),
      customerToken: TOKEN,
      description: vendingLane.description,
    });
    expect(messages(started)[1]).toEqual({
      id: `${id}.payment-requested`,
      v: 1,
      type: 'session.payment-requested',
      laneId: vendingLane.id,
      sessionId: id,
      at: iso(T0),
      data: { amount: nok(10000), orderId: null },
    });

    const created = sim.apply(sim.by('payment-created'), 400);
    expect(effectTokens(created.effects)).toEqual(['erase-token', 'timer:poll', 'timer:payment-deadline']);
    expect(created.session?.customerToken).toBeNull();
    expect(created.session?.timers).toEqual({
      poll: iso(T0 + 400 + 5000),
      'payment-deadline': iso(T0 + 400 + 11 * 60_000),
    });

    const authorized = sim.apply(sim.event('AUTHORIZED', 10000), 8000);
    expect(authorized.session?.state).toBe('authorized');
    expect(messages(authorized)).toEqual([
      expect.objectContaining({
        type: 'session.authorized',
        // The dispense window is the lane's dispense timeout (60 s) from the authorization.
        data: { maxAmount: nok(10000), dispenseBy: new Date(sim.now + 60_000).toISOString() },
      }),
    ]);
    expect(authorized.session?.timers).toEqual({ 'dispense-timeout': iso(sim.now + 60_000) });

    const report = sim.apply(dispensed(sim, 2500), 20_000);
    expect(report.session).toMatchObject({ state: 'capturing', dispensedValue: 2500 });
    expect(ofType(report, 'capture')).toEqual([
      expect.objectContaining({
        amount: nok(2500),
        idempotencyKey: idempotencyKey(id, 'capture'),
        reference,
      }),
    ]);

    const captured = sim.apply(sim.by('capture-done'), 600);
    expect(captured.session).toMatchObject({ state: 'cancelling', capturedValue: 2500 });
    expect(ofType(captured, 'cancel')).toEqual([
      expect.objectContaining({ idempotencyKey: idempotencyKey(id, 'cancel'), reference }),
    ]);

    const done = sim.apply(sim.by('cancel-done'), 500);
    expect(done.session).toMatchObject({
      state: 'completed',
      capturedValue: 2500,
      cancelledValue: 7500,
      timers: {},
    });
    expect(messages(done)).toEqual([
      expect.objectContaining({
        id: `${id}.completed`,
        type: 'session.completed',
        data: { capturedAmount: nok(2500), cancelledAmount: nok(7500), settlement: 'settled' },
      }),
    ]);
    expect(sim.active).toBeNull();
  });

  it('never lets the customer token out except in the create call', () => {
    const sim = authorizedSim();
    sim.apply(dispensed(sim, 2500), 1000);
    sim.apply(sim.by('capture-done'), 100);
    sim.apply(sim.by('cancel-done'), 100);
    const everything = sim.log.flatMap(({ result }) =>
      result.effects.filter((e) => e.type !== 'create-payment'),
    );
    expect(everything.length).toBeGreaterThan(8);
    expect(JSON.stringify(everything)).not.toContain(TOKEN);
    expect(JSON.stringify(sim.session)).not.toContain(TOKEN);
  });

  it('captures a full dispense without a cancel', () => {
    const sim = authorizedSim();
    sim.apply(dispensed(sim, 10000), 1000);
    const done = sim.apply(sim.by('capture-done'), 100);
    expect(done.session).toMatchObject({ state: 'completed', capturedValue: 10000, cancelledValue: 0 });
    expect(effectTokens(done.effects)).toEqual(['settlement:settled', 'msg:completed']);
  });

  it('takes the captured amount from the capture response aggregate when the worker passes it', () => {
    const sim = authorizedSim();
    sim.apply(dispensed(sim, 2500), 1000);
    const aggregate = {
      authorizedAmount: nok(10000),
      capturedAmount: nok(2500),
      cancelledAmount: nok(0),
      refundedAmount: nok(0),
    };
    const r = sim.apply({ type: 'capture-done', sessionId: sim.session.id, aggregate }, 100);
    expect(r.session?.capturedValue).toBe(2500);
  });
});

describe('vending: nothing dispensed, failures and timeouts release the reservation', () => {
  it.each([
    ['dispensed 0.00', { result: 'dispensed', amount: nok(0) }, 'nothing-dispensed'],
    ['a dispense failure', { result: 'failed' }, 'dispense-failed'],
  ] as const)('%s ⇒ cancel ⇒ cancelled', (_name, report, reason) => {
    const sim = authorizedSim();
    const r = sim.apply({ type: 'dispense-report', sessionId: sim.session.id, ...report }, 1000);
    expect(r.session?.state).toBe('cancelling');
    expect(effectTokens(r.effects)).toEqual(['cancel', 'timer:retry']);
    const done = sim.apply(sim.by('cancel-done'), 100);
    expect(done.session).toMatchObject({
      state: 'cancelled',
      reason,
      cancelledValue: 10000,
      capturedValue: 0,
    });
    expect(messages(done)).toEqual([
      expect.objectContaining({ type: 'session.cancelled', data: { reason, orderId: null } }),
    ]);
  });

  it("cancels when no report arrives within the lane's dispenseTimeoutS, and flags a report that comes later", () => {
    const sim = authorizedSim();
    const fired = sim.fire('dispense-timeout');
    expect(sim.now).toBe(T0 + 8400 + 60_000);
    expect(fired.session?.state).toBe('cancelling');
    sim.apply(sim.by('cancel-done'), 200);
    expect(sim.session).toMatchObject({ state: 'cancelled', reason: 'dispense-timeout' });

    const late = sim.apply(dispensed(sim, 2500), 5000);
    expect(late.outcome).toEqual({ kind: 'ignored', reason: 'session-ended' });
    expect(late.session).toBeNull();
    expect(ofType(late, 'log')).toEqual([
      expect.objectContaining({ level: 'warn', event: 'dispensed-after-session-ended' }),
    ]);
    expect(effectTokens(late.effects)).toEqual(['log:dispensed-after-session-ended']);
  });

  it('defaults the dispense timeout to 60 s when the lane does not set one', () => {
    const { dispenseTimeoutS: _unset, ...lane } = vendingLane;
    const sim = new LaneSim(lane, T0);
    sim.apply(checkinFor(lane, T0));
    sim.apply(sim.event('AUTHORIZED', 10000), 3000);
    expect(sim.session.timers['dispense-timeout']).toBe(iso(T0 + 3000 + 60_000));
  });
});

describe('vending: dispense report validation', () => {
  it('rejects a report above the authorized amount and captures nothing', () => {
    const sim = authorizedSim();
    const r = sim.apply(dispensed(sim, 10001), 1000);
    expect(r).toEqual({
      session: null,
      effects: [],
      outcome: { kind: 'invalid', reason: 'amount-exceeds-authorized' },
    });
    expect(sim.session.state).toBe('authorized');
  });

  it('treats the same report twice as a duplicate and a different second report as invalid', () => {
    const sim = authorizedSim();
    sim.apply(dispensed(sim, 2500), 1000);
    sim.apply(sim.by('capture-done'), 100);
    sim.apply(sim.by('cancel-done'), 100);
    const again = sim.apply(dispensed(sim, 2500), 100);
    expect(again).toEqual({
      session: null,
      effects: [],
      outcome: { kind: 'duplicate', reason: 'already-reported' },
    });
    const other = sim.apply(dispensed(sim, 3000), 100);
    expect(other.outcome).toEqual({ kind: 'invalid', reason: 'already-reported' });
    expect(sim.session).toMatchObject({ state: 'completed', capturedValue: 2500 });
  });

  it.each([
    ['no amount', { result: 'dispensed' }, 'amount-required'],
    [
      'another currency',
      { result: 'dispensed', amount: { currency: 'EUR', value: 100 } },
      'currency-mismatch',
    ],
    ['a negative amount', { result: 'dispensed', amount: nok(-1) }, 'invalid-amount'],
    ['a fractional amount', { result: 'dispensed', amount: nok(12.5) }, 'invalid-amount'],
    ['more than authorized', { result: 'dispensed', amount: nok(10001) }, 'amount-exceeds-authorized'],
  ] as const)('checkDispenseReport refuses %s', (_name, report, reason) => {
    expect(checkDispenseReport(authorizedSim().session, report)).toEqual({ kind: 'invalid', reason });
  });

  it('refuses a report before the customer has authorized', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    expect(checkDispenseReport(sim.session, { result: 'dispensed', amount: nok(100) })).toEqual({
      kind: 'invalid',
      reason: 'not-authorized',
    });
  });
});

describe('vending: one session per lane, dropped check-ins', () => {
  it('drops a second check-in while the lane is busy and tells the controller', () => {
    const sim = authorizedSim();
    const first = sim.session;
    const second = checkinFor(vendingLane, sim.now - 500, 'second-customer-token');
    const r = sim.apply(second);
    expect(r.session).toMatchObject({
      id: sessionIdFor(second),
      state: 'dropped',
      reason: 'busy',
      customerToken: null,
      amount: null,
    });
    expect(effectTokens(r.effects)).toEqual(['msg:dropped']);
    expect(messages(r)[0]).toMatchObject({ sessionId: sessionIdFor(second), data: { reason: 'busy' } });
    expect(JSON.stringify(r)).not.toContain('second-customer-token');
    expect(sim.sessions.get(first.id)).toBe(first);
  });

  it('drops a check-in on a disabled lane and one whose token has (nearly) expired', () => {
    const disabled = new LaneSim({ ...vendingLane, enabled: false }, T0).apply(checkinFor(vendingLane, T0));
    expect(disabled.session).toMatchObject({ state: 'dropped', reason: 'disabled' });
    // 15 min token life minus the 30 s safety margin.
    const stale = new LaneSim(vendingLane, T0).apply(checkinFor(vendingLane, T0 - (15 * 60 - 30) * 1000));
    expect(stale.session).toMatchObject({ state: 'dropped', reason: 'stale' });
    const fresh = new LaneSim(vendingLane, T0).apply(checkinFor(vendingLane, T0 - (15 * 60 - 31) * 1000));
    expect(fresh.session?.state).toBe('payment-requested');
  });

  it('refuses a check-in for another QR code than the lane it was routed to', () => {
    const r = new LaneSim(vendingLane, T0).apply({ ...checkinFor(vendingLane, T0), merchantQrId: 'other' });
    expect(r).toEqual({ session: null, effects: [], outcome: { kind: 'invalid', reason: 'lane-mismatch' } });
  });
});

describe('vending: create errors', () => {
  const fail = (
    sim: LaneSim,
    extra: Partial<Extract<Input, { type: 'payment-create-failed' }>>,
  ): StepResult =>
    sim.apply(
      { type: 'payment-create-failed', sessionId: sim.session.id, retryable: false, message: 'x', ...extra },
      300,
    );

  it('4050 (invalid customer token) ⇒ failed, token erased, no retry', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    const r = fail(sim, { code: '4050', status: 400 });
    expect(r.session).toMatchObject({
      state: 'failed',
      reason: 'invalid-customer-token',
      customerToken: null,
      timers: {},
    });
    expect(effectTokens(r.effects)).toEqual(['erase-token', 'msg:failed']);
  });

  it('5080 (push not allowed) ⇒ failed with an operator hint in the log', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    const r = fail(sim, { code: '5080', status: 403 });
    expect(r.session).toMatchObject({ state: 'failed', reason: 'push-not-allowed' });
    expect(ofType(r, 'log')).toEqual([
      {
        type: 'log',
        level: 'warn',
        event: 'push-not-allowed',
        fields: expect.objectContaining({
          msn: vendingLane.msn,
          hint: 'Ask Vipps MobilePay to allow push payments (skip landing page) for this sales unit',
        }),
      },
    ]);
  });

  it('another 4xx ⇒ failed rejected, logged with status and code but not the message', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    const r = fail(sim, { code: '4040', status: 400, message: `bad ${TOKEN}` });
    expect(r.session).toMatchObject({ state: 'failed', reason: 'rejected' });
    expect(ofType(r, 'log')[0]?.fields).toMatchObject({ code: '4040', status: 400 });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('retries 429/5xx/network with backoff and the same Idempotency-Key, then gives up before the token expires', () => {
    const sim = new LaneSim(vendingLane, T0);
    const first = sim.apply(checkinFor(vendingLane, T0));
    const create = ofType(first, 'create-payment')[0];
    const delays: number[] = [];
    let retries = 0;
    for (;;) {
      const failed = fail(sim, { status: 503, retryable: true });
      if (failed.session?.state !== 'payment-requested') break;
      delays.push(Date.parse(sim.session.timers.retry!) - sim.now);
      const again = sim.fire('retry');
      expect(ofType(again, 'create-payment')).toEqual([create]);
      retries += 1;
    }
    // 5 s doubling to the 300 s cap; the next retry would land after the token's last usable instant.
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 300].map((s) => s * 1000));
    expect(retries).toBe(7);
    expect(sim.now).toBeLessThan(T0 + 15 * 60_000);
    // Gave up: the create may have gone through unanswered, so it is cancelled before failing.
    expect(sim.session).toMatchObject({ state: 'cancelling', customerToken: null });
    const last = sim.log.at(-1)!.result;
    expect(effectTokens(last.effects)).toEqual([
      'log:create-payment-gave-up',
      'erase-token',
      'cancel',
      'timer:retry',
    ]);
    const done = sim.apply({
      type: 'cancel-failed',
      sessionId: sim.session.id,
      status: 404,
      retryable: false,
      message: 'nf',
    });
    expect(done.session).toMatchObject({ state: 'failed', reason: 'create-failed' });
  });

  it('honours a Retry-After longer than the backoff', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    fail(sim, { status: 429, retryable: true, retryAfterS: 42 });
    expect(sim.session.timers.retry).toBe(iso(sim.now + 42_000));
  });
});

describe('vending: polling backstop, deadline and reconciliation', () => {
  it('polls 5 s after create then every 2 s, and a poll that sees AUTHORIZED moves on without the webhook', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    sim.apply(sim.by('payment-created'), 300);
    const p1 = sim.fire('poll');
    expect(sim.now).toBe(T0 + 300 + 5000);
    expect(effectTokens(p1.effects)).toEqual(['get-payment', 'timer:poll']);
    expect(sim.session.timers.poll).toBe(iso(sim.now + 2000));
    const redelivered = sim.apply(sim.log.at(-1)!.input); // the same timer job again
    expect(redelivered.outcome).toEqual({ kind: 'ignored', reason: 'stale-timer' });
    sim.apply(sim.poll('CREATED'), 100);
    sim.fire('poll');
    const seen = sim.apply(sim.poll('AUTHORIZED', 10000), 150);
    expect(seen.session?.state).toBe('authorized');
    expect(seen.session?.timers.poll).toBeUndefined();
  });

  it('reads once more at the deadline and terminates a payment still CREATED ⇒ failed expired', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    sim.apply(sim.by('payment-created'), 300);
    const deadline = sim.fire('payment-deadline');
    expect(sim.now).toBe(T0 + 300 + 11 * 60_000);
    expect(effectTokens(deadline.effects)).toEqual(['get-payment', 'timer:payment-deadline']);
    expect(deadline.session?.timers.poll).toBeUndefined();
    const read = sim.apply(sim.poll('CREATED'), 200);
    expect(effectTokens(read.effects)).toEqual(['cancel', 'timer:retry']);
    const done = sim.apply(sim.event('TERMINATED', 10000), 300);
    expect(done.session).toMatchObject({ state: 'failed', reason: 'expired' });
  });

  it('cancels at the deadline recheck when the last read never answered', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    sim.apply(sim.by('payment-created'), 300);
    sim.fire('payment-deadline');
    const recheck = sim.fire('payment-deadline');
    expect(recheck.session?.state).toBe('cancelling');
    expect(ofType(recheck, 'cancel')).toHaveLength(1);
  });

  it('delivers when the last read finds the customer approved at the last second', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    sim.apply(sim.by('payment-created'), 300);
    sim.fire('payment-deadline');
    expect(sim.apply(sim.poll('AUTHORIZED', 10000), 200).session?.state).toBe('authorized');
  });

  it('answers an out-of-order CAPTURED webhook with a read and changes nothing', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    const r = sim.apply(sim.event('CAPTURED', 10000), 1000);
    expect(r).toEqual({
      session: null,
      effects: [expect.objectContaining({ type: 'get-payment', reference: sim.session.reference })],
      outcome: { kind: 'ignored', reason: 'out-of-order' },
    });
  });

  it('ignores unsuccessful operation events and events for another reference', () => {
    const sim = authorizedSim();
    expect(sim.apply(sim.event('CAPTURED', 100, false)).outcome).toEqual({
      kind: 'ignored',
      reason: 'unsuccessful-operation',
    });
    const foreign = { ...sim.event('CAPTURED', 100), reference: 'someone-elses-ref' };
    expect(sim.apply(foreign).outcome).toEqual({ kind: 'ignored', reason: 'unknown-session' });
    // A worker that loaded the wrong session still cannot apply another payment's event to it.
    const misrouted = step({ ...sim.contextFor(foreign), session: sim.session }, foreign, new Date(sim.now));
    expect(misrouted).toEqual({
      session: null,
      effects: [],
      outcome: { kind: 'ignored', reason: 'reference-mismatch' },
    });
  });

  it('finishes a capture the worker never heard back about when a read shows it done', () => {
    const sim = authorizedSim();
    sim.apply(dispensed(sim, 2500), 1000);
    const r = sim.apply(sim.poll('AUTHORIZED', 10000, 2500, 0), 1000);
    expect(r.session).toMatchObject({ state: 'cancelling', capturedValue: 2500 });
  });
});

describe('vending: crashes and redeliveries', () => {
  it('re-issues the identical create when the check-in is redelivered before the payment exists', () => {
    const sim = new LaneSim(vendingLane, T0);
    const checkin = checkinFor(vendingLane, T0);
    const first = sim.apply(checkin);
    const again = sim.apply(checkin, 2000);
    expect(again.outcome).toEqual({ kind: 'duplicate', reason: 'checkin-redelivered' });
    expect(ofType(again, 'create-payment')).toEqual(ofType(first, 'create-payment'));
    expect(messages(again)).toEqual([]);
  });

  it('re-issues a byte-identical create even if the lanes file was reloaded with a new description', () => {
    const sim = new LaneSim(vendingLane, T0);
    const checkin = checkinFor(vendingLane, T0);
    const first = sim.apply(checkin);
    const reloaded = { ...sim.contextFor(checkin), lane: { ...vendingLane, description: 'Renamed machine' } };
    const again = step(reloaded, checkin, new Date(T0 + 1000));
    expect(ofType(again, 'create-payment')).toEqual(ofType(first, 'create-payment'));
  });

  it('takes timing overrides from the context (e.g. a slower first poll)', () => {
    const sim = new LaneSim(vendingLane, T0);
    sim.apply(checkinFor(vendingLane, T0));
    const created = step(
      { ...sim.contextFor(sim.by('payment-created')), timing: { firstPollS: 9 } },
      sim.by('payment-created'),
      new Date(T0),
    );
    expect(created.session?.timers.poll).toBe(iso(T0 + 9000));
  });

  it('hands a capture whose result was lost to the settlement when its watchdog fires, freeing the lane', () => {
    const sim = authorizedSim();
    sim.apply(dispensed(sim, 2500), 1000);
    const lost = sim.fire('retry');
    // The goods left the machine against an authorization: the customer is done, the settlement captures.
    expect(lost.session).toMatchObject({ state: 'completed', reason: null, pending: null, timers: {} });
    expect(effectTokens(lost.effects)).toEqual([
      'log:settlement-takes-over',
      'settlement:owed',
      'msg:completed',
    ]);
    expect(ofType(lost, 'open-settlement')[0]).toMatchObject({
      seed: { soldValue: 2500, authorizedValue: 10000, capturedValue: 0, owed: true },
    });
    expect(messages(lost)[0]?.data).toEqual({
      capturedAmount: nok(2500),
      cancelledAmount: nok(7500),
      settlement: 'pending',
    });
  });

  it('is deterministic and pure: same context, input and instant give the same result; nothing is mutated', () => {
    const sim = authorizedSim();
    const ctx = sim.contextFor(dispensed(sim, 2500));
    const frozen = JSON.parse(JSON.stringify(ctx)) as typeof ctx;
    const input = dispensed(sim, 2500);
    const a = step(deepFreeze(frozen), deepFreeze(input), new Date(T0 + 60_000));
    const b = step(frozen, input, new Date(T0 + 60_000));
    expect(a).toEqual(b);
    expect(frozen).toEqual(JSON.parse(JSON.stringify(ctx)));
  });

  it('keeps sessions JSON-serialisable: a round-tripped session steps identically', () => {
    const sim = authorizedSim();
    const ctx = sim.contextFor(dispensed(sim, 2500));
    const roundTripped = JSON.parse(JSON.stringify(ctx)) as typeof ctx;
    const at = new Date(T0 + 30_000);
    expect(step(roundTripped, dispensed(sim, 2500), at)).toEqual(step(ctx, dispensed(sim, 2500), at));
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
