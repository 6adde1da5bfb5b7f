// The demo's screen-qr and personal-qr scenarios (issue 16), played over HTTP as a lane controller and a customer
// would: the controller asks POST /v1/lanes/{laneId}/sessions (signed with the sandbox's controller key), the
// screen's QR comes in session.qr-ready and a simulated customer scans it at the emulator; or a simulated
// customer's personal QR is "scanned" and the push goes to them. Then the lane messages and the emulator's ledger
// are checked as for the scanned scenarios: authorize → dispense → capture the dispensed, release the rest.
import jwt from 'jsonwebtoken';
import { hs256Key } from '../controller-api/controller-keys';
import { lanePairings, type Lane } from '../lanes/lane';
import { referenceFor } from '../sessions/ids';
import { isFinalMessageType } from '../sessions/lane-message';
import { defaultDispenseAmount } from './controller-behavior';
import { checkFinal, checkPayment, type LedgerPayment } from './demo-scenarios';
import {
  controllerEntries,
  formatTimeline,
  laneEntries,
  money,
  vippsEntries,
  type TimelineEntry,
} from './demo-timeline';
import type { DispenseReportRecord, ReceivedMessage } from './simulated-controller';
import type { DeliveryRecord } from './state';

type Pairing = 'screen-qr' | 'personal-qr';

/** What demo.ts lends a scenario (the same shape the redirect scenario takes). */
export interface PairingDemoTools {
  /** JSON over HTTP against the emulator. */
  readonly http: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  readonly pollFor: <T>(probe: () => Promise<T | undefined>, timeoutMs: number) => Promise<T | undefined>;
  readonly timeoutMs: number;
}

export interface PairingDemoResult {
  readonly name: string;
  readonly lane: Lane;
  readonly lines: string[];
  readonly problems: string[];
  readonly references: string[];
}

/** The lane a pairing's scenario uses: the first enabled vending lane offering it, if any. */
export function pairingDemoLane(lanes: readonly Lane[], pairing: Pairing): Lane | undefined {
  return lanes.find((l) => l.kind === 'vending' && l.enabled && lanePairings(l).includes(pairing));
}

/** `hs256:<secret>` (the gateway's sandbox controller key) → a fleet token, as the simulated controller signs. */
function controllerToken(key: string): string {
  const secret = hs256Key(key.slice('hs256:'.length));
  return jwt.sign({ lanes: '*', iat: Math.floor(Date.now() / 1000) }, secret, {
    algorithm: 'HS256',
    expiresIn: '5m',
    subject: 'demo-controller',
  });
}

export async function runPairingDemo(
  gatewayUrl: string,
  controllerKey: string,
  lane: Lane,
  pairing: Pairing,
  tools: PairingDemoTools,
): Promise<PairingDemoResult> {
  const max = lane.maxAmount ?? 0;
  const dispensed = defaultDispenseAmount(max);
  const name =
    pairing === 'screen-qr'
      ? `screen-qr: QR on the lane's screen, scanned and approved, dispense ${money(dispensed)} of ${money(max)}`
      : `personal-qr: the lane scans the customer's QR, push approved, dispense ${money(dispensed)} of ${money(max)}`;
  const problems: string[] = [];
  const customer: TimelineEntry[] = [];
  const say = (text: string): void => void customer.push({ at: Date.now(), source: 'customer', text });
  const fail = (problem: string): PairingDemoResult => ({
    name,
    lane,
    lines: [`  ✗ ${problem}`],
    problems: [problem],
    references: [],
  });
  await tools.http('PUT', `/emulator/v1/controllers/${lane.id}`, {
    dispense: { result: 'dispensed', amount: dispensed },
  });

  const t0 = Date.now();
  let personalQr: string | undefined;
  if (pairing === 'personal-qr') {
    const made = await tools.http<{ personalQr: string }>('POST', '/emulator/v1/customers', {
      behavior: { action: 'approve', afterMs: 300 },
    });
    personalQr = made.personalQr;
    say("shows the app's personal QR to the lane's scanner");
  }
  const attemptId = `demo-${pairing}-${t0}`;
  const res = await fetch(`${gatewayUrl}/v1/lanes/${encodeURIComponent(lane.id)}/sessions`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${controllerToken(controllerKey)}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ attemptId, pairing, ...(personalQr ? { personalQr } : {}) }),
  });
  const started = (await res.json()) as { sessionId?: string; qrImageUrl?: string | null; detail?: string };
  if (res.status !== 201 || !started.sessionId)
    return fail(`POST /v1/lanes/${lane.id}/sessions answered ${res.status}: ${started.detail ?? ''}`);
  const sessionId = started.sessionId;
  const reference = referenceFor(lane.id, sessionId);

  if (pairing === 'screen-qr') {
    const qrReady = await tools.pollFor(async () => {
      const { messages } = await tools.http<{ messages: ReceivedMessage[] }>(
        'GET',
        `/emulator/v1/controllers/${lane.id}/messages`,
      );
      return messages.find((r) => r.message.sessionId === sessionId && r.message.type === 'session.qr-ready');
    }, tools.timeoutMs);
    if (!qrReady) return fail('the lane never got session.qr-ready');
    say('scans the QR on the screen with the app and approves');
    await tools.http('POST', `/emulator/v1/payments/${encodeURIComponent(reference)}/scan`, {
      behavior: { action: 'approve', afterMs: 300 },
    });
  }

  const final = await tools.pollFor(async () => {
    const { messages } = await tools.http<{ messages: ReceivedMessage[] }>(
      'GET',
      `/emulator/v1/controllers/${lane.id}/messages`,
    );
    return messages.find((r) => r.message.sessionId === sessionId && isFinalMessageType(r.message.type));
  }, tools.timeoutMs);
  const { messages } = await tools.http<{ messages: ReceivedMessage[] }>(
    'GET',
    `/emulator/v1/controllers/${lane.id}/messages`,
  );
  const { payments } = await tools.http<{ payments: LedgerPayment[] }>(
    'GET',
    `/emulator/v1/payments?reference=${encodeURIComponent(reference)}`,
  );
  problems.push(
    ...checkFinal(final?.message, {
      type: 'session.completed',
      captured: dispensed,
      cancelled: max - dispensed,
    }),
    ...checkPayment(payments[0], { state: 'AUTHORIZED', captured: dispensed, cancelled: max - dispensed }),
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
    ...laneEntries(messages, sessionId),
    ...vippsEntries(deliveries),
    ...controllerEntries(reports, sessionId),
  ];
  const lines = [
    `  session ${sessionId}`,
    ...formatTimeline(entries, t0),
    ...problems.map((p) => `  ✗ ${p}`),
  ];
  return { name, lane, lines, problems, references: [reference] };
}
