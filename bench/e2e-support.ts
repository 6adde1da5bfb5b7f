// Shared by bench/e2e.ts's two modes: the lanes file, the load generator (one session per lane at a time, at a
// fixed rate) and the latency arithmetic over the trace hook's timestamps.
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ReceivedMessage } from '../src/emulator/simulated-controller';
import { referenceFor, sessionIdFor } from '../src/sessions/ids';
import { isFinalMessageType } from '../src/sessions/lane-message';

export const TARGET_P99_MS = 25;
export const MSN = '123456';

export const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

export const fmt = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : ms.toFixed(1));

/** `controller` lines (already indented) are added to every lane; none = the sandbox's default channel. */
export function benchLanesYaml(count: number, controller: readonly string[] = []): string {
  const out = ['lanes:'];
  for (let i = 0; i < count; i++) {
    out.push(
      `  - id: bench-${i}`,
      '    kind: vending',
      `    msn: '${MSN}'`,
      `    description: Bench machine ${i}`,
      '    currency: NOK',
      '    maxAmount: 10000',
      ...controller,
    );
  }
  return `${out.join('\n')}\n`;
}

export interface Traced {
  readonly webhooks: { at: number; rawBody: Buffer }[];
  readonly authorizedSent: Map<string, number>;
  readonly created: Map<string, number>;
}

/** Per reference: the first arrival of the check-in and of the AUTHORIZED webhook (retries do not count). */
export function arrivals(traced: Pick<Traced, 'webhooks'>): {
  checkin: Map<string, number>;
  authorized: Map<string, number>;
} {
  const checkin = new Map<string, number>();
  const authorized = new Map<string, number>();
  for (const { at, rawBody } of traced.webhooks) {
    const e = JSON.parse(rawBody.toString('utf8')) as Record<string, string>;
    if (e['customerToken'] !== undefined) {
      const laneId = e['merchantQrId'] as string;
      const sessionId = sessionIdFor({
        msn: e['msn'] as string,
        merchantQrId: laneId,
        initiatedAt: e['initiatedAt'] as string,
        customerToken: e['customerToken'],
      });
      const ref = referenceFor(laneId, sessionId);
      if (!checkin.has(ref)) checkin.set(ref, at);
    } else if (e['name'] === 'AUTHORIZED' && !authorized.has(e['reference'] as string)) {
      authorized.set(e['reference'] as string, at);
    }
  }
  return { checkin, authorized };
}

export function gaps(from: Map<string, number>, to: Map<string, number>, measured: Set<string>): number[] {
  const out: number[] = [];
  for (const [ref, start] of from) {
    const end = to.get(ref);
    if (end !== undefined && measured.has(ref)) out.push(end - start);
  }
  return out.sort((a, b) => a - b);
}

/** The lanes free for a scan (longest free first) and the sessions under way, kept by the controller's view. */
export interface LanePool {
  readonly free: string[];
  readonly active: Set<string>;
  readonly endings: Map<string, number>;
}

export function lanePool(laneCount: number, controllerEvents: EventEmitter): LanePool {
  const pool: LanePool = {
    free: Array.from({ length: laneCount }, (_, i) => `bench-${i}`),
    active: new Set<string>(),
    endings: new Map<string, number>(),
  };
  controllerEvents.on('message', (r: ReceivedMessage) => {
    if (!isFinalMessageType(r.message.type)) return;
    pool.endings.set(r.message.type, (pool.endings.get(r.message.type) ?? 0) + 1);
    if (pool.active.delete(r.message.sessionId)) pool.free.push(r.message.laneId);
  });
  return pool;
}

export interface Driven {
  readonly measured: Set<string>;
  readonly scans: number;
  readonly busyPicks: number;
  readonly sendMs: number;
}

/**
 * Scans at `rate` for warmup + duration seconds: the lane that has been free longest; a busy pick is dropped by
 * the gateway (counted). Sessions after the warm-up are measured; `onWarm` runs once, when measuring starts.
 */
export async function drive(o: {
  readonly rate: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly pool: LanePool;
  readonly scan: (laneId: string) => { customerToken: string; initiatedAt: string };
  readonly onWarm: () => void;
}): Promise<Driven> {
  const { rate, pool } = o;
  const laneCount = pool.free.length + pool.active.size;
  const measured = new Set<string>();
  const warmScans = rate * o.warmupS;
  const total = Math.round(rate * (o.durationS + o.warmupS));
  let scans = 0;
  let busyPicks = 0;
  let warm = false;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      if (!warm && scans >= warmScans) {
        warm = true;
        o.onWarm();
      }
      for (; scans < due; scans++) {
        let laneId = pool.free.shift();
        if (laneId === undefined) {
          busyPicks += 1;
          laneId = `bench-${scans % laneCount}`;
        }
        const { customerToken, initiatedAt } = o.scan(laneId);
        const sessionId = sessionIdFor({ msn: MSN, merchantQrId: laneId, initiatedAt, customerToken });
        pool.active.add(sessionId);
        if (scans >= warmScans) measured.add(referenceFor(laneId, sessionId));
      }
      if (scans >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  return { measured, scans, busyPicks, sendMs: performance.now() - started };
}

export async function drain(pool: LanePool, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (pool.active.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
