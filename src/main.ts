// Composition root: config → adapters → HTTP app and/or worker; signals stay in the CLI. The only module
// that picks adapters.
import { mergedSecrets, watchSecretsFile } from './intake/webhook-secrets-file';
import {
  createRegistrationHealthRunner,
  type RegistrationHealthRunner,
} from './vipps/registration-health-runner';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Router } from 'express';
import type { Config } from './config';
import { systemClock, type Clock } from './clock';
import { createLogger, registerSecret, type Logger } from './log';
import { createMetrics, type Metrics } from './http/metrics';
import { createApp } from './http/app';
import { createAdminServices, type AdminServices } from './admin/services';
import { adminUrlFor, bindAdminServer, createAdminApp } from './admin/server';
import { createOperatorAuth } from './admin/auth';
import { ensureLocalToken } from './admin/local-token';
import { refreshAdminGauges } from './admin/scrape-gauges';
import { logOutboxBacklogEvery } from './admin/outbox-backlog-log';
import { createWebhookActivity } from './admin/webhook-health';
import { createDeadLetterOps } from './admin/dead-letters-mount';
import { createConsole, type OperatorConsole } from './admin/console/console';
import { createLocalPayments } from './settlement/payments-api';
import { requestRefund } from './settlement/refund-request';
import { loadSession } from './store/sessions-repo';
import { LanesHolder } from './lanes/lanes-holder';
import { workingChannelsCheck } from './lanes/check-channels';
import { degradedChannelsCheck } from './runtime/degraded-channels';
import { createWebhookFastPath, type FastPath } from './intake/webhook-fast-path';
import { createWebhookRouter, type WebhookRouterDeps } from './intake/webhook-router';
import type { Queue } from './queue/queue';
import { openAdapters } from './runtime/adapters';
import { releaseStaleLeases } from './store/release-stale-leases';
import { failStopOnLostLock } from './store/fail-stop-on-lost-lock';
import { createVippsClient, type VippsClient, type VippsClientOptions } from './vipps/client';
import { createChannelRegistry } from './channels/registry';
import { assertSimulatedAvailable, isSimulatedLane } from './channels/simulated-channel';
import { assertLaneCredentials, lanesWithoutCredentials } from './vipps/credentials';
import { assertPayPageAvailable, lanesWithoutPayPage } from './lanes/pay-page-lanes';
import { alertOperatorAction, reportPushNotAllowedAtStart } from './vipps/error-code-alerts';
import type { LaneMessage } from './channels/channel';
import { createWorker, type Worker, type WorkerOptions } from './sessions/worker';
import {
  createSettlementRunner,
  type SettlementRunner,
  type SettlementRunnerOptions,
} from './settlement/runner';
import { createControllerService } from './sessions/controller-service';
import { createControllerRouter } from './controller-api/routes';
import { payRouterFor } from './pay/mount';
import type { PayPageLimits } from './pay/routes';
import { parseControllerKeys } from './controller-api/controller-keys';
import type { StartedEmulator } from './emulator/emulator';
import type { SimulatedController } from './emulator/simulated-controller';
import { bindServer } from './runtime/http-server';
import { explainListenError } from './runtime/port-in-use';
import {
  attachSimulatedController,
  autoRegisterSandboxWebhooks,
  emulatorStateFile,
  localBaseUrl,
  sandboxControllerKey,
  startEmbeddedEmulator,
  warnIfNoSimulatedMachine,
  warnIfSimulatedCannotReport,
  type SandboxEmulatorOptions,
} from './runtime/sandbox';
import { teeChannels } from './runtime/tee-channels';
import type { Trace } from './runtime/trace';

export type Role = 'serve' | 'work' | 'all';

export interface Gateway {
  /** Base URL the HTTP server listens on. */
  readonly url: string;
  readonly port: number;
  /** The admin listener's base URL (ADMIN_HOST/ADMIN_PORT; roles serve and all), undefined for `work`. */
  readonly adminUrl: string | undefined;
  readonly adminPort: number | undefined;
  /** The operator console on the admin listener (login links, its live feed), undefined for `work`. */
  readonly operatorConsole: OperatorConsole | undefined;
  /** The URL Vipps signs deliveries for (PUBLIC_WEBHOOK_URL, or the bound port's in the sandbox). */
  readonly publicWebhookUrl: URL;
  readonly queue: Queue;
  readonly lanes: LanesHolder;
  readonly metrics: Metrics;
  readonly vipps: VippsClient;
  /** The in-process sandbox emulator, when one runs. */
  readonly emulator: StartedEmulator | undefined;
  /** The sandbox's simulated lane controller (for `simulated` lanes), when the emulator runs here. */
  readonly simulatedController: SimulatedController | undefined;
  /** The controller-API key generated for the sandbox (hs256:…) when CONTROLLER_JWT_KEYS is empty. */
  readonly sandboxControllerKey: string | undefined;
  /** Live list of accepted webhook secrets (the sandbox adds the emulator's at start). */
  readonly webhookSecrets: string[];
  /** The check of this gateway's webhook registrations at Vipps (roles serve and all). */
  readonly registrationHealth: RegistrationHealthRunner | undefined;
  /** The settlement runner of a `work`/`all` process (undefined for `serve`). */
  readonly settlements: SettlementRunner | undefined;
  /** Stop accepting, finish in-flight requests and jobs, close the store. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly role: Role;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /** Extra routers mounted after the gateway's own (tests, sandbox tools). */
  readonly extraRouters?: readonly Router[];
  /**
   * Tuning for in-process callers (the demo, end-to-end tests, benchmarks); the environment does not set
   * these. `emulator` applies to the in-process emulator only (e.g. a user timeout of seconds, not 10 min);
   * `controllerAfterMs` is the simulated controller's default dispense delay (default 1 500).
   */
  readonly sandbox?: {
    readonly emulator?: SandboxEmulatorOptions;
    readonly controllerAfterMs?: number;
  };
  /** Vipps transport tuning (per-attempt timeout, overall deadline, retry policy). */
  readonly vipps?: Pick<VippsClientOptions, 'timeoutMs' | 'deadlineMs' | 'retry'>;
  /** Worker tuning: session timing, queue consumer, outbox, sweeper. */
  readonly worker?: Pick<WorkerOptions, 'timing' | 'consume' | 'outbox' | 'sweeper'>;
  /** Settlement runner tuning (tests run days of Vipps time limits on an injected clock). */
  readonly settlement?: Pick<SettlementRunnerOptions, 'timing' | 'intervalMs' | 'leaseMs' | 'batchSize'>;
  /** Benchmark hook (src/runtime/trace.ts); absent = nothing traced. */
  readonly trace?: Trace;
  /** How the process stops when its DATA_DIR lock is lost (fail-stop); default process.exit. Tests observe it. */
  readonly exit?: (code: number) => void;
  /** Pay page tuning (src/pay/): tests lower its rate limits. */
  readonly pay?: { readonly limits?: PayPageLimits };
}

export async function startGateway(config: Config, options: StartOptions): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const fetchFn = options.fetch ?? fetch;
  const { role } = options;
  for (const s of config.webhookSecrets) registerSecret(s);
  registerSecret(config.vipps.clientSecret);
  registerSecret(config.vipps.subscriptionKey);
  registerSecret(config.adminToken);
  for (const t of config.operatorTokens) registerSecret(t.plain);
  for (const k of config.controllerJwt.keys) registerSecret(k);

  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const fn of closers) {
      try {
        await fn();
      } catch (err) {
        logger.error('error while shutting down', { err });
      }
    }
  };
  try {
    const metrics = createMetrics({ defaultMetrics: true });
    const lanes = await LanesHolder.open(config.lanesFile, logger);
    assertSimulatedAvailable(lanes.current().all(), config.vipps.env === 'sandbox');
    assertLaneCredentials(lanes.current().all(), config.vipps);
    // Only the roles that serve the pay page need to know where phones reach it.
    const payPageKnown = role === 'work' || config.publicBaseUrl !== undefined;
    assertPayPageAvailable(lanes.current().all(), payPageKnown);
    const adapters = await openAdapters(config, clock, logger);
    const { store, queue } = adapters;
    closers.push(() => adapters.close());
    // Lanes whose last check-in Vipps refused with 5080 (push not allowed) are named at start (issue 15).
    await reportPushNotAllowedAtStart(store.db, lanes.current().all(), logger);
    if (store.lock) failStopOnLostLock(store.lock, logger, options.exit);
    if (store.lock) {
      // Sole owner of the embedded directory: leases left by a killed predecessor end now, not in minutes.
      const released = await releaseStaleLeases(store.db, clock.now());
      if (released.jobs + released.laneMessages + released.settlements > 0)
        logger.warn('released leases of a previous run', { ...released });
    }
    const bound = await bindServer(config.port, config.host);
    let draining = false;
    closers.unshift(async () => {
      draining = true;
      await bound.close();
    });
    // The admin listener (src/admin/server.ts) is bound as early as the public one: a port in use stops the start.
    const adminBound =
      role === 'work' ? undefined : await bindAdminServer(config.adminPort, config.adminHost);
    if (adminBound) closers.unshift(() => adminBound.close());
    const publicWebhookUrl = config.publicWebhookUrlDefaulted
      ? new URL(`http://127.0.0.1:${bound.port}${config.publicWebhookUrl.pathname}`)
      : config.publicWebhookUrl;

    let emulator: StartedEmulator | undefined;
    if (config.vipps.embeddedEmulator) {
      emulator = await startEmbeddedEmulator({
        port: config.emulatorPort,
        clock,
        logger,
        stateFile: emulatorStateFile(config.dataDir, config.store),
        overrides: options.sandbox?.emulator,
      }).catch((err: unknown) => {
        throw explainListenError(err, 'EMULATOR_PORT', '127.0.0.1', config.emulatorPort);
      });
      const running = emulator;
      closers.splice(1, 0, () => running.close());
    }
    if (config.vipps.env === 'sandbox') {
      logger.warn('VIPPS_ENV=sandbox: payments go to the built-in Vipps emulator; no real money moves', {
        vippsBaseUrl: emulator?.url ?? config.vipps.baseUrl,
      });
      if (!emulator && role !== 'serve')
        warnIfNoSimulatedMachine(lanes.current(), (l) => isSimulatedLane(l.controller, true), logger);
    }
    const vipps = createVippsClient({
      ...config.vipps,
      ...options.vipps,
      baseUrl: emulator?.url ?? config.vipps.baseUrl,
      fetch: fetchFn,
      clock,
      onCall: (operation, status) => metrics.vippsCalls.inc({ operation, status: String(status) }),
      // 5080 and the other refusals only a person can fix: an error line with the fix, and a metric.
      onApiError: (err, msn) =>
        alertOperatorAction(logger, (l) => metrics.vippsOperatorAction.inc(l), err, msn),
    });

    const webhookSecrets = [...config.webhookSecrets];
    // VIPPS_WEBHOOK_SECRETS_FILE: re-read on change, so a rotated registration's secret works without a restart.
    const secretsFile =
      config.webhookSecretsFile === undefined || role === 'work'
        ? undefined
        : await watchSecretsFile(config.webhookSecretsFile, { logger });
    if (secretsFile) closers.push(async () => secretsFile.close());
    if (config.vipps.env === 'sandbox' && role !== 'work') {
      webhookSecrets.push(
        ...(await autoRegisterSandboxWebhooks({
          vipps,
          lanes: lanes.current(),
          url: publicWebhookUrl,
          configuredSecrets: config.webhookSecrets.length + (secretsFile?.current().length ?? 0),
          embedded: config.vipps.embeddedEmulator,
          logger,
        })),
      );
    }

    // Payments restored from DATA_DIR move on only now, so the events they publish reach this gateway.
    emulator?.resume();

    // The registrations at Vipps, checked at start and every WEBHOOK_REGISTRATION_CHECK_S by whoever serves
    // the webhook (a metric, a /readyz detail and an error log when one is missing; issue 15).
    let registrationHealth: RegistrationHealthRunner | undefined;
    if (role !== 'work') {
      const runner = createRegistrationHealthRunner({
        vipps,
        msns: () => [
          ...new Set(
            lanes
              .current()
              .all()
              .map((l) => l.msn),
          ),
        ],
        url: publicWebhookUrl,
        metrics,
        logger,
        clock,
        intervalMs: config.webhookRegistrationCheckS * 1000,
      });
      registrationHealth = runner;
      closers.push(async () => runner.stop());
      void runner.check().catch((err: unknown) => logger.warn('webhook registration check failed', { err }));
    }

    const controllerKeys = [...config.controllerJwt.keys];
    let sandboxKey: string | undefined;
    if (config.vipps.env === 'sandbox' && controllerKeys.length === 0) {
      sandboxKey = sandboxControllerKey();
      controllerKeys.push(sandboxKey);
    }

    let simulatedController: SimulatedController | undefined;
    if (emulator) {
      // Reports go through this gateway's own controller API, signed with a key it accepts.
      const simulatedKey = controllerKeys.find((k) => k.trim().startsWith('hs256:'))?.trim();
      warnIfSimulatedCannotReport(
        simulatedKey,
        lanes.current(),
        (l) => isSimulatedLane(l.controller, true),
        logger,
      );
      const controller = attachSimulatedController(emulator, {
        gatewayUrl: localBaseUrl(config.host, bound.port),
        controllerKey: simulatedKey,
        audience: config.controllerJwt.audience,
        issuer: config.controllerJwt.issuer,
        fetch: fetchFn,
        clock,
        logger: logger.child({ component: 'simulated-controller' }),
        ...(options.sandbox?.controllerAfterMs === undefined
          ? {}
          : { afterMs: options.sandbox.controllerAfterMs }),
      });
      simulatedController = controller;
      // Before the HTTP server closes: no report is sent to a gateway that is going away.
      closers.unshift(() => controller.close());
    }

    const intakeRouters: Router[] = [];
    let webhookFastPath: FastPath | undefined;
    const routers: Router[] = [];
    if (role !== 'work') {
      const webhook: WebhookRouterDeps = {
        publicUrl: publicWebhookUrl,
        listenPath: config.webhookPath,
        secrets: mergedSecrets(webhookSecrets, secretsFile),
        skewS: config.webhookClockSkewS,
        clock,
        lanes: () => lanes.current(),
        queue,
        sql: store.db,
        // References carry the lane's key (src/sessions/ids.ts), so intake needs no store lookup.
        resolveReference: (reference) => Promise.resolve(lanes.current().laneIdForReference(reference)),
        metrics,
        logger,
        checkinMaxAgeS: config.checkinMaxAgeS,
        failedAuthLimitPerMin: config.intakeRateLimitPerMin,
        ...(options.trace ? { trace: options.trace } : {}),
      };
      intakeRouters.push(createWebhookRouter(webhook));
      webhookFastPath = createWebhookFastPath(webhook);
      routers.push(
        createControllerRouter({
          service: createControllerService({ db: store.db, queue, lanes: () => lanes.current(), clock }),
          refund: (sessionId, ask, requestedBy) =>
            requestRefund(store.db, { sessionId, ...ask, requestedBy }, clock.now(), async (id) =>
              Boolean(await loadSession(store.db, id)),
            ),
          lanes: () => lanes.current(),
          auth: {
            keys: parseControllerKeys(controllerKeys),
            audience: config.controllerJwt.audience,
            issuer: config.controllerJwt.issuer,
            maxLifetimeS: config.controllerJwt.maxTtlS,
            clock,
          },
          failedAuthLimitPerMin: config.controllerJwt.failedAuthLimitPerMin,
          logger,
        }),
      );
      // Where redirect-qr lanes' merchant-redirect codes lead (src/pay/); none without PUBLIC_BASE_URL.
      const pay = payRouterFor({
        config,
        boundPort: bound.port,
        db: store.db,
        queue,
        lanes: () => lanes.current(),
        clock,
        logger,
        emulatorUrl: emulator?.url,
        limits: options.pay?.limits,
      });
      if (pay) routers.push(pay);
    }
    let settlements: SettlementRunner | undefined;
    const payments = createLocalPayments({
      db: store.db,
      epayment: vipps.epayment,
      clock,
      // Only a process that runs the settlement works it at once; a `serve` process leaves it to the workers.
      runOnce: () => settlements?.runOnce() ?? Promise.resolve(null),
    });
    routers.push(...(options.extraRouters ?? []));

    // The admin API's services, shared by its JSON routes, the console and the dead-letter/outbox routes.
    const webhookActivity = createWebhookActivity(publicWebhookUrl.pathname, clock);
    let adminServices: AdminServices | undefined;
    let operatorConsole: OperatorConsole | undefined;
    if (adminBound) {
      const localToken = await ensureLocalToken(config.dataDir);
      registerSecret(localToken);
      adminServices = createAdminServices({
        db: store.db,
        queue,
        lanes: () => lanes.current(),
        clock,
        logger,
        metrics,
        config,
        vipps,
        payments,
        publicWebhookUrl: () => publicWebhookUrl,
        webhookActivity,
        controllerKeys,
        verifyOperatorToken: createOperatorAuth({
          operatorTokens: config.operatorTokens,
          adminToken: config.adminToken,
          localToken,
        }),
      });
      // Routers under /admin (after the operator check) and routers with their own login (the console):
      // dead letters and outbox routes go into adminRouters, the console into consoleRouters.
      const deadLetterOps = createDeadLetterOps(adminServices.deps, () => worker?.outbox.wake());
      closers.push(async () => deadLetterOps.close());
      const adminRouters: Router[] = [...deadLetterOps.routers];
      const consoleRouters: Router[] = [];
      operatorConsole = createConsole({ services: adminServices, deadLetters: deadLetterOps.deadLetters });
      consoleRouters.push(operatorConsole.router);
      const running = operatorConsole;
      // Before the admin listener closes: an open live stream (SSE) would hold it open.
      closers.unshift(async () => running.close());
      adminBound.attach(createAdminApp({ services: adminServices, adminRouters, routers: consoleRouters }));
    }

    let worker: Worker | undefined;
    if (role !== 'serve') {
      const sim = simulatedController;
      let channels = createChannelRegistry({
        fetch: fetchFn,
        clock,
        logger,
        secrets: config.channelSecret,
        ...(adapters.sqsClient ? { sqsClient: adapters.sqsClient } : {}),
        // Only lanes on the `simulated` channel (or with no controller field) reach the simulated machine;
        // with an external emulator (no machine here) they are only logged.
        ...(config.vipps.env === 'sandbox'
          ? { simulated: (message: LaneMessage) => sim?.receive(message) }
          : {}),
      });
      const { trace } = options;
      if (trace) {
        channels = teeChannels(
          channels,
          (message) => trace('lane-message-sent', { at: performance.now(), message }),
          logger,
        );
      }
      // Short leases renewed while held (WORKER_LEASE_S): a killed worker's work resumes within seconds.
      const lease = {
        leaseMs: config.workerLease.leaseS * 1000,
        heartbeatMs: config.workerLease.heartbeatS * 1000,
      };
      // A lane whose channel cannot work (unset secretEnv, unknown queue, …) stops the start, naming it (issue 13).
      const registry = channels;
      const channelsCheck = workingChannelsCheck((lane) => registry.channelFor(lane), adapters.sqsClient);
      await lanes.requireWorkingChannels(async (ls) => [
        ...(await channelsCheck(ls)),
        // A reload that adds a lane on an MSN without credentials keeps the previous lanes (issue 15).
        ...lanesWithoutCredentials(ls, config.vipps),
        ...lanesWithoutPayPage(ls, payPageKnown),
      ]);
      const runner = createSettlementRunner({
        ...lease,
        ...options.settlement,
        db: store.db,
        epayment: vipps.epayment,
        clock,
        logger,
        metrics,
        outbox: { wake: () => worker?.outbox.wake() },
      });
      settlements = runner;
      worker = createWorker({
        ...options.worker,
        outbox: { ...lease, ...options.worker?.outbox },
        // SQS holds its jobs by visibility (SQS_VISIBILITY_TIMEOUT_SECONDS): a lease here would override it.
        ...(config.queue === 'postgres'
          ? {
              consume: {
                leaseMs: lease.leaseMs,
                heartbeatIntervalMs: lease.heartbeatMs,
                ...options.worker?.consume,
              },
            }
          : {}),
        settlements: runner,
        queue,
        db: store.db,
        vipps,
        channels,
        lanes: () => lanes.current(),
        clock,
        logger,
        metrics,
        concurrency: config.workerConcurrency,
      });
      worker.start();
      runner.start();
      // The `outbox backlog` line the AWS alarm for undelivered lane messages reads (src/admin/outbox-backlog-log.ts).
      const backlogLine = logOutboxBacklogEvery(60_000, {
        db: store.db,
        clock,
        logger,
        behindAfterS: config.channelDegradedAfterS,
      });
      backlogLine.start();
      const running = worker;
      // After the HTTP server stops taking work, before the store closes.
      closers.splice(1, 0, async () => {
        await backlogLine.stop();
        await running.stop();
        await runner.stop();
      });
    }

    const app = createApp({
      logger,
      metrics,
      trustProxy: config.trustProxy,
      isDraining: () => draining,
      readiness: [
        { name: 'lanes', check: async () => void lanes.current() },
        ...adapters.readiness,
        degradedChannelsCheck(store.db, clock, config.channelDegradedAfterS),
        ...(registrationHealth ? [registrationHealth.readiness] : []),
      ],
      intakeRouters,
      routers,
      beforeScrape: async () => {
        const s = await queue.stats();
        metrics.queueDepth.set({ state: 'ready' }, s.ready);
        metrics.queueDepth.set({ state: 'in_flight' }, s.inFlight);
        metrics.queueDepth.set({ state: 'delayed' }, s.delayed);
        metrics.queueDepth.set({ state: 'dead' }, s.dead);
        await refreshAdminGauges(
          store.db,
          lanes.current(),
          metrics,
          clock.now(),
          s.dead,
          config.vipps.env === 'sandbox',
        );
      },
    });
    const fast = webhookFastPath;
    const served = fast
      ? (req: IncomingMessage, res: ServerResponse) => fast(req, res, () => app(req, res))
      : app;
    // Verified deliveries (2xx on the webhook path) are timed for the admin API's webhook health.
    bound.attach((req, res) => {
      webhookActivity.observe(req, res);
      return served(req, res);
    });
    lanes.watchSighup(process);
    closers.unshift(async () => lanes.unwatch());

    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${bound.port}`;
    const adminUrl = adminBound ? adminUrlFor(config.adminHost, adminBound.port) : undefined;
    // The CLI on this host finds the admin listener here (queue stats, lanes status, payments, …).
    if (adminUrl) await store.lock?.updateLockInfo({ adminUrl });
    logger.info('gateway listening', {
      url,
      role,
      publicWebhookUrl: publicWebhookUrl.href,
      vippsEnv: config.vipps.env,
      queue: config.queue,
      store: config.store,
      emulatorUrl: emulator?.url,
      adminUrl,
      lanes: lanes.current().size,
    });
    if (config.vipps.env === 'sandbox' && adminUrl && operatorConsole)
      logger.info('sandbox: operator console; this login link works once, for 10 minutes', {
        consoleUrl: await operatorConsole.loginLink(adminUrl),
      });

    let closing: Promise<void> | undefined;
    return {
      url,
      port: bound.port,
      adminUrl,
      adminPort: adminBound?.port,
      operatorConsole,
      publicWebhookUrl,
      queue,
      lanes,
      metrics,
      vipps,
      emulator,
      simulatedController,
      settlements,
      sandboxControllerKey: sandboxKey,
      webhookSecrets,
      registrationHealth,
      close: () => (closing ??= close()),
    };
  } catch (err) {
    await close();
    throw err;
  }
}
