// The worker against real parts: PGlite, the PostgresQueue, the Vipps client talking HTTP to the Vipps
// emulator on 127.0.0.1:0, and a recording lane channel. Scans go through the emulator (which issues real
// customerTokens) and enter the queue as intake would enqueue them.
import type { Clock } from '../../src/clock';
import { systemClock } from '../../src/clock';
import type { LaneChannel, LaneMessage } from '../../src/channels/channel';
import { startEmulator, type StartedEmulator } from '../../src/emulator/emulator';
import type { CustomerBehavior, PaymentEvent } from '../../src/emulator/state';
import { checkinDedupKey, epaymentDedupKey } from '../../src/intake/dedup-keys';
import type { CheckinJobPayload, EpaymentJobPayload } from '../../src/intake/job-payloads';
import type { IndexedLaneRegistry, Lane } from '../../src/lanes/lane';
import { createLaneRegistry } from '../../src/lanes/registry';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import { createControllerService } from '../../src/sessions/controller-service';
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import type { SessionTiming } from '../../src/sessions/timing';
import type { Session } from '../../src/sessions/types';
import { createWorker, type Worker, type WorkerOptions } from '../../src/sessions/worker';
import { loadSession } from '../../src/store/sessions-repo';
import type { Database } from '../../src/store/sql';
import { createVippsClient, type VippsClient } from '../../src/vipps/client';
import type { ControllerService } from '../../src/controller-api/controller-service';
import { openTestDatabase, truncateAll } from '../support/db';
import { capturingLogger } from '../queue/queue-test-helpers';
import { waitFor } from '../support/wait-for';

export const MSN = '123456';

export const vending: Lane = {
  id: 'vend-1',
  kind: 'vending',
  msn: MSN,
  merchantQrId: 'qr-vend-1',
  description: 'Snack machine 1',
  currency: 'NOK',
  maxAmount: 10000,
  dispenseTimeoutS: 60,
  enabled: true,
  controller: { type: 'log' },
};

export const shopFixed: Lane = {
  id: 'shop-fixed',
  kind: 'self-checkout',
  msn: MSN,
  merchantQrId: 'qr-shop-fixed',
  description: 'Coffee bar',
  currency: 'NOK',
  fixedAmount: 4900,
  saleWaitS: 300,
  enabled: true,
  controller: { type: 'log' },
};

export const shopSale: Lane = {
  id: 'shop-sale',
  kind: 'self-checkout',
  msn: MSN,
  merchantQrId: 'qr-shop-sale',
  description: 'Self-checkout 2',
  currency: 'NOK',
  saleWaitS: 300,
  enabled: true,
  controller: { type: 'log' },
};

/** Fractions of a second, so flows that poll and retry finish in well under a second. */
export const FAST_TIMING: Partial<SessionTiming> = {
  firstPollS: 0.05,
  pollEveryS: 0.1,
  opWatchdogS: 0.5,
  backoffBaseS: 0.05,
  backoffMaxS: 0.2,
  deadlineRecheckS: 0.5,
};

/** A LaneChannel per lane that records what it was asked to send. */
export class RecordingChannels {
  readonly sent: LaneMessage[] = [];
  channelFor(lane: Pick<Lane, 'id'>): LaneChannel {
    return {
      send: async (message) => {
        if (message.laneId !== lane.id) throw new Error('message sent on the wrong lane');
        this.sent.push(message);
      },
    };
  }
  of(sessionId: string): LaneMessage[] {
    return this.sent.filter((m) => m.sessionId === sessionId);
  }
  types(sessionId: string): string[] {
    return this.of(sessionId).map((m) => m.type);
  }
}

export interface EmulatedPayment {
  readonly reference: string;
  readonly state: string;
  readonly amount: { currency: string; value: number };
  readonly aggregate: Record<'authorizedAmount' | 'capturedAmount' | 'cancelledAmount', { value: number }>;
  readonly createCalls: number;
  readonly events: string[];
}

export interface ScanResult {
  readonly sessionId: string;
  readonly reference: string;
  readonly customerToken: string;
  readonly initiatedAt: string;
}

export interface HarnessOptions {
  readonly clock?: Clock;
}

/** Answers a Vipps request instead of the emulator (one the emulator cannot give), or undefined to pass. */
export type VippsInterceptor = (method: string, url: string) => Response | undefined;

export interface Harness {
  readonly db: Database;
  readonly emulator: StartedEmulator;
  readonly vipps: VippsClient;
  readonly queue: PostgresQueue;
  readonly channels: RecordingChannels;
  readonly service: ControllerService;
  readonly clock: Clock;
  /** Every log line of the worker, as JSON text; cleared by reset(). */
  readonly logLines: string[];
  interceptVipps: VippsInterceptor | undefined;
  /** The lane registry the worker sees; replace it to simulate a lanes-file reload. */
  registry: IndexedLaneRegistry;
  startWorker(extra?: Partial<WorkerOptions>): Worker;
  /** Feeds the emulator's ePayment events to the queue the way intake does (the webhook fast path). */
  bridgeWebhooks(): void;
  scan(lane: Lane, behavior?: CustomerBehavior): Promise<ScanResult>;
  enqueueCheckin(
    lane: Lane,
    scan: Pick<ScanResult, 'customerToken' | 'initiatedAt'>,
    keySuffix?: string,
  ): Promise<void>;
  session(id: string): Promise<Session | null>;
  waitForState(id: string, state: Session['state'], timeoutMs?: number): Promise<Session>;
  waitForMessage(sessionId: string, type: string, timeoutMs?: number): Promise<LaneMessage>;
  payments(filter?: { reference?: string }): Promise<EmulatedPayment[]>;
  /** Stops the worker, empties every table and the emulator. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? systemClock;
  const { logger, lines: logLines } = capturingLogger();
  const db = await openTestDatabase();
  const emulator = await startEmulator({
    clock,
    approveAfterMs: 0,
    rateLimits: { modificationsPerMin: 100_000, readsPerMin: 100_000 },
  });
  const vipps = createVippsClient({
    env: 'sandbox',
    baseUrl: emulator.url,
    systemName: 'checkin-gateway-test',
    systemVersion: '0.0.0',
    clock,
    retry: { maxAttempts: 1 },
    timeoutMs: 2_000,
    deadlineMs: 4_000,
    fetch: async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      return h.interceptVipps?.(init?.method ?? 'GET', url) ?? globalThis.fetch(input, init);
    },
  });
  const queue = new PostgresQueue({
    sql: db,
    clock,
    logger,
    maxAttempts: 25,
    backoff: { baseMs: 5, maxMs: 40 },
  });
  const channels = new RecordingChannels();
  let worker: Worker | undefined;
  let bridged = false;

  const h: Harness = {
    db,
    emulator,
    vipps,
    queue,
    channels,
    clock,
    logLines,
    interceptVipps: undefined,
    registry: createLaneRegistry([vending, shopFixed, shopSale]),
    service: createControllerService({ db, queue, lanes: () => h.registry, clock }),
    startWorker(extra = {}) {
      worker = createWorker({
        queue,
        db,
        vipps,
        channels,
        lanes: () => h.registry,
        clock,
        logger,
        concurrency: 4,
        timing: FAST_TIMING,
        consume: { pollIntervalMs: 10, leaseMs: 10_000 },
        outbox: { pollIntervalMs: 20, backoff: { baseMs: 10, maxMs: 50 } },
        sweeper: false,
        ...extra,
      });
      worker.start();
      return worker;
    },
    bridgeWebhooks() {
      if (bridged) return;
      bridged = true;
      emulator.events.on('payment', (p: { msn: string }, event: PaymentEvent) => {
        const laneId = h.registry.laneIdForReference(event.reference);
        if (!laneId) return;
        const e = { msn: p.msn, ...event, amount: { ...event.amount } };
        const key = epaymentDedupKey(e);
        const payload: EpaymentJobPayload = { type: 'epayment-event', laneId, key, event: e };
        void queue
          .enqueue({ group: laneId, type: 'epayment-event', dedupKey: key, payload })
          .catch(() => undefined);
      });
    },
    async scan(lane, behavior = { action: 'approve', afterMs: 0 }) {
      const s = emulator.scan({ msn: lane.msn, merchantQrId: lane.merchantQrId, behavior });
      await h.enqueueCheckin(lane, s);
      const sessionId = sessionIdFor({ msn: lane.msn, merchantQrId: lane.merchantQrId, ...s });
      return { ...s, sessionId, reference: referenceFor(lane.id, sessionId) };
    },
    async enqueueCheckin(lane, s, keySuffix = '') {
      const event = { msn: lane.msn, merchantQrId: lane.merchantQrId, ...s };
      const key = `${checkinDedupKey(event)}${keySuffix}`;
      const payload: CheckinJobPayload = {
        type: 'checkin',
        laneId: lane.id,
        key,
        ...event,
        receivedAt: clock.now().toISOString(),
      };
      await queue.enqueue({ group: lane.id, type: 'checkin', dedupKey: key, payload });
    },
    session: (id) => loadSession(db, id),
    waitForState(id, state, timeoutMs = 5_000) {
      return waitFor(
        async () => {
          const s = await loadSession(db, id);
          return s?.state === state ? s : null;
        },
        { timeoutMs, what: `session ${id} in state ${state}` },
      );
    },
    waitForMessage(sessionId, type, timeoutMs = 5_000) {
      return waitFor(() => channels.of(sessionId).find((m) => m.type === type), {
        timeoutMs,
        what: `lane message ${type} for ${sessionId}`,
      });
    },
    async payments(filter = {}) {
      const q = filter.reference ? `?reference=${encodeURIComponent(filter.reference)}` : '';
      const res = await fetch(`${emulator.url}/emulator/v1/payments${q}`);
      return ((await res.json()) as { payments: EmulatedPayment[] }).payments;
    },
    async reset() {
      await worker?.stop();
      worker = undefined;
      await truncateAll(db);
      await fetch(`${emulator.url}/emulator/v1/reset`, { method: 'POST' });
      await fetch(`${emulator.url}/emulator/v1/faults`, { method: 'DELETE' });
      channels.sent.length = 0;
      logLines.length = 0;
      h.interceptVipps = undefined;
      h.registry = createLaneRegistry([vending, shopFixed, shopSale]);
    },
    async close() {
      await worker?.stop();
      await emulator.close();
      await db.close();
    },
  };
  return h;
}

/** Outbox rows of a lane: what was written for delivery, with delivery state. */
export async function outboxIds(db: Database, laneId: string): Promise<{ id: string; delivered: boolean }[]> {
  const { rows } = await db.query<{ id: string; delivered: boolean }>(
    'SELECT id, delivered_at IS NOT NULL AS delivered FROM outbox WHERE lane_id = $1 ORDER BY seq',
    [laneId],
  );
  return rows;
}
