// The demo's redirect-qr scenario (issue 16): the customer's browser, played over HTTP. It opens the pay page
// of the first vending lane offering redirect-qr, presses Pay (303 to the emulator's landing page), presses
// Approve there (303 back to the result page) and reads the result page's status until the session has ended;
// then the lane messages and the emulator's ledger are checked as for the scanned scenarios.
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

export interface RedirectDemoTools {
  /** JSON over HTTP against the emulator. */
  readonly http: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  readonly pollFor: <T>(probe: () => Promise<T | undefined>, timeoutMs: number) => Promise<T | undefined>;
  readonly timeoutMs: number;
}

export interface RedirectDemoResult {
  readonly name: string;
  readonly lane: Lane;
  readonly lines: string[];
  readonly problems: string[];
  /** The payment's reference, once one was made. */
  readonly references: string[];
}

/** The lane the scenario uses: the first enabled vending lane offering redirect-qr, if any. */
export function redirectDemoLane(lanes: readonly Lane[]): Lane | undefined {
  return lanes.find((l) => l.kind === 'vending' && l.enabled && lanePairings(l).includes('redirect-qr'));
}

async function browse(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, redirect: 'manual' });
}

export async function runRedirectDemo(
  gatewayUrl: string,
  lane: Lane,
  tools: RedirectDemoTools,
): Promise<RedirectDemoResult> {
  const max = lane.maxAmount ?? 0;
  const dispensed = defaultDispenseAmount(max);
  const name = `redirect-qr: pay page, approve on the Vipps page, dispense ${money(dispensed)} of ${money(max)}`;
  const problems: string[] = [];
  const customer: TimelineEntry[] = [];
  const say = (text: string): void => void customer.push({ at: Date.now(), source: 'customer', text });
  const fail = (problem: string): RedirectDemoResult => ({
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
  const payPage = `${gatewayUrl}/pay/${encodeURIComponent(lane.id)}`;
  say(`opens ${payPage} (the merchant-redirect sticker's page)`);
  const page = await browse(payPage);
  const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1];
  if (page.status !== 200 || !token) return fail(`the pay page answered ${page.status} without a Pay form`);
  const posted = await browse(payPage, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const landing = posted.headers.get('location');
  if (posted.status !== 303 || !landing) return fail(`Pay answered ${posted.status}, not 303 to Vipps`);
  say('presses Pay ⇒ the Vipps payment page');
  const approved = await browse(`${landing}/approve`, { method: 'POST' });
  const resultUrl = approved.headers.get('location');
  if (approved.status !== 303 || !resultUrl) return fail(`Approve answered ${approved.status}, not 303 back`);
  say('approves ⇒ back to the result page');
  const status = await tools.pollFor(async () => {
    const s = (await (await fetch(`${resultUrl}/status`)).json()) as {
      final?: boolean;
      title?: string;
      detail?: string;
    };
    return s.final ? s : undefined;
  }, tools.timeoutMs);
  if (status) say(`result page: ${status.title ?? ''}. ${status.detail ?? ''}`);
  else problems.push('the result page never showed the end of the session');

  const sessionId = decodeURIComponent(resultUrl.split('/').at(-1) ?? '');
  const reference = referenceFor(lane.id, sessionId);
  const { messages } = await tools.http<{ messages: ReceivedMessage[] }>(
    'GET',
    `/emulator/v1/controllers/${lane.id}/messages`,
  );
  const final = messages.find((r) => r.message.sessionId === sessionId && isFinalMessageType(r.message.type));
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
