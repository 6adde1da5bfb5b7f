// The demo's scripted scenarios and what each must end in (pure): built from the shipped lanes file's first
// vending and first self-checkout lane, so the expected amounts follow the file (maxAmount, fixedAmount).
import type { Lane } from '../lanes/lane';
import { defaultDispenseAmount, type DispenseBehavior } from './controller-behavior';
import { money } from './demo-timeline';
import type { CustomerBehavior } from './state';

export interface Expectation {
  /** The last lane message of the session, and its reason/amounts. */
  readonly final: {
    readonly type: string;
    readonly reason?: string;
    readonly amount?: number;
    readonly captured?: number;
    readonly cancelled?: number;
  };
  /** The emulator's ledger for the session's reference; null = no payment may exist. */
  readonly payment: { readonly state: string; readonly captured: number; readonly cancelled: number } | null;
}

export interface ScanStep {
  readonly customer: CustomerBehavior;
  readonly expect: Expectation;
}

export interface Scenario {
  readonly name: string;
  readonly lane: Lane;
  /** The simulated controller's behaviour for the lane during this scenario. */
  readonly controller?: DispenseBehavior;
  /** Scanned in order; each next scan waits until the previous session told its lane it checked in. */
  readonly scans: readonly ScanStep[];
}

/** A customer who takes a moment to approve, so the timeline shows the wait. */
const APPROVE: CustomerBehavior = { action: 'approve', afterMs: 300 };

/** Scenarios per lane: each list runs in order (one session per lane at a time); the lists run in parallel. */
export function demoScenarios(vending: Lane, selfCheckout: Lane): Scenario[][] {
  const max = vending.maxAmount ?? 0;
  const dispensed = defaultDispenseAmount(max);
  const price = selfCheckout.fixedAmount ?? 0;
  const vendingDone: Expectation = {
    final: { type: 'session.completed', captured: dispensed, cancelled: max - dispensed },
    payment: { state: 'AUTHORIZED', captured: dispensed, cancelled: max - dispensed },
  };
  return [
    [
      {
        name: `vending: approve, dispense ${money(dispensed)} of ${money(max)}`,
        lane: vending,
        controller: { result: 'dispensed', amount: dispensed },
        scans: [{ customer: APPROVE, expect: vendingDone }],
      },
      {
        name: 'vending: dispense failure releases the whole reservation',
        lane: vending,
        controller: { result: 'failed' },
        scans: [
          {
            customer: APPROVE,
            expect: {
              final: { type: 'session.cancelled', reason: 'dispense-failed' },
              payment: { state: 'AUTHORIZED', captured: 0, cancelled: max },
            },
          },
        ],
      },
      {
        name: 'vending: busy lane, a second scan while the first is served',
        lane: vending,
        controller: { result: 'dispensed', amount: dispensed },
        scans: [
          { customer: APPROVE, expect: vendingDone },
          {
            customer: APPROVE,
            expect: { final: { type: 'session.dropped', reason: 'busy' }, payment: null },
          },
        ],
      },
    ],
    [
      {
        name: `self-checkout: approve the fixed price ${money(price)}`,
        lane: selfCheckout,
        scans: [
          {
            customer: APPROVE,
            expect: {
              final: { type: 'session.paid', amount: price },
              payment: { state: 'AUTHORIZED', captured: price, cancelled: 0 },
            },
          },
        ],
      },
      {
        name: 'self-checkout: the customer rejects',
        lane: selfCheckout,
        scans: [
          {
            customer: { action: 'reject', afterMs: 300 },
            expect: {
              final: { type: 'session.failed', reason: 'aborted' },
              payment: { state: 'ABORTED', captured: 0, cancelled: 0 },
            },
          },
        ],
      },
      {
        name: 'self-checkout: the customer ignores the push ⇒ it expires',
        lane: selfCheckout,
        scans: [
          {
            customer: { action: 'ignore' },
            expect: {
              final: { type: 'session.failed', reason: 'expired' },
              payment: { state: 'EXPIRED', captured: 0, cancelled: 0 },
            },
          },
        ],
      },
    ],
  ];
}

const valueOf = (data: Readonly<Record<string, unknown>>, key: string): unknown =>
  (data[key] as { value?: unknown } | undefined)?.value;

/** Differences between the session's final lane message and the expectation (empty = as expected). */
export function checkFinal(
  message: { readonly type: string; readonly data: Readonly<Record<string, unknown>> } | undefined,
  expect: Expectation['final'],
): string[] {
  if (!message) return [`no final lane message (expected ${expect.type})`];
  const problems: string[] = [];
  const differs = (what: string, actual: unknown, wanted: unknown): void => {
    if (wanted !== undefined && actual !== wanted)
      problems.push(`${what}: expected ${String(wanted)}, got ${String(actual)}`);
  };
  differs('final message', message.type, expect.type);
  differs('reason', message.data['reason'], expect.reason);
  differs('amount', valueOf(message.data, 'amount'), expect.amount);
  differs('captured', valueOf(message.data, 'capturedAmount'), expect.captured);
  differs('released', valueOf(message.data, 'cancelledAmount'), expect.cancelled);
  return problems;
}

export interface LedgerPayment {
  readonly reference: string;
  readonly state: string;
  readonly aggregate: {
    readonly capturedAmount: { value: number };
    readonly cancelledAmount: { value: number };
  };
}

/** Differences between the emulator's ledger entry for the reference and the expectation. */
export function checkPayment(payment: LedgerPayment | undefined, expect: Expectation['payment']): string[] {
  if (expect === null) return payment ? [`a payment exists (${payment.state}) but none was expected`] : [];
  if (!payment) return [`no payment in the ledger (expected ${expect.state})`];
  const actual = {
    state: payment.state,
    captured: payment.aggregate.capturedAmount.value,
    cancelled: payment.aggregate.cancelledAmount.value,
  };
  return (['state', 'captured', 'cancelled'] as const)
    .filter((k) => actual[k] !== expect[k])
    .map((k) => `ledger ${k}: expected ${String(expect[k])}, got ${String(actual[k])}`);
}
