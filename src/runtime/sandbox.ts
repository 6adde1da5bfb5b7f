// The sandbox (VIPPS_ENV=sandbox): no real money moves. Runs the built-in Vipps emulator in-process when no
// VIPPS_BASE_URL is given, and registers the gateway's webhook with it so check-ins flow with no set-up.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../log';
import { registerSecret } from '../log';
import { eventsOfKind, WEBHOOK_KINDS } from '../vipps/webhook-events';
import type { Clock } from '../clock';
import type { Lane, LaneRegistry } from '../lanes/lane';
import type { VippsClient } from '../vipps/client';
import { VippsApiError } from '../vipps/errors';
import { controllersRouter } from '../emulator/control-routes';
import { startEmulator, type EmulatorOptions, type StartedEmulator } from '../emulator/emulator';
import {
  createSimulatedController,
  type SimulatedController,
  type SimulatedControllerOptions,
} from '../emulator/simulated-controller';

/** Emulator settings an in-process caller may change (demo, tests, benchmarks): e.g. a short user timeout. */
export type SandboxEmulatorOptions = Omit<EmulatorOptions, 'clock' | 'logger'>;

/**
 * Where the embedded emulator keeps its world: beside the embedded database, so the two survive a restart
 * together (issue 13). None for `memory://` or when the database is elsewhere (STORE=postgres: DATA_DIR is then
 * neither used nor locked, so two gateways could share the file).
 */
export function emulatorStateFile(dataDir: string, store: 'pglite' | 'postgres'): string | undefined {
  return store === 'pglite' && dataDir !== 'memory://' ? join(dataDir, 'emulator-state.json') : undefined;
}

export async function startEmbeddedEmulator(options: {
  port: number;
  clock: Clock;
  logger: Logger;
  stateFile?: string | undefined;
  overrides?: SandboxEmulatorOptions | undefined;
}): Promise<StartedEmulator> {
  return startEmulator({
    ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
    // The sandbox gateway listens on plain http on this machine; Vipps itself would refuse such a URL.
    allowHttp: true,
    ...options.overrides,
    port: options.port,
    host: '127.0.0.1',
    clock: options.clock,
    logger: options.logger.child({ component: 'emulator' }),
  });
}

/**
 * Registers `url` for every MSN of the lanes with the sandbox Vipps, once for check-ins and once for ePayment
 * events, and returns the secrets. Registrations
 * for the same URL left by an earlier run (an external emulator outlives the gateway) are replaced; with
 * `replaceLoopback` (the built-in emulator, whose saved state keeps registrations) so are those an earlier run
 * on another local port left, which would otherwise be retried against a port nobody listens on.
 */
export async function registerSandboxWebhooks(
  vipps: VippsClient,
  lanes: LaneRegistry,
  url: URL,
  options: { readonly replaceLoopback?: boolean } = {},
): Promise<string[]> {
  const msns = [...new Set(lanes.all().map((l) => l.msn))];
  const secrets: string[] = [];
  for (const msn of msns) {
    const existing = await vipps.webhooks.list({ msn });
    for (const w of existing) {
      if (w.url === url.href || (options.replaceLoopback && sameLoopbackRoute(w.url, url)))
        await vipps.webhooks.delete({ msn, id: w.id });
    }
    // Two registrations per sales unit, as in production (issue 15): check-ins and ePayment events.
    for (const kind of WEBHOOK_KINDS) {
      const { secret } = await vipps.webhooks.register({
        msn,
        url: url.href,
        events: [...eventsOfKind(kind)],
      });
      registerSecret(secret);
      secrets.push(secret);
    }
  }
  return secrets;
}

/**
 * The sandbox's webhook registration at start; returns the secrets to accept besides VIPPS_WEBHOOK_SECRETS.
 * The built-in emulator belongs to this process, so the gateway always registers with it. An external emulator
 * may be shared (other instances, a registration made with `webhooks register`): with VIPPS_WEBHOOK_SECRETS
 * set, the operator manages registrations there, and replacing them would break the other holders (issue 13),
 * so the gateway says so instead of silently doing nothing.
 */
export async function autoRegisterSandboxWebhooks(o: {
  vipps: VippsClient;
  lanes: LaneRegistry;
  url: URL;
  configuredSecrets: number;
  embedded: boolean;
  logger: Logger;
}): Promise<string[]> {
  if (o.configuredSecrets > 0 && !o.embedded) {
    o.logger.warn(
      'sandbox: not registering the webhook with the external emulator because VIPPS_WEBHOOK_SECRETS is set; scans reach the gateway only through a registration you made (checkin-gateway webhooks register) whose secret is in VIPPS_WEBHOOK_SECRETS. Unset VIPPS_WEBHOOK_SECRETS to have the gateway register at start',
      { publicWebhookUrl: o.url.href },
    );
    return [];
  }
  const secrets = await registerSandboxWebhooks(o.vipps, o.lanes, o.url, {
    replaceLoopback: o.embedded,
  }).catch((err: unknown) => {
    // A standalone emulator is as strict as Vipps: https only unless started with --allow-http (issue 15).
    if (err instanceof VippsApiError && err.status === 400 && o.url.protocol === 'http:')
      throw new Error(
        `the emulator at VIPPS_BASE_URL refused to register ${o.url.href}: it accepts https URLs only unless ` +
          `started with \`checkin-gateway emulator --allow-http\` (${err.message})`,
      );
    throw err;
  });
  o.logger.info('sandbox: registered the webhook with the sandbox Vipps', {
    publicWebhookUrl: o.url.href,
    salesUnits: secrets.length / WEBHOOK_KINDS.length,
    ...(o.configuredSecrets > 0 ? { alsoAccepted: 'VIPPS_WEBHOOK_SECRETS' } : {}),
  });
  return secrets;
}

/**
 * Says at start why `simulated` lanes will see no dispense reports: CONTROLLER_JWT_KEYS is set (so no sandbox
 * key is made) but holds no hs256 key the simulated controller could sign with.
 */
export function warnIfSimulatedCannotReport(
  controllerKey: string | undefined,
  lanes: LaneRegistry,
  simulatedLanes: (lane: Lane) => boolean,
  logger: Logger,
): void {
  if (controllerKey !== undefined) return;
  warnAboutSimulatedLanes(
    lanes,
    simulatedLanes,
    logger,
    'sandbox: the simulated controller cannot report dispenses: CONTROLLER_JWT_KEYS has no hs256 key. Add an hs256:<secret> entry, or unset CONTROLLER_JWT_KEYS to use a generated sandbox key',
  );
}

/**
 * With an external emulator no simulated machine runs in this process: `simulated` lanes (and lanes with no
 * controller field) are only logged, and their vending sessions end by the dispense timeout. Said once at start.
 */
export function warnIfNoSimulatedMachine(
  lanes: LaneRegistry,
  simulatedLanes: (lane: Lane) => boolean,
  logger: Logger,
): void {
  warnAboutSimulatedLanes(
    lanes,
    simulatedLanes,
    logger,
    'sandbox: no simulated machine runs with an external emulator (VIPPS_BASE_URL): lanes on the simulated channel are only logged and nothing reports their dispenses. Unset VIPPS_BASE_URL to use the built-in emulator, or give the lanes a webhook controller',
  );
}

/** Logs `message` once with the simulated lanes (the first 20 ids and the count), if there are any. */
function warnAboutSimulatedLanes(
  lanes: LaneRegistry,
  simulatedLanes: (lane: Lane) => boolean,
  logger: Logger,
  message: string,
): void {
  const ids = lanes
    .all()
    .filter(simulatedLanes)
    .map((l) => l.id);
  if (ids.length === 0) return;
  logger.warn(message, { lanes: ids.slice(0, 20), laneCount: ids.length });
}

/** A controller-API key for the sandbox's simulated controllers when CONTROLLER_JWT_KEYS is empty. */
export function sandboxControllerKey(): string {
  const secret = randomBytes(32).toString('base64url');
  registerSecret(secret);
  return `hs256:${secret}`;
}

/**
 * The sandbox's simulated lane controller, reporting to the gateway at `options.gatewayUrl`, with its control
 * routes (`/emulator/v1/controllers/…`) added to the emulator's app.
 */
export function attachSimulatedController(
  emulator: StartedEmulator,
  options: SimulatedControllerOptions,
): SimulatedController {
  const controller = createSimulatedController(options);
  emulator.app.use(controllersRouter(controller));
  return controller;
}

/** The base URL a process on this machine reaches a server bound to `host`:`port` at. */
export function localBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Both URLs on this machine with the same path: the same gateway route, maybe another port. */
function sameLoopbackRoute(registered: string, url: URL): boolean {
  let r: URL;
  try {
    r = new URL(registered);
  } catch {
    return false;
  }
  return LOOPBACK.has(r.hostname) && LOOPBACK.has(url.hostname) && r.pathname === url.pathname;
}
