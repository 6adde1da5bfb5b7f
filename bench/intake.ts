// bench/intake: the gateway's webhook intake (unique, validly signed check-ins, each made durable in the
// embedded queue before the 202) against a bare Express 5 route accepting the same body, in one run on this
// machine. Both servers run as child processes; autocannon drives them from this process with identical
// request generation (signing included), alternating runs to even out the shared machine's noise.
//   npx tsx bench/intake.ts        (knobs: BENCH_DURATION_S, BENCH_CONNECTIONS, BENCH_RATE)
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { signDelivery } from '../src/intake/signature';
import { spawnTs, stop, waitForHttp } from './support';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
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

async function load(port: number, seconds: number, rate?: number): Promise<RunResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: rate ? Math.max(CONNECTIONS, 32) : CONNECTIONS,
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
    await load(GATEWAY_PORT, 3);
    await load(BARE_PORT, 3);
    const gw: RunResult[] = [];
    const bx: RunResult[] = [];
    for (let round = 0; round < 2; round++) {
      gw.push(await load(GATEWAY_PORT, DURATION_S));
      bx.push(await load(BARE_PORT, DURATION_S));
    }
    const gwFixed = await load(GATEWAY_PORT, DURATION_S, FIXED_RATE);
    const bxFixed = await load(BARE_PORT, DURATION_S, FIXED_RATE);
    const mean = (xs: RunResult[]): number => xs.reduce((a, r) => a + r.rps, 0) / xs.length;
    const gwRps = mean(gw);
    const bxRps = mean(bx);
    const failures = [...gw, ...bx, gwFixed, bxFixed].reduce((a, r) => a + r.non2xx, 0);
    process.stdout.write(
      `intake: gateway ${gwRps.toFixed(0)} req/s vs bare express ${bxRps.toFixed(0)} req/s ` +
        `(ratio ${(gwRps / bxRps).toFixed(2)}, target >= 0.80); at ${FIXED_RATE} req/s p99 gateway ${gwFixed.p99} ms ` +
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
