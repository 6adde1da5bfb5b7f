// bench/e2e.ts with the gateway in a process of its own (BENCH_SPLIT=1): this process is the driver — the Vipps
// emulator, the simulated controllers (their lanes on a webhook channel served here) and the load generator —
// and bench/e2e-split-gateway.ts, forked, is the gateway. So the gateway's CPU per session is its own, not
// shared with the emulator and the bench as in the all-in-one mode, and from it the rate it can carry on
// this machine's cores follows. A second phase then runs at half that rate: the gateway's p99 with headroom.
// Latencies as in the all-in-one mode: (a) check-in received → ePayment create received by the emulator,
// (b) AUTHORIZED received → `session.authorized` sent; (a) spans the two processes (epoch milliseconds).
// Knobs as bench/e2e.ts; BENCH_HALF_RATE overrides the second phase's rate (0 skips it).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../src/emulator/emulator';
import { createSimulatedController } from '../src/emulator/simulated-controller';
import type { Payment, PaymentEvent } from '../src/emulator/state';
import type { LaneMessage } from '../src/channels/channel';
import type { SplitReply, SplitRequest } from './e2e-split-gateway';
import { benchLanesYaml, drain, drive, fmt, gaps, lanePool, MSN, num, TARGET_P99_MS } from './e2e-support';
import { percentile } from './support';

const LANE_SECRET_ENV = 'BENCH_LANE_WEBHOOK_SECRET';

/** The forked gateway and a request/answer over its IPC channel. */
function gatewayChild(child: ChildProcess): {
  ask: <T extends SplitReply['type']>(r: SplitRequest, type: T) => Promise<Extract<SplitReply, { type: T }>>;
} {
  return {
    ask: (request, type) =>
      new Promise((resolve) => {
        const on = (reply: SplitReply): void => {
          if (reply.type !== type) return;
          child.off('message', on);
          resolve(reply as Extract<SplitReply, { type: typeof type }>);
        };
        child.on('message', on);
        child.send(request);
      }),
  };
}

const cpuMs = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number =>
  (to.user - from.user + to.system - from.system) / 1000;

export async function e2eSplitBench(): Promise<string> {
  const rate = num('BENCH_RATE', 200);
  const durationS = num('BENCH_DURATION_S', 10);
  const laneCount = Math.round(num('BENCH_LANES', 50));
  const warmupS = Number(process.env['BENCH_WARMUP_S'] ?? 5);
  const cores = availableParallelism();
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-bench-e2e-split-'));

  const emulator = await startEmulator({ maxDeliveryRecords: 1_000, allowHttp: true });
  const created = new Map<string, number>();
  emulator.events.on('payment', (p: Payment, e: PaymentEvent) => {
    if (e.name === 'CREATED') created.set(p.reference, performance.timeOrigin + performance.now());
  });
  const controllerKey = `hs256:${randomBytes(32).toString('hex')}`;
  let gatewayUrl = '';
  const controller = createSimulatedController({
    get gatewayUrl() {
      return gatewayUrl;
    },
    controllerKey,
    afterMs: 0,
  });
  // The lanes' webhook channel: the gateway signs; the driver trusts its own child and does not verify.
  const lanesServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      controller.receive(JSON.parse(Buffer.concat(chunks).toString('utf8')) as LaneMessage);
      res.writeHead(204).end();
    });
  });
  lanesServer.listen(0, '127.0.0.1');
  await once(lanesServer, 'listening');
  const lanesUrl = `http://127.0.0.1:${(lanesServer.address() as AddressInfo).port}/lanes`;
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(
    lanesFile,
    benchLanesYaml(laneCount, [
      '    controller:',
      '      type: webhook',
      `      url: ${lanesUrl}`,
      `      secretEnv: ${LANE_SECRET_ENV}`,
    ]),
  );

  const child = fork(path.join(__dirname, 'e2e-split-gateway.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      PATH: process.env['PATH'] ?? '',
      VIPPS_ENV: 'sandbox',
      VIPPS_BASE_URL: emulator.url,
      DATA_DIR: process.env['BENCH_DATA_DIR'] ?? path.join(dir, 'data'),
      PORT: '0',
      LANES_FILE: lanesFile,
      CONTROLLER_JWT_KEYS: controllerKey,
      [LANE_SECRET_ENV]: `whsec_${randomBytes(32).toString('base64')}`,
      ...(process.env['WORKER_CONCURRENCY'] ? { WORKER_CONCURRENCY: process.env['WORKER_CONCURRENCY'] } : {}),
      ...(process.env['BENCH_LOG_LEVEL'] ? { BENCH_LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const gateway = gatewayChild(child);
  const [ready] = (await once(child, 'message')) as [SplitReply];
  if (ready.type !== 'ready') throw new Error(`the gateway process said ${ready.type} first`);
  gatewayUrl = ready.url;

  const pool = lanePool(laneCount, controller.events);
  const scan = (laneId: string): { customerToken: string; initiatedAt: string } =>
    emulator.scan({ msn: MSN, merchantQrId: laneId });

  /** One phase: the gateway's and the driver's CPU per measured session (warm-up to drained), and the sessions. */
  const phase = async (phaseRate: number, phaseWarmupS: number) => {
    let gatewayAtWarm: Promise<NodeJS.CpuUsage> | undefined;
    let driverAtWarm: NodeJS.CpuUsage | undefined;
    const driven = await drive({
      rate: phaseRate,
      durationS,
      warmupS: phaseWarmupS,
      pool,
      scan,
      onWarm: () => {
        driverAtWarm = process.cpuUsage();
        gatewayAtWarm = gateway.ask({ type: 'cpu' }, 'cpu').then((r) => r.usage);
      },
    });
    // Until the sessions have ended, not only been scanned: on a busy machine the gateway falls behind, and
    // CPU counted only while scanning would be that of the sessions it got to.
    await drain(pool);
    const gatewayAtEnd = (await gateway.ask({ type: 'cpu' }, 'cpu')).usage;
    const driverMs = cpuMs(driverAtWarm!, process.cpuUsage());
    const n = Math.max(1, driven.measured.size);
    return { ...driven, gatewayMs: cpuMs(await gatewayAtWarm!, gatewayAtEnd) / n, driverMs: driverMs / n };
  };

  const first = await phase(rate, warmupS);
  const carries = Math.floor((cores * 1000) / first.gatewayMs);
  const halfRate = Number(process.env['BENCH_HALF_RATE'] ?? Math.max(1, Math.floor(carries / 2)));
  const second = halfRate > 0 ? await phase(halfRate, 0) : undefined;

  const finished = await gateway.ask({ type: 'finish' }, 'finished');
  await once(child, 'exit');
  await controller.close();
  lanesServer.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });

  const checkin = new Map(finished.checkin);
  const authorized = new Map(finished.authorized);
  const authorizedSent = new Map(finished.authorizedSent);
  const latencies = (measured: Set<string>) => {
    const a = gaps(checkin, created, measured);
    // As in the all-in-one mode: a lane message sent before the authorized webhook arrived was a poll's.
    const b = gaps(authorized, authorizedSent, measured).filter((ms) => ms >= 0);
    return { a, b };
  };
  const l1 = latencies(first.measured);
  const l2 = second ? latencies(second.measured) : undefined;
  console.error(
    `e2e split details: phase 1 ${first.scans} scans in ${(first.sendMs / 1000).toFixed(1)} s, measured ` +
      `${first.measured.size}, no free lane ${first.busyPicks}; phase 2 ` +
      (second
        ? `${second.scans} scans at ${halfRate}/s, measured ${second.measured.size}, no free lane ${second.busyPicks}, ` +
          `gateway CPU ${second.gatewayMs.toFixed(1)} ms per session`
        : 'skipped') +
      `; endings ${JSON.stringify(Object.fromEntries(pool.endings))}, unfinished ${pool.active.size}, ` +
      `queue ${JSON.stringify(finished.stats)}`,
  );
  const p = (xs: number[], q: number): string => fmt(percentile(xs, q));
  return (
    `e2e split: ${rate}/s x ${durationS} s, ${laneCount} lanes: gateway process ${first.gatewayMs.toFixed(1)} ms ` +
    `CPU per session (driver: emulator, controllers, load ${first.driverMs.toFixed(1)} ms; both together ` +
    `${(first.gatewayMs + first.driverMs).toFixed(1)} ms, the all-in-one mode's figure), so the gateway alone ` +
    `carries at most ~${carries}/s on ${cores} cores; at ${rate}/s checkin->create p50 ${p(l1.a, 50)} ` +
    `p99 ${p(l1.a, 99)} ms, authorized->lane-message p50 ${p(l1.b, 50)} p99 ${p(l1.b, 99)} ms` +
    (l2
      ? `; at half that, ${halfRate}/s: checkin->create p99 ${p(l2.a, 99)} ms, authorized->lane-message ` +
        `p99 ${p(l2.b, 99)} ms`
      : '') +
    ` (target p99 <= ${TARGET_P99_MS} ms)`
  );
}
