// What the demo's pairing scenarios share (demo-redirect.ts, demo-pairings.ts): the first vending lane offering a
// pairing, the simulated machine set to dispense a quarter of maxAmount, the customer's own timeline entries, and
// the end — the session's final lane message and the emulator's ledger checked as for a scanned scenario
// (authorize → dispense → capture the dispensed, release the rest), with the session's timeline.
import { lanePairings, type Lane, type Pairing } from '../lanes/lane';
import { referenceFor } from '../sessions/ids';
import { isFinalMessageType } from '../sessions/lane-message';
import { defaultDispenseAmount } from './controller-behavior';
import { checkFinal, checkPayment, type LedgerPayment } from './demo-scenarios';
import {
  controllerEntries,
  formatTimeline,
  laneEntries,
  vippsEntries,
  type TimelineEntry,
} from './demo-timeline';
import type { DispenseReportRecord, ReceivedMessage } from './simulated-controller';
import type { DeliveryRecord } from './state';

/** What demo.ts lends a scenario. */
export interface DemoTools {
  /** JSON over HTTP against the emulator. */
  readonly http: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  readonly pollFor: <T>(probe: () => Promise<T | undefined>, timeoutMs: number) => Promise<T | undefined>;
  readonly timeoutMs: number;
}

export interface DemoRunResult {
  readonly name: string;
  readonly lane: Lane;
  readonly lines: string[];
  readonly problems: string[];
  /** The payment's reference, once one was made. */
  readonly references: string[];
}

/** The lane a pairing's scenario uses: the first enabled vending lane offering it, if any. */
export function vendingLaneOffering(lanes: readonly Lane[], pairing: Pairing): Lane | undefined {
  return lanes.find((l) => l.kind === 'vending' && l.enabled && lanePairings(l).includes(pairing));
}

export interface VendingRun {
  readonly max: number;
  readonly dispensed: number;
  /** When the customer started (after the machine was set up). */
  readonly t0: number;
  /** Problems found on the way; `finish` adds the outcome's. */
  readonly problems: string[];
  /** A customer step for the timeline. */
  say(text: string): void;
  /** The scenario could not go on. */
  fail(problem: string): DemoRunResult;
  /** Waits for the session's end and checks it, its money and its timeline. */
  finish(sessionId: string): Promise<DemoRunResult>;
}

export async function startVendingRun(
  tools: DemoTools,
  lane: Lane,
  nameOf: (dispensed: number, max: number) => string,
): Promise<VendingRun> {
  const max = lane.maxAmount ?? 0;
  const dispensed = defaultDispenseAmount(max);
  const name = nameOf(dispensed, max);
  const problems: string[] = [];
  const customer: TimelineEntry[] = [];
  const messagesOf = async (): Promise<ReceivedMessage[]> =>
    (await tools.http<{ messages: ReceivedMessage[] }>('GET', `/emulator/v1/controllers/${lane.id}/messages`))
      .messages;
  await tools.http('PUT', `/emulator/v1/controllers/${lane.id}`, {
    dispense: { result: 'dispensed', amount: dispensed },
  });
  const t0 = Date.now();
  return {
    max,
    dispensed,
    t0,
    problems,
    say: (text) => void customer.push({ at: Date.now(), source: 'customer', text }),
    fail: (problem) => ({ name, lane, lines: [`  ✗ ${problem}`], problems: [problem], references: [] }),
    async finish(sessionId) {
      const reference = referenceFor(lane.id, sessionId);
      const final = await tools.pollFor(
        async () =>
          (await messagesOf()).find(
            (r) => r.message.sessionId === sessionId && isFinalMessageType(r.message.type),
          ),
        tools.timeoutMs,
      );
      const { payments } = await tools.http<{ payments: LedgerPayment[] }>(
        'GET',
        `/emulator/v1/payments?reference=${encodeURIComponent(reference)}`,
      );
      const released = max - dispensed;
      problems.push(
        ...checkFinal(final?.message, {
          type: 'session.completed',
          captured: dispensed,
          cancelled: released,
        }),
        ...checkPayment(payments[0], { state: 'AUTHORIZED', captured: dispensed, cancelled: released }),
      );
      const { deliveries } = await tools.http<{ deliveries: DeliveryRecord[] }>(
        'GET',
        `/emulator/v1/deliveries?reference=${encodeURIComponent(reference)}`,
      );
      const { reports } = await tools.http<{ reports: DispenseReportRecord[] }>(
        'GET',
        `/emulator/v1/controllers/${lane.id}`,
      );
      const entries = [
        ...customer,
        ...laneEntries(await messagesOf(), sessionId),
        ...vippsEntries(deliveries),
        ...controllerEntries(reports, sessionId),
      ];
      const lines = [
        `  session ${sessionId}`,
        ...formatTimeline(entries, t0),
        ...problems.map((p) => `  ✗ ${p}`),
      ];
      return { name, lane, lines, problems, references: [reference] };
    },
  };
}
