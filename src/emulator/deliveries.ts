// Outgoing webhooks, sent the way Vipps sends them (vipps-protocol.md §1): to every registration of the MSN
// subscribed to the event, signed per attempt (fresh x-ms-date and signature, §1.3), 10 s timeout, retried with
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

/** Vipps's first steps (§1.5): ~2 s four times, then 60 s, 120 s, then hourly; the emulator stops after these. */
export const VIPPS_RETRY_DELAYS_MS: readonly number[] = [2000, 2000, 2000, 2000, 60_000, 120_000, 3_600_000];

export interface DeliveryDeps {
  readonly state: EmulatorState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventEmitter;
  readonly timers: Timers;
  readonly fetch: typeof fetch;
  readonly delaysMs: readonly number[];
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
    for (let attempt = 1; !closed; attempt++) {
      if (await attemptOnce(m, attempt)) return;
      const delay = deps.delaysMs[attempt - 1];
      // Vipps stops after its schedule (7 days); the emulator stops after the configured delays.
      if (delay === undefined || !deps.state.webhooks.has(m.registration.id)) {
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
      for (const registration of deps.state.webhooks.values()) {
        if (registration.msn !== undefined && registration.msn !== msn) continue;
        if (!registration.events.includes(event)) continue;
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
