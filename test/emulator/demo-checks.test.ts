// The demo's verdicts (pure): a final lane message or a ledger entry that differs from the expectation is
// reported, field by field, so `npm run demo` exits non-zero.
import {
  checkFinal,
  checkPayment,
  demoScenarios,
  type LedgerPayment,
} from '../../src/emulator/demo-scenarios';
import { formatTimeline } from '../../src/emulator/demo-timeline';
import type { Lane } from '../../src/lanes/lane';

const ledger = (state: string, captured: number, cancelled: number): LedgerPayment => ({
  reference: 'cg000000000000-000000000000000000000000',
  state,
  aggregate: { capturedAmount: { value: captured }, cancelledAmount: { value: cancelled } },
});

describe('demo verdicts', () => {
  it('accepts the expected final message and names every differing field otherwise', () => {
    const expect_ = { type: 'session.completed', captured: 2500, cancelled: 7500 };
    const msg = (captured: number) => ({
      type: 'session.completed',
      data: { capturedAmount: { value: captured }, cancelledAmount: { value: 7500 } },
    });
    expect(checkFinal(msg(2500), expect_)).toEqual([]);
    expect(checkFinal(msg(2600), expect_)).toEqual(['captured: expected 2500, got 2600']);
    expect(
      checkFinal(
        { type: 'session.failed', data: { reason: 'aborted' } },
        { type: 'session.dropped', reason: 'busy' },
      ),
    ).toEqual([
      'final message: expected session.dropped, got session.failed',
      'reason: expected busy, got aborted',
    ]);
    expect(checkFinal(undefined, expect_)).toEqual(['no final lane message (expected session.completed)']);
  });

  it('checks the ledger state and amounts, and that no payment exists where none may', () => {
    const wanted = { state: 'AUTHORIZED', captured: 4900, cancelled: 0 };
    expect(checkPayment(ledger('AUTHORIZED', 4900, 0), wanted)).toEqual([]);
    expect(checkPayment(ledger('AUTHORIZED', 0, 4900), wanted)).toEqual([
      'ledger captured: expected 4900, got 0',
      'ledger cancelled: expected 0, got 4900',
    ]);
    expect(checkPayment(undefined, wanted)).toEqual(['no payment in the ledger (expected AUTHORIZED)']);
    expect(checkPayment(ledger('CREATED', 0, 0), null)).toEqual([
      'a payment exists (CREATED) but none was expected',
    ]);
    expect(checkPayment(undefined, null)).toEqual([]);
  });

  it('derives the expected amounts from the lanes file', () => {
    const base = {
      msn: '123456',
      description: 'x',
      currency: 'NOK',
      enabled: true,
      controller: { type: 'log' },
    } as const;
    const vending: Lane = { ...base, id: 'v', merchantQrId: 'v', kind: 'vending', maxAmount: 20000 };
    const shop: Lane = { ...base, id: 's', merchantQrId: 's', kind: 'self-checkout', fixedAmount: 1500 };
    const [vendingRuns, shopRuns] = demoScenarios(vending, shop);
    expect(vendingRuns?.[0]?.scans[0]?.expect.payment).toEqual({
      state: 'AUTHORIZED',
      captured: 5000,
      cancelled: 15000,
    });
    expect(shopRuns?.[0]?.scans[0]?.expect.final).toEqual({ type: 'session.paid', amount: 1500 });
  });

  it('prints the time since the scan and since the previous step, in time order', () => {
    const lines = formatTimeline(
      [
        { at: 1_120, source: 'lane', text: 'session.payment-requested' },
        { at: 1_000, source: 'customer', text: 'scans' },
        { at: 1_100, source: 'lane', text: 'session.checked-in' },
      ],
      1_000,
    );
    expect(lines.map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      '+0 ms (+0) customer scans',
      '+100 ms (+100) lane session.checked-in',
      '+120 ms (+20) lane session.payment-requested',
    ]);
  });
});
