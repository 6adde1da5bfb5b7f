// Multi-instance run of the aws profile (architecture §4): two `serve` and two `work` processes on one
// Postgres server and fauxqs (SQS FIFO intake + standard timer queue + FIFO DLQ), behind a round-robin
// "load balancer", paid through the Vipps emulator. 500 scans over 20 self-checkout lanes: one lane at a time
// per lane (a scan while a session is active would be dropped as busy, by design), lanes in parallel. After a
// third of the scans one `work` process is SIGKILLed: its in-flight jobs come back after the (short) SQS
// visibility timeout and the other worker finishes them, and its lane messages come back once their leases
// (WORKER_LEASE_S, renewed only while their holder lives) end: every lane message is delivered, those written
// before the kill within LANE_MESSAGES_BOUND_MS of it (issue 13). Every check-in must end with exactly one
// payment, captured in full, created in scan order per lane, and no session may be left open.
//
// Needs a Postgres server (TEST_DATABASE_URL; `.ci/run` starts one): a PGlite socket server serves one
// connection at a time, too few for four processes' pools.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { startEmulator, type StartedEmulator } from '../../src/emulator/emulator';
import type { SqsQueueUrls } from '../../src/queue/sqs-setup';
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import { openPostgres } from '../../src/store/pg';
import type { Database } from '../../src/store/sql';
import { startReceiver, type Receiver } from '../channels/webhook-receiver';
import { startFauxqs, type Fauxqs } from '../queue/sqs-fauxqs';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { createScratchDatabase } from '../support/store-targets';
import { waitFor } from '../support/wait-for';
import { awsProfileEnv } from './support/aws-profile-env';
import { registerEmulatorWebhook } from './support/emulator-webhook';
import { selfCheckoutLanesYaml, writeLanesFile, type FixedPriceLane } from './support/lanes-file';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy';

const MSN = '123456';
const LANE_COUNT = 20;
const SCANS = 500;
const PER_LANE = SCANS / LANE_COUNT;
const KILL_AFTER = Math.round(SCANS / 3);
// A lease still held by the dead worker ends within WORKER_LEASE_S (default 15 s); the other worker's next
// poll (1 s) takes the lane over. Twice the lease leaves room for a slow machine.
const LANE_MESSAGES_BOUND_MS = 30_000;
// The worker that is killed sends its lane messages to a controller webhook that answers after this long, so
// it always holds some lanes' heads when it dies (with the instant `log` channel it rarely does).
const SLOW_CONTROLLER_MS = 500;
const LANES: FixedPriceLane[] = Array.from({ length: LANE_COUNT }, (_, i) => ({
  id: `lane-${String(i + 1).padStart(2, '0')}`,
  fixedAmount: 100 * (i + 1),
}));

// Test code, not the gateway: config.ts stays the only reader of the environment in src/.
const serverUrl = process.env.TEST_DATABASE_URL || undefined;
if (!serverUrl) {
  console.info(
    'multi-instance test: SKIPPED, no TEST_DATABASE_URL (it needs a Postgres server for 4 processes; ' +
      '`.ci/run` starts one and exports it)',
  );
}
const describeWithServer = serverUrl ? describe : describe.skip;

interface Scan {
  readonly laneId: string;
  readonly customerToken: string;
  readonly sessionId: string;
  readonly reference: string;
}

interface LedgerPayment {
  readonly reference: string;
  readonly state: string;
  readonly amount: { readonly value: number };
  readonly createCalls: number;
  readonly createdAt: string;
  readonly aggregate: Record<
    'authorizedAmount' | 'capturedAmount' | 'cancelledAmount',
    { readonly value: number }
  >;
}

describeWithServer('aws profile: two serve + two work processes, one worker SIGKILLed', () => {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let fauxqs: Fauxqs | undefined;
  let queues: SqsQueueUrls;
  let emulator: StartedEmulator | undefined;
  let proxy: RoundRobinProxy | undefined;
  let lanesDir: string | undefined;
  let slowController: Receiver | undefined;
  let db: Database | undefined;
  const processes: GatewayProcess[] = [];

  afterAll(async () => {
    // SIGKILL: a graceful stop would wait out the long polls; nothing of theirs is asserted after this.
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await db?.close();
    await scratch?.drop();
    await proxy?.close();
    await emulator?.close();
    await fauxqs?.close();
    await slowController?.close();
    if (lanesDir) await rm(lanesDir, { recursive: true, force: true });
  });

  async function queueDepth(url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const out = await fauxqs!.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const n = (name: QueueAttributeName): number => Number(out.Attributes?.[name] ?? 0);
    return {
      visible: n('ApproximateNumberOfMessages'),
      inFlight: n('ApproximateNumberOfMessagesNotVisible'),
      delayed: n('ApproximateNumberOfMessagesDelayed'),
    };
  }

  it('gives every check-in exactly one captured payment, in scan order per lane, and leaves no session open', async () => {
    scratch = await createScratchDatabase();
    fauxqs = await startFauxqs();
    queues = await fauxqs.newQueues({ visibilityTimeoutS: 5 });
    emulator = await startEmulator({ port: 0, approveAfterMs: 20, allowHttp: true });
    proxy = await startRoundRobinProxy();
    const lanes = await writeLanesFile(MSN, LANES);
    lanesDir = lanes.dir;
    const publicWebhookUrl = `${proxy.url}/webhooks/vipps`;
    const secret = await registerEmulatorWebhook(emulator.url, MSN, publicWebhookUrl);

    const env = awsProfileEnv({
      queues,
      databaseUrl: scratch.url,
      lanesFile: lanes.file,
      vippsBaseUrl: emulator.url,
      publicWebhookUrl,
      webhookSecret: secret,
      // A killed worker's jobs come back after 5 s; long polls return within 1 s.
      extra: { SQS_VISIBILITY_TIMEOUT_SECONDS: '5', SQS_WAIT_TIME_SECONDS: '1' },
    });
    // The same lanes with a slow webhook controller, for the worker that is killed (see SLOW_CONTROLLER_MS).
    slowController = await startReceiver(
      () => new Promise((resolve) => setTimeout(() => resolve({ status: 204 }), SLOW_CONTROLLER_MS)),
    );
    const slowLanesFile = path.join(lanes.dir, 'lanes-slow-controller.yaml');
    const hook = `      type: webhook\n      url: ${slowController.url}\n      secretEnv: LANE_HOOK_SECRET`;
    await writeFile(slowLanesFile, selfCheckoutLanesYaml(MSN, LANES).replaceAll('      type: log', hook));
    const slowEnv = {
      ...env,
      LANES_FILE: slowLanesFile,
      LANE_HOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    };
    // All four start together: their migrations race, and the advisory lock makes them apply once.
    const started = await Promise.allSettled(
      (['serve', 'serve', 'work', 'work'] as const).map((role, i) =>
        startGatewayProcess(role, i === 2 ? slowEnv : env, 120_000),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') processes.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [serveA, serveB, workA, workB] = processes as [
      GatewayProcess,
      GatewayProcess,
      GatewayProcess,
      GatewayProcess,
    ];
    proxy.targets = [serveA.url, serveB.url];
    db = await openPostgres(scratch.url, { max: 4 });
    const store = db;
    const emulatorUrl = emulator.url;

    const isFinal = async (sessionId: string): Promise<boolean> =>
      (await store.query<{ final: boolean }>('SELECT final FROM sessions WHERE id = $1', [sessionId])).rows[0]
        ?.final === true;

    const scans = new Map<string, Scan[]>(LANES.map((l) => [l.id, []]));
    let scanned = 0;
    let killed: Promise<number | null> | undefined;
    let killedAt = 0;
    let heldAtKill: Promise<string[]> | undefined;
    const runLane = async (laneId: string): Promise<void> => {
      for (let k = 0; k < PER_LANE; k++) {
        const res = await fetch(`${emulatorUrl}/emulator/v1/scans`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ msn: MSN, merchantQrId: laneId, behavior: { action: 'approve' } }),
        });
        if (res.status !== 201) throw new Error(`scan on ${laneId} answered ${res.status}`);
        const { customerToken, initiatedAt } = (await res.json()) as {
          customerToken: string;
          initiatedAt: string;
        };
        const sessionId = sessionIdFor({ msn: MSN, merchantQrId: laneId, initiatedAt, customerToken });
        scans
          .get(laneId)!
          .push({ laneId, customerToken, sessionId, reference: referenceFor(laneId, sessionId) });
        scanned++;
        // Mid-run, with jobs of many lanes in flight on it.
        if (scanned >= KILL_AFTER && !killed) {
          killedAt = Date.now();
          killed = workA.kill('SIGKILL');
          // The lane messages leased when it died (by either worker): the dead one's wait out their leases.
          heldAtKill = killed.then(async () => {
            const { rows } = await store.query<{ id: string }>(
              `SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND lease_until > $1`,
              [new Date()],
            );
            return rows.map((r) => r.id);
          });
        }
        // The lane's next scan only once this session is over: one active session per lane.
        await waitFor(() => isFinal(sessionId), {
          timeoutMs: 60_000,
          intervalMs: 50,
          what: `session ${sessionId} (scan ${k + 1} on ${laneId}) to end`,
        });
      }
    };
    const runStarted = Date.now();
    await Promise.all(LANES.map((l) => runLane(l.id)));
    const runMs = Date.now() - runStarted;
    expect(await killed).toBeNull(); // exit code null: it died of the signal
    expect(workA.child.signalCode).toBe('SIGKILL');
    expect(workB.child.exitCode).toBeNull();
    const all = [...scans.values()].flat();
    expect(all).toHaveLength(SCANS);

    // Exactly one payment per check-in, no other payment, each captured in full at the lane's price.
    const ledger = (await (await fetch(`${emulatorUrl}/emulator/v1/payments?msn=${MSN}`)).json()) as {
      payments: LedgerPayment[];
    };
    const byReference = new Map<string, LedgerPayment[]>();
    for (const p of ledger.payments)
      byReference.set(p.reference, [...(byReference.get(p.reference) ?? []), p]);
    expect(ledger.payments).toHaveLength(SCANS);
    const price = new Map(LANES.map((l) => [l.id, l.fixedAmount]));
    const wrong = all.flatMap((s) => {
      const found = byReference.get(s.reference) ?? [];
      const p = found[0];
      const value = price.get(s.laneId);
      const ok =
        found.length === 1 &&
        p !== undefined &&
        p.state === 'AUTHORIZED' &&
        p.amount.value === value &&
        p.aggregate.capturedAmount.value === value &&
        p.aggregate.cancelledAmount.value === 0;
      return ok ? [] : [{ scan: s.reference, lane: s.laneId, payments: found }];
    });
    expect(wrong).toEqual([]);

    // Per-lane order: each lane's payments were created in the order its customers scanned.
    for (const [laneId, laneScans] of scans) {
      const created = laneScans.map((s) => Date.parse(byReference.get(s.reference)![0]!.createdAt));
      const outOfOrder = created.flatMap((t, i) => (i > 0 && !(created[i - 1]! < t) ? [i] : []));
      expect({ laneId, outOfOrder }).toEqual({ laneId, outOfOrder: [] });
    }

    // No session left open; every one completed, its customer token erased.
    const sessions = await store.query<{ state: string; n: string; tokens: string }>(
      'SELECT state, count(*) AS n, count(customer_token) AS tokens FROM sessions GROUP BY state',
    );
    expect(sessions.rows.map((r) => ({ state: r.state, n: Number(r.n), tokens: Number(r.tokens) }))).toEqual([
      { state: 'completed', n: SCANS, tokens: 0 },
    ]);
    const ids = await store.query<{ id: string }>('SELECT id FROM sessions WHERE final');
    expect(new Set(ids.rows.map((r) => r.id))).toEqual(new Set(all.map((s) => s.sessionId)));

    // Queues: nothing left to run, nothing dead-lettered. The timer queue drains of every timer that is due;
    // what stays delayed are future timers of sessions that have ended, each ignored as session-final when it
    // fires. A session arms at most four that can outlive it: the create and capture watchdogs (60 s), the
    // first poll (5 s) and the payment deadline (user timeout + margin, 660 s); only the not-yet-due remain.
    const drained = await waitFor(
      async () => {
        const [intake, timers, dead] = await Promise.all([
          queueDepth(queues.intakeQueueUrl),
          queueDepth(queues.timerQueueUrl),
          queueDepth(queues.dlqUrl),
        ]);
        const idle = intake.visible + intake.inFlight + timers.visible + timers.inFlight === 0;
        return idle ? { intake, timers, dead } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the intake queue and the due timers to drain' },
    );
    expect(drained.intake).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(drained.dead).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(drained.timers.delayed).toBeLessThanOrEqual(4 * SCANS);

    // Both instances of each role did work: the load balancer spread the deliveries, and each worker sent
    // lane messages (the `log` channel logs them), the killed one before it died.
    const sentLaneMessages = (p: GatewayProcess): number =>
      p.output.filter((line) => line.includes('"lane message"')).length;
    expect(slowController.received.length).toBeGreaterThan(0); // workA's, before it died
    expect(sentLaneMessages(workB)).toBeGreaterThan(0);
    expect([...proxy.forwarded.keys()].sort()).toEqual([serveA.url, serveB.url].sort());
    expect(proxy.failed).toBe(0);

    // The customer token is a secret: no process logged one.
    const output = processes.flatMap((p) => p.output).join('\n');
    expect(all.filter((s) => output.includes(s.customerToken)).map((s) => s.sessionId)).toEqual([]);

    // Every lane message is delivered: those the dead worker held are taken over once their leases end.
    const pending = async (): Promise<number> =>
      Number(
        (
          await store.query<{ n: string }>(
            'SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL',
          )
        ).rows[0]?.n,
      );
    await waitFor(async () => (await pending()) === 0, {
      timeoutMs: Math.max(1_000, killedAt + LANE_MESSAGES_BOUND_MS - Date.now()),
      intervalMs: 100,
      what: `every lane message to be delivered within ${LANE_MESSAGES_BOUND_MS} ms of the SIGKILL`,
    });
    const held = (await heldAtKill) ?? [];
    const delivered = await store.query<{ n: string; failed: string; last: Date | null }>(
      'SELECT count(*) AS n, count(failed_at) AS failed, max(delivered_at) AS last FROM outbox WHERE id = ANY ($1)',
      [held],
    );
    const lastDeliveredMs = (delivered.rows[0]?.last?.getTime() ?? killedAt) - killedAt;
    console.info(
      `multi-instance: lane messages leased at the SIGKILL: ${held.length}, the last delivered ${lastDeliveredMs} ms after it`,
    );
    expect(held.length).toBeGreaterThan(0);
    expect(Number(delivered.rows[0]?.n)).toBe(held.length);
    expect(Number(delivered.rows[0]?.failed)).toBe(0);
    expect(lastDeliveredMs).toBeLessThanOrEqual(LANE_MESSAGES_BOUND_MS);
    const outbox = { rows: [{ n: String(await pending()) }] };
    console.info(
      `multi-instance: ${SCANS} scans on ${LANE_COUNT} lanes in ${runMs} ms; ` +
        `deliveries per serve ${JSON.stringify(Object.fromEntries(proxy.forwarded))}; ` +
        `createCalls > 1: ${ledger.payments.filter((p) => p.createCalls > 1).length}; ` +
        `timers still delayed: ${drained.timers.delayed}; lane messages undelivered: ${outbox.rows[0]?.n}`,
    );
  }, 420_000); // about 4 min on a shared 2-core machine
});
