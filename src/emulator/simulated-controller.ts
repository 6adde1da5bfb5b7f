// A simulated lane controller for the sandbox (architecture §1 "Controllers"): it receives the messages of lanes
// on the `simulated` channel (src/channels/simulated-channel.ts; never a webhook, sqs or log lane, whose real
// controller it would race, issue 13) and behaves like a vending machine: after
// `session.authorized` it waits, dispenses, and reports the result through the gateway's controller API over
// HTTP with a JWT, exactly as a real controller would; on `session.paid` it releases the goods. So a fresh
// sandbox shows the whole flow with no hardware. Behaviour per lane is set with
// `PUT /emulator/v1/controllers/{laneId}` (control-routes.ts); what it received is readable there too.
import type { KeyObject } from 'node:crypto';
import { EventEmitter, setMaxListeners } from 'node:events';
import jwt from 'jsonwebtoken';
import type { LaneMessage } from '../channels/channel';
import { hs256Key } from '../controller-api/controller-keys';
import { toWireMessage, type WireLaneMessage } from '../channels/lane-message-wire';
import { systemClock, type Clock } from '../clock';
import { silentLogger, type Logger } from '../log';
import {
  DEFAULT_BEHAVIOR,
  defaultDispenseAmount,
  type ControllerBehavior,
  type DispenseBehavior,
} from './controller-behavior';
import { createTimers } from './timers';

export interface SimulatedControllerOptions {
  /** Base URL of the gateway whose controller API receives the reports, e.g. `http://127.0.0.1:8080`. */
  readonly gatewayUrl: string;
  /** A `hs256:<secret>` entry of the gateway's controller keys; without one the controller cannot report. */
  readonly controllerKey: string | undefined;
  /** CONTROLLER_JWT_AUDIENCE / _ISSUER when the gateway checks them. */
  readonly audience?: string | undefined;
  readonly issuer?: string | undefined;
  readonly fetch?: typeof fetch;
  /** Stamps `receivedAt` and the tokens' `iat`. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Default delay from `session.authorized` to the dispense report, in ms. Default 1 500. */
  readonly afterMs?: number;
  /** Messages kept per lane for inspection (oldest dropped first). Default 1 000. */
  readonly maxMessagesPerLane?: number;
}

export interface ReceivedMessage {
  readonly receivedAt: string;
  readonly message: WireLaneMessage;
}

export interface DispenseReportRecord {
  readonly laneId: string;
  readonly sessionId: string;
  readonly result: 'dispensed' | 'failed';
  readonly amount?: number;
  readonly at: string;
  /** The controller API's answer; absent when none came (network error, no key). */
  readonly status?: number;
  readonly error?: string;
  readonly attempts: number;
}

export interface SimulatedController {
  /** Takes one lane message (at least once: a redelivered id is recorded again but acted on once). */
  receive(message: LaneMessage): void;
  setBehavior(laneId: string, behavior: ControllerBehavior): void;
  behavior(laneId: string): ControllerBehavior;
  messages(laneId: string): readonly ReceivedMessage[];
  reports(laneId: string): readonly DispenseReportRecord[];
  /** 'message' (ReceivedMessage), 'report' (DispenseReportRecord). */
  readonly events: EventEmitter;
  /** Cancels pending dispenses, aborts reports in flight. Idempotent. */
  close(): Promise<void>;
}

const REPORT_ATTEMPTS = 3;
const REPORT_RETRY_MS = 250;
const REPORT_TIMEOUT_MS = 10_000;
/** Message ids remembered for "act once"; far more than the messages in flight at any time. */
const MAX_SEEN_IDS = 100_000;

export function createSimulatedController(o: SimulatedControllerOptions): SimulatedController {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? silentLogger();
  const fetchFn = o.fetch ?? fetch;
  const afterMs = o.afterMs ?? 1_500;
  const maxMessages = o.maxMessagesPerLane ?? 1_000;
  // A KeyObject: given a string, jsonwebtoken tries (and fails) to parse it as a private key on every sign.
  const secret = o.controllerKey?.startsWith('hs256:')
    ? hs256Key(o.controllerKey.slice('hs256:'.length))
    : undefined;
  const timers = createTimers();
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // One listener per report in flight: many at load.
  const events = new EventEmitter();
  events.setMaxListeners(1000);
  const behaviors = new Map<string, ControllerBehavior>();
  const received = new Map<string, ReceivedMessage[]>();
  const reports = new Map<string, DispenseReportRecord[]>();
  const seen = new Set<string>();
  const inFlight = new Set<Promise<void>>();

  const push = <T>(map: Map<string, T[]>, laneId: string, item: T): void => {
    const list = map.get(laneId) ?? [];
    list.push(item);
    if (list.length > maxMessages) list.splice(0, list.length - maxMessages);
    map.set(laneId, list);
  };

  function token(): string {
    const options: jwt.SignOptions = { algorithm: 'HS256', expiresIn: '5m', subject: 'sandbox-controller' };
    if (o.audience !== undefined) options.audience = o.audience;
    if (o.issuer !== undefined) options.issuer = o.issuer;
    const iat = Math.floor(clock.now().getTime() / 1000);
    return jwt.sign({ lanes: '*', iat }, secret as KeyObject, options);
  }

  function record(r: DispenseReportRecord): void {
    push(reports, r.laneId, r);
    events.emit('report', r);
    const fields = { laneId: r.laneId, sessionId: r.sessionId, result: r.result, amount: r.amount };
    if (r.status === 202) logger.info('simulated controller: dispense reported', fields);
    else logger.warn('simulated controller: dispense report not accepted', { ...fields, ...statusOf(r) });
  }

  async function report(laneId: string, sessionId: string, body: { result: string; amount?: number }) {
    const base = { laneId, sessionId, result: body.result as 'dispensed' | 'failed' };
    const amount = body.amount === undefined ? {} : { amount: body.amount };
    if (secret === undefined) {
      return record({ ...base, ...amount, at: clock.now().toISOString(), attempts: 0, error: NO_KEY });
    }
    const url = `${o.gatewayUrl}/v1/sessions/${encodeURIComponent(sessionId)}/dispense`;
    for (let attempt = 1; ; attempt += 1) {
      let outcome: { status: number } | { error: string };
      try {
        const res = await fetchFn(url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(REPORT_TIMEOUT_MS)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        outcome = { status: res.status };
      } catch (err) {
        outcome = { error: err instanceof Error ? err.message : String(err) };
      }
      const transient = 'error' in outcome || outcome.status === 429 || outcome.status >= 500;
      if (!transient || attempt >= REPORT_ATTEMPTS || abort.signal.aborted) {
        return record({ ...base, ...amount, at: clock.now().toISOString(), attempts: attempt, ...outcome });
      }
      await timers.sleep(REPORT_RETRY_MS * attempt);
    }
  }

  function onAuthorized(message: LaneMessage): void {
    const { dispense } = behaviorOf(message.laneId);
    const fields = { laneId: message.laneId, sessionId: message.sessionId };
    if (dispense.result === 'silent') {
      logger.info('simulated controller: staying silent (the dispense timeout will cancel)', fields);
      return;
    }
    const body = reportBody(dispense, message);
    timers.after(dispense.afterMs ?? afterMs, () => {
      if (abort.signal.aborted) return;
      logger.info(`simulated controller: ${body.result === 'dispensed' ? 'dispensing' : 'jammed'}`, {
        ...fields,
        ...(body.amount === undefined ? {} : { amount: body.amount }),
      });
      const task = report(message.laneId, message.sessionId, body).finally(() => inFlight.delete(task));
      inFlight.add(task);
    });
  }

  const behaviorOf = (laneId: string): ControllerBehavior => behaviors.get(laneId) ?? DEFAULT_BEHAVIOR;

  return {
    receive(message) {
      if (abort.signal.aborted) return;
      const entry: ReceivedMessage = {
        receivedAt: clock.now().toISOString(),
        message: toWireMessage(message),
      };
      push(received, message.laneId, entry);
      events.emit('message', entry);
      if (seen.has(message.id)) return; // At-least-once delivery: act on each message id once.
      seen.add(message.id);
      if (seen.size > MAX_SEEN_IDS) seen.delete(seen.values().next().value as string);
      if (message.type === 'session.authorized') onAuthorized(message);
      else if (message.type === 'session.paid') {
        logger.info('simulated controller: releasing goods', {
          laneId: message.laneId,
          sessionId: message.sessionId,
          amount: (message.data['amount'] as { value?: unknown } | undefined)?.value,
        });
      }
    },
    setBehavior(laneId, behavior) {
      behaviors.set(laneId, behavior);
    },
    behavior: behaviorOf,
    messages: (laneId) => received.get(laneId) ?? [],
    reports: (laneId) => reports.get(laneId) ?? [],
    events,
    async close() {
      abort.abort();
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

const NO_KEY =
  'no hs256 controller key: set CONTROLLER_JWT_KEYS to include one, or leave it empty in the sandbox';

function statusOf(r: DispenseReportRecord): Record<string, unknown> {
  return { attempts: r.attempts, ...(r.status === undefined ? {} : { status: r.status }), error: r.error };
}

function reportBody(
  d: DispenseBehavior,
  message: LaneMessage,
): { result: 'dispensed' | 'failed'; amount?: number } {
  if (d.result === 'failed') return { result: 'failed' };
  const max = (message.data['maxAmount'] as { value?: unknown } | undefined)?.value;
  const amount = d.amount ?? (typeof max === 'number' ? defaultDispenseAmount(max) : 100);
  return { result: 'dispensed', amount };
}
