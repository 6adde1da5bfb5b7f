// Money after the session, over HTTP against the emulator (issue 12): the real gateway and the in-process
// Vipps emulator share a clock the test moves forward, so hours and days of Vipps time pass in a moment.
// The settlement is driven by its runner's own passes (`runOnce`); every check reads the emulator's ledger,
// the gateway's admin API and the lane messages the simulated controller received.
import type { PaymentDetail } from '../../src/settlement/payments-view';
import { OffsetClock } from '../support/offset-clock';
import { waitFor } from '../support/wait-for';
import { MSN, startE2e, type E2e, type LedgerPayment, type ScannedSession } from './harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LANES = ['vend-cancel', 'vend-capture', 'vend-6140', 'vend-refund', 'vend-deadline', 'vend-twice'].map(
  (id) => ({ id, kind: 'vending' as const, maxAmount: 10000 }),
);

describe('settlement over HTTP against the emulator', () => {
  const clock = new OffsetClock();
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({
      lanes: LANES,
      start: {
        clock,
        // One attempt per call: the settlement's own retries are what is under test.
        vipps: { retry: { baseMs: 1, maxMs: 5, maxAttempts: 1 } },
      },
    });
  });
  afterAll(() => e2e.close());

  async function detail(reference: string): Promise<PaymentDetail> {
    const res = await e2e.admin(`/admin/payments/${reference}`);
    expect(res.status).toBe(200);
    return (await res.json()) as PaymentDetail;
  }

  /** Runs settlement passes, each at the settlement's next attempt, until `done` holds (or gives up). */
  async function settleUntil(reference: string, done: (d: PaymentDetail) => boolean, maxPasses = 60) {
    for (let pass = 0; pass < maxPasses; pass += 1) {
      const d = await detail(reference);
      if (done(d)) return d;
      if (d.settlement.nextAttemptAt) clock.advanceTo(d.settlement.nextAttemptAt);
      await e2e.gateway.settlements?.runOnce();
    }
    throw new Error(`settlement of ${reference} did not get there in ${maxPasses} passes`);
  }

  async function ledger(reference: string): Promise<LedgerPayment> {
    const p = await e2e.payment(reference);
    if (!p) throw new Error(`no payment ${reference} at the emulator`);
    return p;
  }

  const amounts = (p: LedgerPayment) => ({
    authorized: p.aggregate.authorizedAmount.value,
    captured: p.aggregate.capturedAmount.value,
    cancelled: p.aggregate.cancelledAmount.value,
    refunded: p.aggregate.refundedAmount.value,
  });

  async function vend(laneId: string, amount: number): Promise<ScannedSession> {
    await e2e.control('PUT', `/emulator/v1/controllers/${laneId}`, {
      dispense: { result: 'dispensed', amount },
    });
    return e2e.scan(laneId);
  }

  it('a cancel failing for an hour keeps the remainder owed, then releases it when Vipps recovers', async () => {
    await e2e.control('POST', '/emulator/v1/faults', { operation: 'cancel', errorRate: 1, statuses: [503] });
    const s = await vend('vend-cancel', 2500);
    const final = await e2e.final(s);
    // The customer is done and the lane is free at once; the money is the settlement's.
    expect(final).toMatchObject({
      type: 'session.completed',
      data: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 }, settlement: 'pending' },
    });
    const started = clock.now().getTime();
    const anHourLater = await settleUntil(s.reference, () => clock.now().getTime() - started >= HOUR);
    expect(anHourLater.payment).toMatchObject({ status: 'open', owed: 'cancel', owedAmount: 7500 });
    expect(amounts(await ledger(s.reference))).toEqual({
      authorized: 10000,
      captured: 2500,
      cancelled: 0,
      refunded: 0,
    });
    const cancels = anHourLater.timeline.filter((t) => t.what === 'settlement cancel failed');
    expect(cancels.length).toBeGreaterThanOrEqual(5);
    // Every retry is the same operation at Vipps: the session's derived Idempotency-Key.
    expect(new Set(cancels.map((t) => t.detail['idempotencyKey']))).toEqual(
      new Set([`cg-${s.sessionId.slice(2)}-cancel`]),
    );
    expect(cancels.every((t) => t.detail['status'] === 503)).toBe(true);

    await e2e.control('DELETE', '/emulator/v1/faults?operation=cancel');
    const settled = await settleUntil(s.reference, (d) => d.payment.status !== 'open');
    expect(settled.payment).toMatchObject({
      status: 'settled',
      captured: 2500,
      cancelled: 7500,
      refunded: 0,
    });
    expect(amounts(await ledger(s.reference))).toEqual({
      authorized: 10000,
      captured: 2500,
      cancelled: 7500,
      refunded: 0,
    });
  });

  it('a capture failing, then answered 6280, then succeeding is captured once', async () => {
    // The session's capture and the settlement's first one are answered 6280 ("try again with the same key").
    await e2e.control('POST', '/emulator/v1/faults', { operation: 'capture', errorCode: '6280', count: 2 });
    const s = await vend('vend-capture', 4000);
    expect(await e2e.final(s)).toMatchObject({ type: 'session.completed', data: { settlement: 'pending' } });
    const settled = await settleUntil(s.reference, (d) => d.payment.status !== 'open');
    expect(settled.payment).toMatchObject({ status: 'settled', captured: 4000, cancelled: 6000 });
    const p = await ledger(s.reference);
    expect(amounts(p)).toEqual({ authorized: 10000, captured: 4000, cancelled: 6000, refunded: 0 });
    expect(p.events.filter((e) => e === 'CAPTURED')).toHaveLength(1);
    const captures = settled.timeline.filter((t) => t.what.includes(' capture '));
    expect(captures.map((t) => [t.what, t.detail['code'] ?? null, t.detail['idempotencyKey']])).toEqual([
      ['session capture failed', '6280', `cg-${s.sessionId.slice(2)}-capture`],
      ['settlement capture failed', '6280', `cg-${s.sessionId.slice(2)}-capture`],
      ['settlement capture ok', null, `cg-${s.sessionId.slice(2)}-capture`],
    ]);
  });

  it('a capture that succeeded but answered an error is adopted from the read, not repeated', async () => {
    await e2e.control('POST', '/emulator/v1/faults', {
      operation: 'capture',
      succeedThenFail: true,
      errorCode: '4010',
      count: 1,
    });
    const s = await vend('vend-twice', 3000);
    await e2e.final(s);
    const settled = await settleUntil(s.reference, (d) => d.payment.status !== 'open');
    expect(settled.payment).toMatchObject({ status: 'settled', captured: 3000, cancelled: 7000 });
    const p = await ledger(s.reference);
    expect(p.events.filter((e) => e === 'CAPTURED')).toHaveLength(1);
    expect(settled.timeline.filter((t) => t.what === 'settlement capture ok')).toHaveLength(0);
  });

  it('6140: partial capture not allowed ⇒ the whole reservation is captured and the difference refunded', async () => {
    const msn = await e2e.control('PUT', `/emulator/v1/merchants/${MSN}`, { partialCapture: false });
    expect(msn.status).toBe(200);
    try {
      const s = await vend('vend-6140', 2500);
      expect(await e2e.final(s)).toMatchObject({
        type: 'session.completed',
        data: { settlement: 'pending' },
      });
      const settled = await settleUntil(s.reference, (d) => d.payment.status !== 'open');
      expect(settled.payment).toMatchObject({ status: 'settled', sold: 2500 });
      expect(amounts(await ledger(s.reference))).toEqual({
        authorized: 10000,
        captured: 10000,
        cancelled: 0,
        refunded: 7500,
      });
      expect(settled.settlement).toMatchObject({
        strategy: 'capture-all',
        captureTarget: 10000,
        refunds: [{ id: 'partial-capture', amount: 7500, kind: 'partial-capture' }],
      });
      // The controller is not told of the strategy's refund: the customer paid what was dispensed.
      const types = (await e2e.messages('vend-6140')).map((m) => m.message.type);
      expect(types).not.toContain('session.refunded');
    } finally {
      await e2e.control('PUT', `/emulator/v1/merchants/${MSN}`, { partialCapture: true });
    }
  });

  it('a refund asked twice with one refundId is refunded once, and the lane is told', async () => {
    const s = await vend('vend-refund', 5000);
    expect(await e2e.final(s)).toMatchObject({ data: { settlement: 'settled' } });
    const ask = { refundId: 'coil-jam-1', amount: 1500, reason: 'coil jammed' };
    const first = await e2e.controllerApi('POST', `/v1/sessions/${s.sessionId}/refund`, ask);
    expect(first.status).toBe(202);
    const again = await e2e.controllerApi('POST', `/v1/sessions/${s.sessionId}/refund`, ask);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      status: 'duplicate',
      refund: { id: 'coil-jam-1', amount: 1500 },
    });
    const other = await e2e.controllerApi('POST', `/v1/sessions/${s.sessionId}/refund`, {
      ...ask,
      amount: 1600,
    });
    expect(other.status).toBe(409);
    const tooMuch = await e2e.controllerApi('POST', `/v1/sessions/${s.sessionId}/refund`, {
      refundId: 'coil-jam-2',
      amount: 3501,
    });
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.json()).toMatchObject({ code: 'refund_exceeds_captured' });

    const settled = await settleUntil(
      s.reference,
      (d) => d.payment.status === 'settled' && d.payment.refunded === 1500,
    );
    expect(settled.settlement.refunds).toEqual([
      expect.objectContaining({ id: 'coil-jam-1', amount: 1500, confirmedAt: expect.any(String) }),
    ]);
    expect(amounts(await ledger(s.reference))).toEqual({
      authorized: 10000,
      captured: 5000,
      cancelled: 5000,
      refunded: 1500,
    });
    const refunded = await waitFor(
      async () => (await e2e.messages('vend-refund')).find((m) => m.message.type === 'session.refunded'),
      { what: 'the session.refunded lane message' },
    );
    expect(refunded.message.data).toEqual({
      refundId: 'coil-jam-1',
      amount: { currency: 'NOK', value: 1500 },
      refundedAmount: { currency: 'NOK', value: 1500 },
      reason: 'coil jammed',
    });
  });

  it("a cancel refused past Vipps's time limit ends needs-attention, loud in the metrics", async () => {
    await e2e.control('POST', '/emulator/v1/faults', { operation: 'cancel', errorRate: 1, statuses: [503] });
    try {
      const s = await vend('vend-deadline', 1000);
      await e2e.final(s);
      await settleUntil(s.reference, (d) => d.settlement.attempts >= 2);
      clock.advance(181 * DAY); // Norway: 180 days to capture or cancel
      const ended = await settleUntil(s.reference, (d) => d.payment.status !== 'open');
      expect(ended.payment).toMatchObject({ status: 'needs-attention', reason: 'cancel-deadline-passed' });
      const metrics = await (await fetch(`${e2e.gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/^checkin_settlement_needs_attention [1-9]/m);
      const outstanding = await (await e2e.admin(`/admin/payments?outstanding=true`)).json();
      expect(
        (outstanding as { payments: { reference: string }[] }).payments.map((p) => p.reference),
      ).toContain(s.reference);
    } finally {
      await e2e.control('DELETE', '/emulator/v1/faults?operation=cancel');
    }
  });
});
