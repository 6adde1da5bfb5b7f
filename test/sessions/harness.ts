// A worker without I/O: keeps the lane's sessions and open sale in memory, builds the StepContext the way
// the worker will (session by id / reference / derived check-in id, the one active session, the sale) and
// applies each StepResult. Tests drive the real `step` through it.
import type { Lane } from '../../src/lanes/lane';
import { sessionIdFor } from '../../src/sessions/ids';
import { step } from '../../src/sessions/machine';
import { isActive } from '../../src/sessions/session-state';
import type { Effect, Input, OpenSale, Session, StepContext, StepResult } from '../../src/sessions/types';

export const T0 = Date.parse('2026-01-01T12:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();
export const nok = (value: number) => ({ currency: 'NOK' as const, value });

export const vendingLane: Lane = {
  id: 'vend-oslo-1',
  kind: 'vending',
  msn: '123456',
  merchantQrId: 'qr-vend-1',
  description: 'Snack machine, Oslo S',
  currency: 'NOK',
  maxAmount: 10000,
  dispenseTimeoutS: 60,
  enabled: true,
  controller: { type: 'log' },
};

export const selfCheckoutLane: Lane = {
  id: 'shop-bergen-3',
  kind: 'self-checkout',
  msn: '123456',
  merchantQrId: 'qr-shop-3',
  description: 'Self-checkout 3, Bergen',
  currency: 'NOK',
  saleWaitS: 300,
  enabled: true,
  controller: { type: 'log' },
};

export const TOKEN = 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=';

export function checkinFor(lane: Lane, atMs: number, token = TOKEN): Extract<Input, { type: 'checkin' }> {
  return {
    type: 'checkin',
    msn: lane.msn,
    merchantQrId: lane.merchantQrId,
    initiatedAt: iso(atMs),
    customerToken: token,
  };
}

export function saleFor(
  lane: Lane,
  orderId: string,
  value: number,
  atMs: number,
): Omit<OpenSale, 'sessionId'> {
  return {
    laneId: lane.id,
    orderId,
    amount: value,
    currency: lane.currency,
    description: `Order ${orderId}`,
    openedAt: iso(atMs),
  };
}

/** Compact, order-preserving view of effects: `capture:2500`, `msg:paid`, `timer:retry`, `log:push-not-allowed`. */
export function effectTokens(effects: readonly Effect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'capture':
        return `capture:${e.amount.value}`;
      case 'send-lane-message':
        return `msg:${e.message.type.replace('session.', '')}`;
      case 'schedule-timer':
        return `timer:${e.name}`;
      case 'log':
        return `log:${e.event}`;
      case 'open-settlement':
        return e.seed.owed ? 'settlement:owed' : 'settlement:settled';
      default:
        return e.type;
    }
  });
}

export class LaneSim {
  readonly sessions = new Map<string, Session>();
  openSale: OpenSale | null = null;
  lastId: string | null = null;
  readonly log: { input: Input; result: StepResult }[] = [];

  constructor(
    readonly lane: Lane,
    public now: number = T0,
  ) {}

  get active(): Session | null {
    return [...this.sessions.values()].find(isActive) ?? null;
  }

  /** The most recently touched session. */
  get session(): Session {
    const s = this.lastId === null ? undefined : this.sessions.get(this.lastId);
    if (!s) throw new Error('no session yet');
    return s;
  }

  contextFor(input: Input): StepContext {
    return {
      lane: this.lane,
      session: this.targetOf(input),
      activeSession: this.active,
      openSale: this.openSale,
    };
  }

  private targetOf(input: Input): Session | null {
    switch (input.type) {
      case 'checkin':
        return this.sessions.get(sessionIdFor(input)) ?? null;
      case 'epayment-event':
      case 'poll-result':
        return [...this.sessions.values()].find((s) => s.reference === input.reference) ?? null;
      case 'sale-opened':
      case 'sale-cancelled':
        return null;
      default:
        return this.sessions.get(input.sessionId) ?? null;
    }
  }

  apply(input: Input, advanceMs = 0): StepResult {
    this.now += advanceMs;
    const result = step(this.contextFor(input), input, new Date(this.now));
    if (result.session) {
      this.sessions.set(result.session.id, result.session);
      this.lastId = result.session.id;
    }
    if (result.sale !== undefined) this.openSale = result.sale;
    this.log.push({ input, result });
    return result;
  }

  clone(): LaneSim {
    const copy = new LaneSim(this.lane, this.now);
    for (const [id, s] of this.sessions) copy.sessions.set(id, s);
    copy.openSale = this.openSale;
    copy.lastId = this.lastId;
    return copy;
  }

  // Inputs addressed to the current session, built from its own ids.
  event(name: Extract<Input, { type: 'epayment-event' }>['name'], value: number, success = true): Input {
    const s = this.session;
    return {
      type: 'epayment-event',
      reference: s.reference,
      name,
      success,
      amount: nok(value),
      pspReference: `psp-${name}`,
      timestamp: iso(this.now),
    };
  }

  poll(state: Extract<Input, { type: 'poll-result' }>['state'], a = 0, c = 0, x = 0): Input {
    return {
      type: 'poll-result',
      reference: this.session.reference,
      state,
      aggregate: {
        authorizedAmount: nok(a),
        capturedAmount: nok(c),
        cancelledAmount: nok(x),
        refundedAmount: nok(0),
      },
    };
  }

  timer(name: Extract<Input, { type: 'timer' }>['name']): Input {
    const at = this.session.timers[name];
    if (at === undefined) throw new Error(`timer ${name} is not armed`);
    return { type: 'timer', sessionId: this.session.id, name, at };
  }

  /** Jump the clock to the instant a timer is armed for, then fire it. */
  fire(name: Extract<Input, { type: 'timer' }>['name']): StepResult {
    const input = this.timer(name);
    if (input.type === 'timer') this.now = Math.max(this.now, Date.parse(input.at));
    return this.apply(input);
  }

  by(type: 'payment-created' | 'capture-done' | 'cancel-done'): Input {
    return { type, sessionId: this.session.id };
  }
}
