// The gateway half of `BENCH_SPLIT=1 npx tsx bench/e2e.ts` (bench/e2e-split.ts forks it): the real gateway,
// `all` role, against the driver's Vipps emulator (VIPPS_BASE_URL) with its lanes on a webhook channel to the
// driver's simulated controllers, so this process does only the gateway's work. It answers the driver over IPC:
// `cpu` → its process.cpuUsage() (every thread: event loop, PGlite's thread, V8's helpers); `finish` → the
// trace timestamps (epoch ms: performance.timeOrigin + performance.now(), comparable across processes) and
// the queue's stats, then it stops.
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { createLogger, silentLogger } from '../src/log';
import { startGateway } from '../src/main';
import type { Trace } from '../src/runtime/trace';
import { referenceFor } from '../src/sessions/ids';
import { arrivals, type Traced } from './e2e-support';

export type SplitRequest = { readonly type: 'cpu' } | { readonly type: 'finish' };
export type SplitReply =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'cpu'; readonly usage: NodeJS.CpuUsage }
  | {
      readonly type: 'finished';
      readonly checkin: [string, number][];
      readonly authorized: [string, number][];
      readonly authorizedSent: [string, number][];
      readonly stats: unknown;
    };

const epoch = (at: number): number => performance.timeOrigin + at;

async function main(): Promise<void> {
  const send = (reply: SplitReply): void => void process.send?.(reply);
  const traced: Pick<Traced, 'webhooks' | 'authorizedSent'> = { webhooks: [], authorizedSent: new Map() };
  const trace: Trace = (event, fields) => {
    if (event === 'webhook-received') {
      const { at, rawBody } = fields as { at: number; rawBody: Buffer };
      traced.webhooks.push({ at: epoch(at), rawBody });
    } else {
      const { at, message } = fields as {
        at: number;
        message: { type: string; laneId: string; sessionId: string };
      };
      if (message.type === 'session.authorized')
        traced.authorizedSent.set(referenceFor(message.laneId, message.sessionId), epoch(at));
    }
  };
  const logLevel = process.env['BENCH_LOG_LEVEL'];
  const gateway = await startGateway(loadConfig(process.env), {
    role: 'all',
    logger: logLevel ? createLogger({ level: logLevel, stream: process.stderr }) : silentLogger(),
    trace,
  });
  process.on('message', (request: SplitRequest) => {
    if (request.type === 'cpu') {
      send({ type: 'cpu', usage: process.cpuUsage() });
      return;
    }
    void (async () => {
      const stats = await gateway.queue.stats();
      const { checkin, authorized } = arrivals(traced);
      send({
        type: 'finished',
        checkin: [...checkin],
        authorized: [...authorized],
        authorizedSent: [...traced.authorizedSent],
        stats,
      });
      await gateway.close();
      process.disconnect?.();
    })();
  });
  send({ type: 'ready', url: gateway.url });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
