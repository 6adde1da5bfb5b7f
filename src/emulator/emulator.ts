// The built-in Vipps MobilePay emulator: access token, ePayment, QR merchant callback and Webhooks APIs over
// real HTTP (vipps-protocol.md), signed outgoing webhooks, and a control API under /emulator/v1/ for scans,
// inspection, faults and reset. Used in-process by tests and as `checkin-gateway emulator --port N`.
import { createSecretKey, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Response } from 'express';
import { systemClock, type Clock } from '../clock';
import { silentLogger, type Logger } from '../log';
import type { EmulatorContext, EmulatorSettings } from './context';
import { controlRouter } from './control-routes';
import { createDeliveries, DELIVERY_MAX_AGE_MS, VIPPS_RETRY_DELAYS_MS } from './deliveries';
import { epaymentRouter } from './epayment-routes';
import { faultInjector, seededRandom } from './faults';
import { VIPPS_DEADLINES } from './payment-rules';
import { problemBody, qrErrorBody } from './problem';
import { qrImageRouter, qrRouter } from './qr-routes';
import { simulateScan, type ScanInput, type ScanResult } from './scans';
import { resumePaymentTimers } from './payments';
import { createState, type Currency, type EmulatorState } from './state';
import { openStateFile } from './state-file';
import { createTimers } from './timers';
import { accessTokenRouter } from './tokens';
import { webhooksRouter } from './webhooks-routes';

export interface EmulatorOptions {
  readonly clock?: Clock;
  /** Used for outgoing webhook deliveries. */
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
  /** Base of `qrImageUrl` / `redirectUrl`; default: the Host the caller used. */
  readonly publicBaseUrl?: string;
  /**
   * Delays between delivery attempts (attempts = delays + 1; default Vipps's schedule, deliveries.ts) and the
   * age on the emulator's clock after which a failing delivery is dropped (default 7 days, as Vipps, §1.5).
   */
  readonly deliveryRetry?: { readonly delaysMs?: readonly number[]; readonly maxAgeMs?: number };
  /** Per delivery attempt; default 10 000 (Vipps's limit, §1.5). */
  readonly deliveryTimeoutMs?: number;
  /** Access-token lifetime in seconds; default 3600 (test environment). */
  readonly tokenTtlS?: number;
  /**
   * CREATED ⇒ EXPIRED after this flat time. Given, it relaxes the default of Vipps: 5 minutes to open the
   * payment plus 5 to approve it once opened (`paymentTimeouts`, §6.2).
   */
  readonly userTimeoutMs?: number;
  /** The open and approve windows of a CREATED payment; default 300 000 each (ignored with userTimeoutMs). */
  readonly paymentTimeouts?: { readonly openMs?: number; readonly approveMs?: number };
  /** Default delay of a simulated approve/reject; default 50. */
  readonly approveAfterMs?: number;
  /** customerToken lifetime; default 900 000 (§3). */
  readonly customerTokenTtlMs?: number;
  /** §6.6 limits per minute; defaults 5 and 120. */
  readonly rateLimits?: { readonly modificationsPerMin?: number; readonly readsPerMin?: number };
  /** Scans of QR codes never created ⇒ 404 (default false: any merchantQrId can be scanned). */
  readonly strictQr?: boolean;
  /** Registrations per event per sales unit; defaults 25 and, for `user.checked-in.v1`, 1 (as Vipps, §2). */
  readonly webhookLimits?: { readonly perEvent?: number; readonly checkedIn?: number };
  /** Accept http:// registration URLs; default false (Vipps: https only). The sandbox and tests pass true. */
  readonly allowHttp?: boolean;
  /**
   * Deliver each check-in to the partner-wide registration as well as the sales unit's own; default false
   * (Vipps: the sales-unit registration wins, only one receives it).
   */
  readonly checkinToAllRegistrations?: boolean;
  /** Seed of the RNG behind fault rates; default 1. */
  readonly seed?: number;
  /**
   * Keep the emulator's world (payments, customer tokens, QR codes, registrations) in this file, loaded at
   * creation and saved after changes (state-file.ts); timers of restored payments start on `resume()`.
   * Default: in memory only.
   */
  readonly stateFile?: string;
  /** Delay between a change and its save; default 1 000 ms (the whole world is written: at load, once a second). */
  readonly stateSaveDebounceMs?: number;
  /** Delivery records kept for GET /emulator/v1/deliveries; default 10 000. */
  readonly maxDeliveryRecords?: number;
  /**
   * Capture/cancel and refund deadlines after the reservation, in ms; defaults are Vipps's (payment-rules.ts):
   * capture NOK 180 days, DKK and EUR 14 days; refund 365 days. Shorten them to test the refusals.
   */
  readonly deadlines?: {
    readonly captureMs?: Partial<Readonly<Record<Currency, number>>>;
    readonly refundMs?: number;
  };
}

export interface RunningEmulator {
  readonly url: string;
  close(): Promise<void>;
}

export interface Emulator {
  readonly app: express.Express;
  readonly state: EmulatorState;
  /** 'payment' (payment, event), 'delivery' (record), 'scan', 'idle'. */
  readonly events: EventEmitter;
  /** Resolves when no webhook delivery is queued, in flight or waiting to retry. */
  awaitIdle(): Promise<void>;
  /** The control API's scan, in-process. */
  scan(input: ScanInput): ScanResult;
  /**
   * Starts the customer actions and user timeouts of payments restored from `stateFile`. Called once the
   * embedding gateway has registered its webhook, so the events they publish reach it. Idempotent.
   */
  resume(): void;
  listen(port: number, host?: string): Promise<RunningEmulator>;
  close(): Promise<void>;
}

function settingsFrom(o: EmulatorOptions): EmulatorSettings {
  return {
    tokenTtlS: o.tokenTtlS ?? 3600,
    customerTokenTtlMs: o.customerTokenTtlMs ?? 15 * 60_000,
    userTimeoutMs: o.userTimeoutMs ?? 10 * 60_000,
    paymentTimeouts:
      o.userTimeoutMs === undefined
        ? {
            openMs: o.paymentTimeouts?.openMs ?? 5 * 60_000,
            approveMs: o.paymentTimeouts?.approveMs ?? 5 * 60_000,
          }
        : undefined,
    approveAfterMs: o.approveAfterMs ?? 50,
    modificationsPerMin: o.rateLimits?.modificationsPerMin ?? 5,
    readsPerMin: o.rateLimits?.readsPerMin ?? 120,
    deliveryDelaysMs: o.deliveryRetry?.delaysMs ?? VIPPS_RETRY_DELAYS_MS,
    deliveryTimeoutMs: o.deliveryTimeoutMs ?? 10_000,
    strictQr: o.strictQr ?? false,
    maxRegistrationsPerEvent: o.webhookLimits?.perEvent ?? 25,
    maxCheckinRegistrations: o.webhookLimits?.checkedIn ?? 1,
    allowHttpRegistrations: o.allowHttp ?? false,
    checkinToAllRegistrations: o.checkinToAllRegistrations ?? false,
    deliveryMaxAgeMs: o.deliveryRetry?.maxAgeMs ?? DELIVERY_MAX_AGE_MS,
    maxDeliveryRecords: o.maxDeliveryRecords ?? 10_000,
    publicBaseUrl: o.publicBaseUrl,
    deadlines: {
      captureMs: { ...VIPPS_DEADLINES.captureMs, ...o.deadlines?.captureMs },
      refundMs: o.deadlines?.refundMs ?? VIPPS_DEADLINES.refundMs,
    },
  };
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const settings = settingsFrom(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const state = createState();
  const events = new EventEmitter();
  events.setMaxListeners(1000); // Tests await many payments at once.
  const timers = createTimers();
  const deliveries = createDeliveries({
    state,
    clock,
    logger,
    events,
    timers,
    fetch: options.fetch ?? globalThis.fetch,
    delaysMs: settings.deliveryDelaysMs,
    maxAgeMs: settings.deliveryMaxAgeMs,
    checkinToAll: settings.checkinToAllRegistrations,
    timeoutMs: settings.deliveryTimeoutMs,
    maxRecords: settings.maxDeliveryRecords,
  });
  const ctx: EmulatorContext = {
    state,
    clock,
    logger,
    settings,
    events,
    jwtKey: createSecretKey(randomBytes(32)),
    timers,
    random: seededRandom(options.seed ?? 1),
    publish: (event, msn, body, reference) => deliveries.publish(event, msn, body, reference),
  };

  const saver =
    options.stateFile === undefined
      ? undefined
      : openStateFile(options.stateFile, ctx, options.stateSaveDebounceMs);
  let resumed = false;

  const held = new Set<Response>();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (saver) {
    // Any request may change the world (payments, tokens, QR codes, registrations, resets): save after each.
    app.use((_req, res, next) => {
      res.on('finish', () => saver.changed());
      next();
    });
    events.on('payment', () => saver.changed());
  }
  app.use('/accesstoken', faultInjector(ctx, 'token', problemBody, held));
  app.use('/epayment', faultInjector(ctx, 'epayment', problemBody, held));
  app.use('/qr', faultInjector(ctx, 'qr', qrErrorBody, held));
  app.use('/webhooks', faultInjector(ctx, 'webhooks', problemBody, held));
  app.use(accessTokenRouter(ctx));
  app.use(epaymentRouter(ctx));
  app.use(qrRouter(ctx));
  app.use(webhooksRouter(ctx));
  app.use(qrImageRouter(ctx));
  app.use(controlRouter(ctx, { onReset: () => deliveries.clearQueued() }));

  const servers = new Set<Server>();
  const close = async (): Promise<void> => {
    deliveries.close();
    timers.clear();
    await saver?.close();
    for (const res of held) res.destroy();
    await Promise.all(
      [...servers].map(async (server) => {
        const closed = once(server, 'close');
        server.close();
        server.closeAllConnections();
        await closed;
      }),
    );
    servers.clear();
  };

  return {
    app,
    state,
    events,
    awaitIdle: () => deliveries.awaitIdle(),
    scan: (input) => {
      const result = simulateScan(ctx, input);
      saver?.changed();
      return result;
    },
    resume() {
      if (resumed) return;
      resumed = true;
      for (const p of state.payments.values()) resumePaymentTimers(ctx, p);
    },
    async listen(port, host = '127.0.0.1') {
      const server = app.listen(port, host);
      await once(server, 'listening');
      servers.add(server);
      const { port: actual } = server.address() as AddressInfo;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
      return {
        url,
        close: async () => {
          const closed = once(server, 'close');
          server.close();
          server.closeAllConnections();
          await closed;
          servers.delete(server);
        },
      };
    },
    close,
  };
}

export interface StartedEmulator extends Emulator {
  /** Base URL of the listening server, e.g. `http://127.0.0.1:7070`; point VIPPS_BASE_URL here. */
  readonly url: string;
}

/** Creates an emulator and starts it listening (port 0 = any free port); `close()` stops everything. */
export async function startEmulator(
  options: EmulatorOptions & { readonly port?: number; readonly host?: string } = {},
): Promise<StartedEmulator> {
  const { port = 0, host = '127.0.0.1', ...rest } = options;
  const emulator = createEmulator(rest);
  const running = await emulator.listen(port, host);
  return { ...emulator, url: running.url };
}
