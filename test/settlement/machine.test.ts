// The settlement machine alone (src/settlement/machine.ts): one input at a time, the way the runner feeds it, with
// the exact settlement, next call and logs each step must produce.
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import type { SettlementSeed } from '../../src/sessions/types';
import { settlementFromSeed } from '../../src/settlement/from-seed';
import { captureAllKey, captureKey, cancelKey } from '../../src/settlement/keys';
import { stepSettlement } from '../../src/settlement/machine';
import type { Observed, Settlement } from '../../src/settlement/types';
import { T0, checkinFor, iso, vendingLane } from '../sessions/harness';

const SESSION_ID = sessionIdFor(checkinFor(vendingLane, T0 - 1500));
const DAY_MS = 86_400_000;

/** A vending payment of 100.00 NOK of which 25.00 was dispensed; the session's capture did not answer. */
function seed(overrides: Partial<SettlementSeed> = {}): SettlementSeed {
  return {
    sessionId: SESSION_ID,
    laneId: vendingLane.id,
    msn: vendingLane.msn,
    reference: referenceFor(vendingLane.id, SESSION_ID),
    kind: 'vending',
    currency: 'NOK',
    paymentCreatedAt: iso(T0),
    soldValue: 2500,
    authorizedValue: 10_000,
    capturedValue: 0,
    cancelledValue: 0,
    owed: true,
    ...overrides,
  };
}

const NOW = T0 + 60_000;
const at = (ms: number) => new Date(ms);

function observed(
  state: string,
  authorized: number,
  captured = 0,
  cancelled = 0,
  refunded = 0,
  ms = NOW,
): Observed {
  return { state, authorized, captured, cancelled, refunded, at: iso(ms) };
}

function open(overrides: Partial<SettlementSeed> = {}): Settlement {
  return settlementFromSeed(seed(overrides), at(T0 + 10_000));
}

describe('settlement machine: a refusal is read before anything is decided', () => {
  it('after a 4010 on the capture it reads, and adopts an aggregate showing the capture done: on to the cancel', () => {
    const read = stepSettlement(open(), { type: 'read', observed: observed('AUTHORIZED', 10_000) }, at(NOW));
    expect(read.next).toEqual({ call: 'capture', amount: 2500, idempotencyKey: captureKey(SESSION_ID) });

    const refused = stepSettlement(
      read.settlement,
      {
        type: 'op-failed',
        op: 'capture',
        failure: { status: 409, code: '4010', retryable: false, message: 'conflict', traceId: 't-1' },
      },
      at(NOW + 1000),
    );
    expect(refused.next).toEqual({ call: 'get' });
    expect(refused.settlement).toMatchObject({
      status: 'open',
      refusal: { op: 'capture', code: '4010', status: 409 },
      attempts: 0,
    });
    expect(refused.logs).toEqual([
      {
        level: 'warn',
        event: 'settlement-refused-read-first',
        fields: expect.objectContaining({ op: 'capture', code: '4010', status: 409, traceId: 't-1' }),
      },
    ]);

    // Vipps shows the 25.00 captured after all (the first capture succeeded unseen): recorded as done.
    const adopted = stepSettlement(
      refused.settlement,
      { type: 'read', observed: observed('AUTHORIZED', 10_000, 2500, 0, 0, NOW + 2000) },
      at(NOW + 2000),
    );
    expect(adopted.next).toEqual({ call: 'cancel', idempotencyKey: cancelKey(SESSION_ID) });
    expect(adopted.settlement).toMatchObject({
      status: 'open',
      refusal: null,
      reason: null,
      observed: observed('AUTHORIZED', 10_000, 2500, 0, 0, NOW + 2000),
    });

    const done = stepSettlement(
      adopted.settlement,
      { type: 'op-done', op: 'cancel', observed: observed('AUTHORIZED', 10_000, 2500, 7500, 0, NOW + 3000) },
      at(NOW + 3000),
    );
    expect(done.next).toBeNull();
    expect(done.settlement).toMatchObject({
      status: 'settled',
      reason: null,
      nextAttemptAt: null,
      attempts: 0,
      refusal: null,
    });
  });
});

describe('settlement machine: try-again answers', () => {
  it('retries a capture answered 6280 later, on the same Idempotency-Key', () => {
    const read = stepSettlement(open(), { type: 'read', observed: observed('AUTHORIZED', 10_000) }, at(NOW));
    const failed = stepSettlement(
      read.settlement,
      {
        type: 'op-failed',
        op: 'capture',
        failure: { status: 400, code: '6280', retryable: true, message: 'try again' },
      },
      at(NOW + 1000),
    );
    expect(failed.next).toBeNull();
    // First retry after the base delay (30 s); no refusal is remembered.
    expect(failed.settlement).toMatchObject({
      status: 'open',
      attempts: 1,
      nextAttemptAt: iso(NOW + 1000 + 30_000),
      refusal: null,
      reason: null,
    });
    expect(failed.logs).toEqual([
      {
        level: 'warn',
        event: 'settlement-retry-later',
        fields: expect.objectContaining({
          op: 'capture',
          attempts: 1,
          delayS: 30,
          code: '6280',
          status: 400,
        }),
      },
    ]);

    // The next pass reads first, then asks for the very same capture.
    const again = stepSettlement(
      failed.settlement,
      { type: 'read', observed: observed('AUTHORIZED', 10_000, 0, 0, 0, NOW + 31_000) },
      at(NOW + 31_000),
    );
    expect(again.next).toEqual({ call: 'capture', amount: 2500, idempotencyKey: captureKey(SESSION_ID) });
    expect(again.settlement.attempts).toBe(1);
  });
});

describe('settlement machine: 6140, partial capture not allowed for the sales unit', () => {
  it('switches to capturing the whole reservation and refunding the difference', () => {
    const read = stepSettlement(open(), { type: 'read', observed: observed('AUTHORIZED', 10_000) }, at(NOW));
    const refused = stepSettlement(
      read.settlement,
      {
        type: 'op-failed',
        op: 'capture',
        idempotencyKey: captureKey(SESSION_ID),
        failure: { status: 400, code: '6140', retryable: false, message: 'must capture full amount' },
      },
      at(NOW + 1000),
    );
    expect(refused.next).toEqual({ call: 'get' });
    expect(refused.settlement.refusal).toEqual({
      op: 'capture',
      key: captureKey(SESSION_ID),
      code: '6140',
      status: 400,
    });

    const switched = stepSettlement(
      refused.settlement,
      { type: 'read', observed: observed('AUTHORIZED', 10_000, 0, 0, 0, NOW + 2000) },
      at(NOW + 2000),
    );
    expect(switched.settlement).toMatchObject({
      status: 'open',
      strategy: 'capture-all',
      soldValue: 2500,
      captureTarget: 10_000,
      refusal: null,
      refunds: [
        {
          id: 'partial-capture',
          amount: 7500,
          reason: 'partial capture not allowed (6140): captured in full, difference refunded',
          kind: 'partial-capture',
          requestedBy: 'gateway',
          requestedAt: iso(NOW + 2000),
          confirmedAt: null,
        },
      ],
    });
    expect(switched.logs).toContainEqual({
      level: 'warn',
      event: 'settlement-partial-capture-not-allowed',
      fields: expect.objectContaining({ msn: vendingLane.msn }),
    });
    // The switch is saved before anything is captured: a lost save cannot capture it all and forget why.
    expect(switched.next).toBeNull();
    expect(switched.settlement.nextAttemptAt).toBe(iso(NOW + 2000));
    const next = stepSettlement(
      switched.settlement,
      { type: 'read', observed: observed('AUTHORIZED', 10_000, 0, 0, 0, NOW + 2500) },
      at(NOW + 2500),
    );
    expect(next.next).toEqual({ call: 'capture', amount: 10_000, idempotencyKey: captureAllKey(SESSION_ID) });

    const captured = stepSettlement(
      next.settlement,
      { type: 'op-done', op: 'capture', observed: observed('AUTHORIZED', 10_000, 10_000, 0, 0, NOW + 3000) },
      at(NOW + 3000),
    );
    expect(captured.next).toEqual(
      expect.objectContaining({ call: 'refund', amount: 7500, refundId: 'partial-capture' }),
    );

    const refunded = stepSettlement(
      captured.settlement,
      {
        type: 'op-done',
        op: 'refund',
        observed: observed('AUTHORIZED', 10_000, 10_000, 0, 7500, NOW + 4000),
      },
      at(NOW + 4000),
    );
    expect(refunded.next).toBeNull();
    expect(refunded.settlement.status).toBe('settled');
    expect(refunded.settlement.refunds[0]?.confirmedAt).toBe(iso(NOW + 4000));
    // The gateway's own refund is not a customer refund: nothing is told to the lane.
    expect(refunded.confirmedRefunds).toEqual([]);
  });
});

describe("settlement machine: Vipps's time limits and answers it does not know", () => {
  it('ends needs-attention capture-deadline-passed when the capture is owed past 180 days (NOK)', () => {
    const late = T0 + 181 * DAY_MS;
    const r = stepSettlement(
      open(),
      { type: 'read', observed: observed('AUTHORIZED', 10_000, 0, 0, 0, late) },
      at(late),
    );
    expect(r.next).toBeNull();
    expect(r.settlement).toMatchObject({
      status: 'needs-attention',
      reason: 'capture-deadline-passed',
      nextAttemptAt: null,
    });
    expect(r.logs).toEqual([
      {
        level: 'error',
        event: 'settlement-needs-attention',
        fields: expect.objectContaining({
          reason: 'capture-deadline-passed',
          soldValue: 2500,
          authorized: 10_000,
          captured: 0,
          cancelled: 0,
          refunded: 0,
        }),
      },
    ]);
  });

  it('is settled when Vipps has no such payment (404) and nothing was sold', () => {
    const s = open({ soldValue: 0, authorizedValue: 0 });
    const r = stepSettlement(s, { type: 'read', observed: observed('NOT_FOUND', 0) }, at(NOW));
    expect(r.next).toBeNull();
    expect(r.settlement).toMatchObject({
      status: 'settled',
      reason: null,
      nextAttemptAt: null,
      attempts: 0,
      observed: observed('NOT_FOUND', 0),
    });
  });

  it('needs attention when Vipps has no such payment but something was sold', () => {
    const r = stepSettlement(open(), { type: 'read', observed: observed('NOT_FOUND', 0) }, at(NOW));
    expect(r.settlement).toMatchObject({ status: 'needs-attention', reason: 'payment-not-found' });
  });

  it('reads again later when the payment is in a state it does not know, without failing anything', () => {
    const r = stepSettlement(open(), { type: 'read', observed: observed('PROCESSING_V2', 10_000) }, at(NOW));
    expect(r.next).toBeNull();
    expect(r.settlement).toMatchObject({
      status: 'open',
      reason: null,
      refusal: null,
      attempts: 1,
      nextAttemptAt: iso(NOW + 30_000),
    });
    expect(r.logs.map((l) => [l.level, l.event])).toEqual([
      ['warn', 'settlement-unknown-payment-state'],
      ['warn', 'settlement-retry-later'],
    ]);
    expect(r.logs[0]?.fields).toEqual(expect.objectContaining({ state: 'PROCESSING_V2' }));
  });
});
