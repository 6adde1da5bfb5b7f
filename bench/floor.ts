// bench/floor: the CPU that the parts every session needs cost on this machine, before any gateway logic, to
// show how many sessions a second the machine could carry at best (bench/e2e measures what it does carry).
//   - One HTTP exchange, both ends in this process: Express 5 serving + fetch sending (the stack the sandbox's
//     hot paths use: the emulator's ePayment API, the controller API, the Vipps client, webhook deliveries)
//     against bare node:http at both ends.
//   - One PGlite statement on a data dir on disk: `SELECT 1` and a one-row insert that commits.
// A session makes ~10 HTTP exchanges and ~50 PGlite statements (README, Benchmarks). PGlite runs on one thread,
// so its share alone caps the rate at 1000 / (50 × statement) sessions a second, whatever the cores.
//   npx tsx bench/floor.ts   (knobs: BENCH_EXCHANGES (4000), BENCH_STATEMENTS (4000))
import express from 'express';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { openPglite } from '../src/store/pglite';

const EXCHANGES = Number(process.env.BENCH_EXCHANGES ?? 4000);
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 4000);
const PARALLEL = 20;
const EXCHANGES_PER_SESSION = 10;
const STATEMENTS_PER_SESSION = 50;
const BODY = JSON.stringify({ msn: '123456', merchantQrId: 'lane-1', customerToken: 'x'.repeat(200) });

/** CPU ms (every thread of this process) per call of `one`, after a warm-up, with PARALLEL calls in flight. */
async function cpuPerCall(one: () => Promise<void>, count: number, parallel = PARALLEL): Promise<number> {
  for (let i = 0; i < Math.min(1000, count); i++) await one();
  const before = process.cpuUsage();
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started++ < count) await one();
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

async function listen(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function exchangeCost(
  serverSide: 'express' | 'node:http',
  clientSide: 'fetch' | 'node:http',
): Promise<number> {
  const server =
    serverSide === 'express'
      ? await listen(expressApp() as unknown as http.RequestListener)
      : await listen((req, res) => {
          req.resume();
          req.on('end', () => {
            res.writeHead(202, { 'content-type': 'application/json' });
            res.end('{"ok":true}');
          });
        });
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const url = `http://127.0.0.1:${port}/x`;
  const headers = { 'content-type': 'application/json' };
  const viaFetch = async (): Promise<void> => {
    const res = await fetch(url, { method: 'POST', headers, body: BODY });
    await res.json();
  };
  const viaHttp = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          resolve();
        });
      });
      req.on('error', reject);
      req.end(BODY);
    });
  try {
    return await cpuPerCall(clientSide === 'fetch' ? viaFetch : viaHttp, EXCHANGES);
  } finally {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
}

function expressApp(): express.Express {
  const app = express();
  app.use(express.json());
  app.post('/x', (_req, res) => {
    res.status(202).json({ ok: true });
  });
  return app;
}

/** CPU ms per statement on PGlite in this process, one at a time (as on its thread). */
async function statementCost(): Promise<{ select: number; insert: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-bench-floor-'));
  const db = await openPglite(path.join(dir, 'data'));
  try {
    await db.query(
      'CREATE TABLE t (id bigserial PRIMARY KEY, lane_id text NOT NULL, at timestamptz NOT NULL)',
    );
    const select = await cpuPerCall(() => db.query('SELECT 1').then(() => undefined), STATEMENTS, 1);
    const insert = await cpuPerCall(
      () =>
        db.query('INSERT INTO t (lane_id, at) VALUES ($1, $2)', ['lane-1', new Date()]).then(() => undefined),
      STATEMENTS,
      1,
    );
    return { select, insert };
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const heavy = await exchangeCost('express', 'fetch');
  const fetchOnly = await exchangeCost('node:http', 'fetch');
  const expressOnly = await exchangeCost('express', 'node:http');
  const bare = await exchangeCost('node:http', 'node:http');
  const { select, insert } = await statementCost();
  const cores = availableParallelism();
  const session = EXCHANGES_PER_SESSION * heavy + STATEMENTS_PER_SESSION * select;
  const ms = (n: number): string => n.toFixed(2);
  process.stdout.write(
    `floor: one HTTP exchange (both ends) ${ms(heavy)} ms CPU with Express + fetch, ${ms(fetchOnly)} with ` +
      `node:http + fetch, ${ms(expressOnly)} with Express + http.request, ${ms(bare)} with node:http only; ` +
      `one PGlite statement ${ms(select)} ms (SELECT 1), ${ms(insert)} ms (insert, commit); ` +
      `${EXCHANGES_PER_SESSION} exchanges + ${STATEMENTS_PER_SESSION} statements a session >= ` +
      `${session.toFixed(1)} ms: at most ~${Math.floor((cores * 1000) / session)}/s on ${cores} cores, ` +
      `PGlite's one thread at most ~${Math.floor(1000 / (STATEMENTS_PER_SESSION * select))}/s\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
