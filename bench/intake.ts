// bench/intake: the gateway's webhook intake (unique, validly signed check-ins, each made durable in the
// embedded queue before the 202) against a bare Express 5 route accepting the same body, in one run on this
// machine. Both servers run as child processes; autocannon drives them from this process with identical
// request generation (signing included), alternating runs to even out the shared machine's noise.
// Throughput is compared at two concurrencies: 64 connections, where both servers are saturated (the capacity
// the target is about), and 16, where the gateway is still bound by waiting for its group commit, not by CPU.
//   npx tsx bench/intake.ts        (knobs: BENCH_DURATION_S, BENCH_CONNECTIONS (saturated), BENCH_LOW_CONNECTIONS,
//                                   BENCH_RATE)
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { signDelivery } from '../src/intake/signature';
import { spawnTs, stop, waitForHttp } from './support';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const LOW_CONNECTIONS = Number(process.env.BENCH_LOW_CONNECTIONS ?? 16);
const FIXED_RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECRET = 'bench-webhook-secret';
const PUBLIC_URL = new URL('https://pay.example.com/webhooks/vipps');
const GATEWAY_PORT = 18431;
const BARE_PORT = 18432;

function signedCheckin(): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({
    customerToken: `bench-${randomUUID()}`,
    merchantQrId: 'vend-oslo-1',
    msn: '123456',
    initiatedAt: new Date().toISOString(),
  });
  const signed = signDelivery(PUBLIC_URL, SECRET, body, new Date());
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-date': signed['x-ms-date'],
      'x-ms-content-sha256': signed['x-ms-content-sha256'],
      authorization: signed.authorization,
    },
  };
}

// Signing is done up front so the load generator spends its CPU on sending, not on HMACs; each run takes
// fresh, never-used check-ins from the pool (dates stay within the ±300 s window for the whole bench).
const pool: Array<{ headers: Record<string, string>; body: string }> = [];
let next = 0;
function fillPool(n: number): void {
  for (let i = 0; i < n; i++) pool.push(signedCheckin());
}
function take(): { headers: Record<string, string>; body: string } {
  if (next >= pool.length) return signedCheckin();
  return pool[next++]!;
}

interface RunResult {
  readonly rps: number;
  readonly p99: number;
  readonly non2xx: number;
}

async function load(port: number, seconds: number, connections: number, rate?: number): Promise<RunResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: 'POST',
        path: PUBLIC_URL.pathname,
        setupRequest: (req) => ({ ...req, ...take() }),
      },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-intake-'));
  const gateway = spawnTs('src/cli.ts', ['serve'], {
    PORT: String(GATEWAY_PORT),
    DATA_DIR: dataDir,
    LANES_FILE: path.join(__dirname, '..', 'lanes.yaml'),
    PUBLIC_WEBHOOK_URL: PUBLIC_URL.href,
    VIPPS_WEBHOOK_SECRETS: SECRET,
    // Info level logs one line per queued event; measure intake itself, as operators at volume run at warn.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    CHECKIN_MAX_AGE_S: '900',
  });
  const bare = spawnTs('bench/bare-express.ts', [], { PORT: String(BARE_PORT) });
  try {
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${GATEWAY_PORT}/healthz`),
      waitForHttp(`http://127.0.0.1:${BARE_PORT}/`),
    ]);
    fillPool(400_000);
    // Warm up both (JIT, PGlite caches, connection pools).
    await load(GATEWAY_PORT, 3, CONNECTIONS);
    await load(BARE_PORT, 3, CONNECTIONS);
    const runs = {
      gw: [] as RunResult[],
      bx: [] as RunResult[],
      gwLow: [] as RunResult[],
      bxLow: [] as RunResult[],
    };
    for (let round = 0; round < 2; round++) {
      runs.gw.push(await load(GATEWAY_PORT, DURATION_S, CONNECTIONS));
      runs.bx.push(await load(BARE_PORT, DURATION_S, CONNECTIONS));
      runs.gwLow.push(await load(GATEWAY_PORT, DURATION_S, LOW_CONNECTIONS));
      runs.bxLow.push(await load(BARE_PORT, DURATION_S, LOW_CONNECTIONS));
    }
    // 32 connections carry 1,000 req/s on either server with room to spare.
    const gwFixed = await load(GATEWAY_PORT, DURATION_S, 32, FIXED_RATE);
    const bxFixed = await load(BARE_PORT, DURATION_S, 32, FIXED_RATE);
    const mean = (xs: RunResult[]): number => xs.reduce((a, r) => a + r.rps, 0) / xs.length;
    const [gwRps, bxRps, gwLow, bxLow] = [runs.gw, runs.bx, runs.gwLow, runs.bxLow].map(mean) as [
      number,
      number,
      number,
      number,
    ];
    const failures = [...Object.values(runs).flat(), gwFixed, bxFixed].reduce((a, r) => a + r.non2xx, 0);
    process.stdout.write(
      `intake: at ${CONNECTIONS} connections gateway ${gwRps.toFixed(0)} req/s vs bare express ${bxRps.toFixed(0)} req/s ` +
        `(ratio ${(gwRps / bxRps).toFixed(2)}, target >= 0.80); at ${LOW_CONNECTIONS} connections ${gwLow.toFixed(0)} vs ` +
        `${bxLow.toFixed(0)} (ratio ${(gwLow / bxLow).toFixed(2)}); at ${FIXED_RATE} req/s p99 gateway ${gwFixed.p99} ms ` +
        `vs bare ${bxFixed.p99} ms (ratio ${(gwFixed.p99 / Math.max(bxFixed.p99, 1)).toFixed(2)}, target <= 1.50); ` +
        `non-2xx/errors ${failures}\n`,
    );
  } finally {
    await Promise.all([stop(gateway), stop(bare)]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
