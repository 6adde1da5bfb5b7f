// Composition root: config → adapters → HTTP app and/or worker; signals. The only module that picks adapters.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import { systemClock, type Clock } from './clock';
import { createLogger, registerSecret, type Logger } from './log';
import { createMetrics, type Metrics } from './http/metrics';
import { createApp } from './http/app';
import { adminRouter } from './http/admin';
import { LanesHolder } from './lanes/lanes-holder';
import { createWebhookRouter } from './intake/webhook-router';
import { openEmbeddedStore, type EmbeddedStore } from './store/open-embedded';
import { PostgresQueue } from './queue/postgres-queue';
import type { Router } from 'express';

export type Role = 'serve' | 'work' | 'all';

export interface Gateway {
  /** Base URL the HTTP server listens on (when the role serves HTTP). */
  readonly url: string;
  readonly port: number;
  readonly queue: PostgresQueue;
  readonly lanes: LanesHolder;
  readonly metrics: Metrics;
  /** Live list of accepted webhook secrets (the sandbox adds the emulator's at start). */
  readonly webhookSecrets: string[];
  /** Stop accepting, finish in-flight requests and jobs, close the store. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly role: Role;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Extra routers mounted after intake (controller API, emulator in sandbox). */
  readonly extraRouters?: readonly Router[];
}

export async function startGateway(config: Config, options: StartOptions): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  for (const s of config.webhookSecrets) registerSecret(s);
  registerSecret(config.vipps.clientSecret);
  registerSecret(config.adminToken);
  for (const k of config.controllerJwt.keys) registerSecret(k);

  const metrics = createMetrics({ defaultMetrics: true });
  const lanes = await LanesHolder.open(config.lanesFile, logger);
  const store: EmbeddedStore = await openEmbeddedStore(config.dataDir);
  const closers: Array<() => Promise<void>> = [() => store.close()];
  try {
    const queue = new PostgresQueue({
      sql: store.db,
      clock,
      logger,
      maxAttempts: config.queueMaxAttempts,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
    });
    const webhookSecrets = [...config.webhookSecrets];
    let draining = false;
    const intake = createWebhookRouter({
      publicUrl: config.publicWebhookUrl,
      secrets: () => webhookSecrets,
      skewS: config.webhookClockSkewS,
      clock,
      lanes: () => lanes.current(),
      queue,
      sql: store.db,
      // References carry the lane's key (see src/sessions/ids.ts), so intake needs no store lookup.
      resolveReference: (reference) => Promise.resolve(lanes.current().laneIdForReference(reference)),
      metrics,
      logger,
      checkinMaxAgeS: config.checkinMaxAgeS,
      failedAuthLimitPerMin: config.intakeRateLimitPerMin,
    });
    const app = createApp({
      logger,
      metrics,
      trustProxy: config.trustProxy,
      isDraining: () => draining,
      readiness: [
        { name: 'lanes', check: async () => void lanes.current() },
        { name: 'queue', check: async () => void (await store.db.query('SELECT 1')) },
      ],
      routers: [
        intake,
        adminRouter({ queue, adminToken: config.adminToken }),
        ...(options.extraRouters ?? []),
      ],
      beforeScrape: async () => {
        const s = await queue.stats();
        metrics.queueDepth.set({ state: 'ready' }, s.ready);
        metrics.queueDepth.set({ state: 'in_flight' }, s.inFlight);
        metrics.queueDepth.set({ state: 'delayed' }, s.delayed);
        metrics.queueDepth.set({ state: 'dead' }, s.dead);
      },
    });
    lanes.watchSighup(process);
    closers.unshift(async () => lanes.unwatch());

    const server = await listen(app, config.port, config.host);
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const adminHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    await store.lock.updateLockInfo({ adminUrl: `http://${adminHost}:${port}` });
    closers.unshift(async () => {
      draining = true;
      await closeServer(server);
    });
    logger.info('gateway listening', {
      url,
      role: options.role,
      webhookPath: config.publicWebhookUrl.pathname,
      vippsEnv: config.vipps.env,
      lanes: lanes.current().size,
    });

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      queue,
      lanes,
      metrics,
      webhookSecrets,
      close: () => (closing ??= runClosers(closers, logger)),
    };
  } catch (err) {
    await runClosers(closers, logger);
    throw err;
  }
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    // Vipps gives up after 10 s; keep sockets from lingering far beyond that.
    server.headersTimeout = 15_000;
    server.requestTimeout = 15_000;
    server.keepAliveTimeout = 5_000;
  });
}

/** Stop accepting connections, let in-flight requests finish, close idle keep-alive sockets. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function runClosers(closers: ReadonlyArray<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (err) {
      logger.error('error while shutting down', { err });
    }
  }
}
