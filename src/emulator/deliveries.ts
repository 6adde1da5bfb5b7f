// Outgoing webhooks, sent the way Vipps sends them (vipps-protocol.md §1): to every registration of the MSN
// subscribed to the event (a check-in to one only), signed per attempt (fresh x-ms-date and signature, §1.3), 10 s timeout, retried with
// backoff on non-2xx or timeout, in order per registration and payment: a failing delivery holds back later
// ones for the same payment (§1.5). Every attempt is recorded and logged (never the body or the secret).
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock';
import { signDelivery } from '../intake/signature';
import type { Logger } from '../log';
import type { DeliveryRecord, EmulatorState, WebhookRegistration } from './state';
import type { Timers } from './timers';

const CHECKED_IN = 'user.checked-in.v1';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Vipps gives up on a delivery 7 days after its first attempt (§1.5). */
export const DELIVERY_MAX_AGE_MS = 7 * DAY_MS;

/**
 * Vipps's schedule (§1.5, [KIT]): ~2 s for the first four attempts, then 60 s, 120 s, hourly up to attempt 29,
 * then daily; together they span more than the 7 days after which a delivery is dropped.
 */
export const VIPPS_RETRY_DELAYS_MS: readonly number[] = [
  2000,
  2000,
  2000,
  2000,
  60_000,
  120_000,
  ...Array<number>(29 - 7).fill(HOUR_MS),
  ...Array<number>(7).fill(DAY_MS),
];

export interface DeliveryDeps {
  readonly state: EmulatorState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventEmitter;
  readonly timers: Timers;
  readonly fetch: typeof fetch;
  readonly delaysMs: readonly number[];
  /** Age (emulator clock, from the first attempt) after which a failing delivery is dropped. */
  readonly maxAgeMs: number;
  /** Check-ins go to partner-wide registrations even when the sales unit has its own (not as Vipps). */
  readonly checkinToAll: boolean;
  readonly timeoutMs: number;
  readonly maxRecords: number;
}

interface Message {
  readonly webhookId: string;
  readonly registration: WebhookRegistration;
  readonly event: string;
  readonly body: string;
  readonly reference: string | undefined;
}

export interface Deliveries {
  publish(event: string, msn: string, body: unknown, reference?: string): void;
  /** Resolves once nothing is queued, in flight or waiting to retry (at once when already idle). */
  awaitIdle(): Promise<void>;
  /** Drops messages not yet started (reset); an attempt in flight finishes. */
  clearQueued(): void;
  close(): void;
}

export function createDeliveries(deps: DeliveryDeps): Deliveries {
  const queues = new Map<string, Message[]>();
  let idleWaiters: Array<() => void> = [];
  let seq = 0;
  let closed = false;

  const settleIdle = (): void => {
    if (queues.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
    deps.events.emit('idle');
  };

  function recordAttempt(
    m: Message,
    attempt: number,
    at: Date,
    started: number,
    outcome: { status?: number; error?: string },
  ): void {
    const rec: DeliveryRecord = {
      id: ++seq,
      webhookId: m.webhookId,
      registrationId: m.registration.id,
      url: m.registration.url,
      event: m.event,
      ...(m.reference === undefined ? {} : { reference: m.reference }),
      attempt,
      ...outcome,
      at: at.toISOString(),
      durationMs: Math.round(performance.now() - started),
    };
    deps.state.deliveries.push(rec);
    if (deps.state.deliveries.length > deps.maxRecords)
      deps.state.deliveries.splice(0, deps.state.deliveries.length - deps.maxRecords);
    const { url: _url, ...logged } = rec;
    deps.logger.info('emulator: webhook delivery attempt', logged);
    deps.events.emit('delivery', rec);
  }

  async function attemptOnce(m: Message, attempt: number): Promise<boolean> {
    const url = new URL(m.registration.url);
    const at = deps.clock.now();
    const signed = signDelivery(url, m.registration.secret, m.body, at);
    const started = performance.now();
    try {
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'x-ms-date': signed['x-ms-date'],
          'x-ms-content-sha256': signed['x-ms-content-sha256'],
          Authorization: signed.authorization,
          'X-Vipps-Authorization': signed.authorization,
          'Webhook-Id': m.webhookId,
          'User-Agent': 'Vipps MobilePay/1.0 Webhooks/1.0',
        },
        body: m.body,
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined); // Drain so the connection is reused or closed.
      recordAttempt(m, attempt, at, started, { status: res.status });
      return res.status >= 200 && res.status < 300;
    } catch (err) {
      // Duck-typed: fetch's DOMException and TypeError may come from another realm (jest), failing instanceof.
      const { name, message, cause } = (typeof err === 'object' && err !== null ? err : {}) as {
        name?: unknown;
        message?: unknown;
        cause?: { code?: unknown };
      };
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
      const error = timedOut
        ? `timeout after ${deps.timeoutMs} ms`
        : `${typeof message === 'string' ? message : 'error'}${code}`;
      recordAttempt(m, attempt, at, started, { error });
      return false;
    }
  }

  async function deliver(m: Message): Promise<void> {
    const firstAt = deps.clock.now().getTime();
    for (let attempt = 1; !closed; attempt++) {
      if (await attemptOnce(m, attempt)) return;
      const delay = deps.delaysMs[attempt - 1];
      // Vipps drops a delivery 7 days after its first attempt, measured here on the emulator's clock (a test
      // moves it on); the emulator also stops after the configured delays.
      const tooOld = deps.clock.now().getTime() - firstAt >= deps.maxAgeMs;
      if (delay === undefined || tooOld || !deps.state.webhooks.has(m.registration.id)) {
        deps.logger.warn('emulator: webhook delivery given up', {
          webhookId: m.webhookId,
          event: m.event,
          attempt,
        });
        return;
      }
      await deps.timers.sleep(delay);
    }
  }

  async function run(key: string, queue: Message[]): Promise<void> {
    try {
      for (let m = queue[0]; m !== undefined && !closed; m = queue[0]) {
        await deliver(m);
        queue.shift();
      }
    } finally {
      queues.delete(key);
      settleIdle();
    }
  }

  return {
    publish(event, msn, body, reference) {
      if (closed) return;
      const text = JSON.stringify(body);
      const receivers = [...deps.state.webhooks.values()].filter(
        (r) => (r.msn === undefined || r.msn === msn) && r.events.includes(event),
      );
      // A check-in goes to one registration: the sales unit's own wins over a partner-wide one ([DOCS], §2).
      const ownCheckin =
        event === CHECKED_IN && !deps.checkinToAll && receivers.some((r) => r.msn !== undefined);
      for (const registration of receivers) {
        if (ownCheckin && registration.msn === undefined) continue;
        const m: Message = { webhookId: randomUUID(), registration, event, body: text, reference };
        // Ordered per registration and payment; other events (check-ins) do not wait for each other.
        const key = `${registration.id}|${reference ?? m.webhookId}`;
        const queue = queues.get(key);
        if (queue) queue.push(m);
        else {
          const fresh = [m];
          queues.set(key, fresh);
          void run(key, fresh);
        }
      }
    },
    awaitIdle: () =>
      queues.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)),
    clearQueued: () => {
      for (const q of queues.values()) q.splice(1);
    },
    close: () => {
      closed = true;
      queues.clear();
      settleIdle();
    },
  };
}
