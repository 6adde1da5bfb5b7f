// The sandbox (VIPPS_ENV=sandbox): no real money moves. Runs the built-in Vipps emulator in-process when no
// VIPPS_BASE_URL is given, and registers the gateway's webhook with it so check-ins flow with no set-up.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import { registerSecret } from '../log';
import { DEFAULT_WEBHOOK_EVENTS } from '../vipps/webhook-events';
import type { Clock } from '../clock';
import type { LaneRegistry } from '../lanes/lane';
import type { VippsClient } from '../vipps/client';
import { controllersRouter } from '../emulator/control-routes';
import { startEmulator, type EmulatorOptions, type StartedEmulator } from '../emulator/emulator';
import {
  createSimulatedController,
  type SimulatedController,
  type SimulatedControllerOptions,
} from '../emulator/simulated-controller';

/** Emulator settings an in-process caller may change (demo, tests, benchmarks): e.g. a short user timeout. */
export type SandboxEmulatorOptions = Omit<EmulatorOptions, 'clock' | 'logger'>;

export async function startEmbeddedEmulator(options: {
  port: number;
  clock: Clock;
  logger: Logger;
  overrides?: SandboxEmulatorOptions | undefined;
}): Promise<StartedEmulator> {
  return startEmulator({
    ...options.overrides,
    port: options.port,
    host: '127.0.0.1',
    clock: options.clock,
    logger: options.logger.child({ component: 'emulator' }),
  });
}

/**
 * Registers `url` for every MSN of the lanes with the sandbox Vipps and returns the secrets. Registrations
 * for the same URL left by an earlier run (an external emulator outlives the gateway) are replaced.
 */
export async function registerSandboxWebhooks(
  vipps: VippsClient,
  lanes: LaneRegistry,
  url: URL,
): Promise<string[]> {
  const msns = [...new Set(lanes.all().map((l) => l.msn))];
  const secrets: string[] = [];
  for (const msn of msns) {
    const existing = await vipps.webhooks.list({ msn });
    for (const w of existing) {
      if (w.url === url.href) await vipps.webhooks.delete({ msn, id: w.id });
    }
    const { secret } = await vipps.webhooks.register({
      msn,
      url: url.href,
      events: [...DEFAULT_WEBHOOK_EVENTS],
    });
    registerSecret(secret);
    secrets.push(secret);
  }
  return secrets;
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
