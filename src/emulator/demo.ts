// `npm run demo`: starts a fresh sandbox gateway in this process (in-memory store, any free ports, the shipped
// lanes.yaml, the built-in Vipps emulator with a user timeout of seconds), scans at the example vending and
// self-checkout lanes through the emulator's control API (approve; reject; ignore ⇒ expire; dispense failure;
// busy lane), prints a timeline per session, checks every outcome and the emulator's ledger, and exits 0 only
// if all of it is as expected. No real money moves.
import path from 'node:path';
import { loadConfig } from '../config';
import type { Lane } from '../lanes/lane';
import { createLogger } from '../log';
import { startGateway } from '../main';
import { referenceFor, sessionIdFor } from '../sessions/ids';
import { isFinalMessageType } from '../sessions/lane-message';
import {
  checkFinal,
  checkPayment,
  demoScenarios,
  type LedgerPayment,
  type Scenario,
  type ScanStep,
} from './demo-scenarios';
import {
  controllerEntries,
  formatTimeline,
  laneEntries,
  money,
  vippsEntries,
  type TimelineEntry,
} from './demo-timeline';
import { redirectDemoLane, runRedirectDemo } from './demo-redirect';
import { pairingDemoLane, runPairingDemo } from './demo-pairings';
import type { DispenseReportRecord, ReceivedMessage } from './simulated-controller';
import type { DeliveryRecord } from './state';

/** CREATED ⇒ EXPIRED after this in the demo's emulator, instead of Vipps's 10 minutes. */
const USER_TIMEOUT_MS = 3_000;
const SESSION_TIMEOUT_MS = 20_000;
const DEMO_TIMEOUT_MS = 60_000;

type Http = <T>(method: string, path: string, body?: unknown) => Promise<T>;

function httpClient(base: string): Http {
  return async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${p}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/** Polls `probe` until it returns a value, or gives up (undefined) after `timeoutMs`. */
async function pollFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface SessionRun {
  readonly step: ScanStep;
  readonly sessionId: string;
  readonly reference: string;
  readonly t0: number;
}

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly lines: string[];
  readonly problems: string[];
  readonly references: string[];
}

function customerText(step: ScanStep, lane: Lane): string {
  const { action, afterMs } = step.customer;
  const when = action === 'ignore' ? 'ignore the push' : `${action} after ${afterMs ?? 50} ms`;
  return `scans ${lane.id}; will ${when}`;
}

async function runScenario(http: Http, scenario: Scenario): Promise<ScenarioResult> {
  const { lane } = scenario;
  const messagesOf = async (): Promise<readonly ReceivedMessage[]> =>
    (await http<{ messages: ReceivedMessage[] }>('GET', `/emulator/v1/controllers/${lane.id}/messages`))
      .messages;
  const finalOf = async (sessionId: string) =>
    (await messagesOf()).find((r) => r.message.sessionId === sessionId && isFinalMessageType(r.message.type))
      ?.message;

  if (scenario.controller)
    await http('PUT', `/emulator/v1/controllers/${lane.id}`, { dispense: scenario.controller });
  const runs: SessionRun[] = [];
  for (const step of scenario.scans) {
    const previous = runs.at(-1);
    // The next scan must find the previous session already active on the lane.
    if (previous)
      await pollFor(
        async () => (await messagesOf()).find((r) => r.message.id === `${previous.sessionId}.checked-in`),
        SESSION_TIMEOUT_MS,
      );
    const t0 = Date.now();
    const scan = await http<{ customerToken: string; initiatedAt: string }>('POST', '/emulator/v1/scans', {
      msn: lane.msn,
      merchantQrId: lane.merchantQrId,
      behavior: step.customer,
    });
    const sessionId = sessionIdFor({ msn: lane.msn, merchantQrId: lane.merchantQrId, ...scan });
    runs.push({ step, sessionId, reference: referenceFor(lane.id, sessionId), t0 });
  }

  const lines: string[] = [];
  const problems: string[] = [];
  for (const run of runs) {
    const final = await pollFor(() => finalOf(run.sessionId), SESSION_TIMEOUT_MS);
    const payment = await settledPayment(http, run);
    const found = [
      ...checkFinal(final, run.step.expect.final),
      ...checkPayment(payment, run.step.expect.payment),
    ];
    problems.push(...found);

    const deliveries = await http<{ deliveries: DeliveryRecord[] }>(
      'GET',
      `/emulator/v1/deliveries?reference=${encodeURIComponent(run.reference)}`,
    );
    const { reports } = await http<{ reports: DispenseReportRecord[] }>(
      'GET',
      `/emulator/v1/controllers/${lane.id}`,
    );
    const entries: TimelineEntry[] = [
      { at: run.t0, source: 'customer', text: customerText(run.step, lane) },
      ...laneEntries(await messagesOf(), run.sessionId),
      ...vippsEntries(deliveries.deliveries),
      ...controllerEntries(reports, run.sessionId),
    ];
    lines.push(`  session ${run.sessionId}`, ...formatTimeline(entries, run.t0));
    for (const p of found) lines.push(`  ✗ ${p}`);
  }
  return {
    scenario,
    lines,
    problems,
    references: runs.filter((r) => r.step.expect.payment).map((r) => r.reference),
  };
}

/** The ledger entry for the run's reference, given a moment to match (the final message follows the last call). */
async function settledPayment(http: Http, run: SessionRun): Promise<LedgerPayment | undefined> {
  const query = `/emulator/v1/payments?reference=${encodeURIComponent(run.reference)}`;
  const read = async () => (await http<{ payments: LedgerPayment[] }>('GET', query)).payments[0];
  const wanted = run.step.expect.payment;
  if (wanted === null) return read();
  const matching = await pollFor(async () => {
    const p = await read();
    return p && checkPayment(p, wanted).length === 0 ? p : undefined;
  }, 1_000);
  return matching ?? read();
}

function pickLanes(lanes: readonly Lane[]): { vending: Lane; selfCheckout: Lane } {
  const vending = lanes.find((l) => l.kind === 'vending' && l.enabled);
  const selfCheckout = lanes.find((l) => l.kind === 'self-checkout' && l.enabled && l.fixedAmount);
  if (!vending || !selfCheckout)
    throw new Error(
      'the lanes file needs an enabled vending lane and an enabled self-checkout lane with a fixedAmount',
    );
  return { vending, selfCheckout };
}

/** Runs the demo, printing through `print`; true when every scenario and the whole ledger are as expected. */
export async function runDemo(
  print: (line: string) => void = (l) => console.log(l),
  lanesFile = path.resolve(__dirname, '../../lanes.yaml'),
): Promise<boolean> {
  const config = loadConfig({
    VIPPS_ENV: 'sandbox',
    DATA_DIR: 'memory://',
    PORT: '0',
    EMULATOR_PORT: '0',
    LANES_FILE: lanesFile,
  });
  const gateway = await startGateway(config, {
    role: 'all',
    logger: createLogger({ level: 'error', stream: process.stderr }),
    sandbox: { emulator: { userTimeoutMs: USER_TIMEOUT_MS } },
  });
  try {
    const emulatorUrl = gateway.emulator?.url;
    if (!emulatorUrl) throw new Error('the sandbox emulator is not running in this process');
    print('checkin-gateway demo: VIPPS_ENV=sandbox, the built-in Vipps emulator; no real money moves.');
    print(`gateway ${gateway.url}, emulator ${emulatorUrl}, lanes ${config.lanesFile}\n`);
    const http = httpClient(emulatorUrl);
    const { vending, selfCheckout } = pickLanes(gateway.lanes.current().all());
    const groups = demoScenarios(vending, selfCheckout);
    const results = (
      await Promise.all(
        groups.map(async (scenarios) => {
          const done: ScenarioResult[] = [];
          for (const s of scenarios) done.push(await runScenario(http, s));
          return done;
        }),
      )
    ).flat();
    // The redirect-qr pairing (demo-redirect.ts), when a vending lane offers it: the customer's browser over HTTP.
    const redirectLane = redirectDemoLane(gateway.lanes.current().all());
    if (redirectLane) {
      const tools = { http, pollFor, timeoutMs: SESSION_TIMEOUT_MS };
      const r = await runRedirectDemo(gateway.url, redirectLane, tools);
      results.push({ scenario: { name: r.name, lane: r.lane, scans: [] }, ...r });
    }

    // The controller-started pairings (demo-pairings.ts), each on the first vending lane offering it, in turn.
    for (const pairing of ['screen-qr', 'personal-qr'] as const) {
      const lane = pairingDemoLane(gateway.lanes.current().all(), pairing);
      const key = gateway.sandboxControllerKey;
      if (!lane || !key) continue;
      const tools = { http, pollFor, timeoutMs: SESSION_TIMEOUT_MS };
      const r = await runPairingDemo(gateway.url, key, lane, pairing, tools);
      results.push({ scenario: { name: r.name, lane: r.lane, scans: [] }, ...r });
    }

    for (const r of results) {
      print(`${r.problems.length === 0 ? 'PASS' : 'FAIL'}  ${r.scenario.name}  [${r.scenario.lane.id}]`);
      for (const line of r.lines) print(line);
      print('');
    }
    const ledgerProblems = await checkWholeLedger(
      http,
      results.flatMap((r) => r.references),
      print,
    );
    const failed = results.filter((r) => r.problems.length > 0).length;
    const ok = failed === 0 && ledgerProblems === 0;
    print(`${ok ? 'PASS' : 'FAIL'}  ${results.length - failed}/${results.length} scenarios as expected`);
    return ok;
  } finally {
    await gateway.close();
  }
}

/** Every payment in the emulator belongs to a scenario that expected one, and each of those exists once. */
async function checkWholeLedger(
  http: Http,
  expected: string[],
  print: (line: string) => void,
): Promise<number> {
  const { payments } = await http<{ payments: LedgerPayment[] }>('GET', '/emulator/v1/payments');
  const problems: string[] = [];
  const refs = payments.map((p) => p.reference);
  for (const r of refs) if (!expected.includes(r)) problems.push(`unexpected payment ${r}`);
  for (const r of expected)
    if (refs.filter((x) => x === r).length !== 1) problems.push(`payment ${r} missing`);
  const captured = payments.reduce((sum, p) => sum + p.aggregate.capturedAmount.value, 0);
  const released = payments.reduce((sum, p) => sum + p.aggregate.cancelledAmount.value, 0);
  print(
    `${problems.length === 0 ? 'PASS' : 'FAIL'}  emulator ledger: ${payments.length} payments, ` +
      `captured ${money(captured)}, released ${money(released)}`,
  );
  for (const p of problems) print(`  ✗ ${p}`);
  return problems.length;
}

if (require.main === module) {
  const timeout = setTimeout(() => {
    console.error(`demo: not finished after ${DEMO_TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, DEMO_TIMEOUT_MS);
  runDemo().then(
    (ok) => {
      clearTimeout(timeout);
      process.exit(ok ? 0 : 1);
    },
    (err: unknown) => {
      console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
