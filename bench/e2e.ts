// Benchmark: check-ins at a fixed rate through the whole sandbox (emulator → intake → queue → worker → emulator
// → lane channel → simulated controller → controller API), in one process, measuring the latency the gateway
// adds on the two paths that decide how fast a customer sees the push and a machine may dispense:
//   (a) check-in webhook received by intake → ePayment create received by the emulator;
//   (b) `authorized` webhook received by intake → `session.authorized` lane message sent.
// Timestamps come from the trace hook (src/runtime/trace.ts) and the emulator's 'payment' events, all
// performance.now() in this process. Prints one summary line (stdout); details go to stderr.
// It also prints the process's CPU time per check-in over the measured part (every thread: event loop, PGlite
// thread, V8's helpers) and what that allows on this machine's cores at best: the rate beyond which the
// latencies can only grow, whatever the queueing.
// BENCH_SPLIT=1 runs the gateway in a process of its own instead (bench/e2e-split.ts): its own CPU per session and
// its p99 at half the rate that allows.
// Run: npx tsx bench/e2e.ts   Knobs: BENCH_RATE (200 check-ins/s), BENCH_DURATION_S (10), BENCH_LANES (50),
// BENCH_WARMUP_S (5: PGlite's WebAssembly is still being optimised by V8 in the first seconds),
// BENCH_DATA_DIR (a temp dir on disk; `memory://` for in-memory), BENCH_LOG_LEVEL (off).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import type { Payment, PaymentEvent } from '../src/emulator/state';
import { createLogger, silentLogger } from '../src/log';
import { startGateway } from '../src/main';
import type { Trace } from '../src/runtime/trace';
import { referenceFor } from '../src/sessions/ids';
import { e2eSplitBench } from './e2e-split';
import {
  arrivals,
  benchLanesYaml,
  drain,
  drive,
  fmt,
  gaps,
  lanePool,
  MSN,
  num,
  TARGET_P99_MS,
  type Traced,
} from './e2e-support';
import { percentile } from './support';

export { benchLanesYaml };

export async function e2eBench(): Promise<string> {
  const rate = num('BENCH_RATE', 200);
  const durationS = num('BENCH_DURATION_S', 10);
  const laneCount = Math.round(num('BENCH_LANES', 50));
  const warmupS = Number(process.env['BENCH_WARMUP_S'] ?? 5);
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-bench-e2e-'));
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(lanesFile, benchLanesYaml(laneCount));
  const logLevel = process.env['BENCH_LOG_LEVEL'];

  const traced: Traced = { webhooks: [], authorizedSent: new Map(), created: new Map() };
  const trace: Trace = (event, fields) => {
    if (event === 'webhook-received') {
      traced.webhooks.push(fields as { at: number; rawBody: Buffer });
    } else {
      const { at, message } = fields as {
        at: number;
        message: { type: string; laneId: string; sessionId: string };
      };
      if (message.type === 'session.authorized')
        traced.authorizedSent.set(referenceFor(message.laneId, message.sessionId), at);
    }
  };
  const config = loadConfig({
    VIPPS_ENV: 'sandbox',
    DATA_DIR: process.env['BENCH_DATA_DIR'] ?? path.join(dir, 'data'),
    PORT: '0',
    EMULATOR_PORT: '0',
    LANES_FILE: lanesFile,
    ...(process.env['WORKER_CONCURRENCY'] ? { WORKER_CONCURRENCY: process.env['WORKER_CONCURRENCY'] } : {}),
  });
  const gateway = await startGateway(config, {
    role: 'all',
    // The log channel writes every lane message at info: off by default so the figure is the gateway's own.
    logger: logLevel ? createLogger({ level: logLevel, stream: process.stderr }) : silentLogger(),
    trace,
    sandbox: { controllerAfterMs: 0, emulator: { maxDeliveryRecords: 1_000 } },
  });
  const emulator = gateway.emulator;
  const controller = gateway.simulatedController;
  if (!emulator || !controller) throw new Error('the bench needs the in-process sandbox emulator');
  emulator.events.on('payment', (p: Payment, e: PaymentEvent) => {
    if (e.name === 'CREATED') traced.created.set(p.reference, performance.now());
  });

  const pool = lanePool(laneCount, controller.events);
  let cpuAtWarm: NodeJS.CpuUsage | undefined;
  const { measured, scans, busyPicks, sendMs } = await drive({
    rate,
    durationS,
    warmupS,
    pool,
    scan: (laneId) => emulator.scan({ msn: MSN, merchantQrId: laneId }),
    onWarm: () => (cpuAtWarm = process.cpuUsage()),
  });
  // CPU until the sessions have ended (as in the split mode): a gateway that falls behind still owes their work.
  await drain(pool);
  const cpu = process.cpuUsage(cpuAtWarm);
  const cpuMsPerCheckin = (cpu.user + cpu.system) / 1000 / Math.max(1, measured.size);
  const cores = availableParallelism();
  const stats = await gateway.queue.stats();
  await gateway.close();
  await rm(dir, { recursive: true, force: true });

  const { checkin, authorized } = arrivals(traced);
  const a = gaps(checkin, traced.created, measured);
  // A lane message sent before the authorized webhook arrived was triggered by a poll, not by the webhook:
  // the webhook added nothing, so those sessions are counted, not measured.
  const bAll = gaps(authorized, traced.authorizedSent, measured);
  const b = bAll.filter((ms) => ms >= 0);
  const viaPoll = bAll.length - b.length;
  console.error(
    `e2e details: ${scans} scans in ${(sendMs / 1000).toFixed(1)} s, measured ${measured.size}, no free lane ${busyPicks}, ` +
      `(a) ${a.length} samples max ${fmt(a.at(-1) ?? NaN)} ms, (b) ${b.length} samples max ${fmt(b.at(-1) ?? NaN)} ms, ` +
      `endings ${JSON.stringify(Object.fromEntries(pool.endings))}, unfinished ${pool.active.size}, ` +
      `queue ${JSON.stringify(stats)}`,
  );
  return (
    `e2e: ${rate}/s x ${durationS} s, ${laneCount} lanes: ` +
    `checkin->create p50 ${fmt(percentile(a, 50))} ms p99 ${fmt(percentile(a, 99))} ms; ` +
    `authorized->lane-message p50 ${fmt(percentile(b, 50))} ms p99 ${fmt(percentile(b, 99))} ms ` +
    `(${viaPoll} authorized first by polling) ` +
    `(target p99 <= ${TARGET_P99_MS} ms); CPU ${cpuMsPerCheckin.toFixed(1)} ms per check-in, so at most ` +
    `~${Math.floor((cores * 1000) / cpuMsPerCheckin)}/s on ${cores} cores`
  );
}

if (require.main === module) {
  (process.env['BENCH_SPLIT'] === '1' ? e2eSplitBench() : e2eBench()).then(
    (line) => {
      console.log(line);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
