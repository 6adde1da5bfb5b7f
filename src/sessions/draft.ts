// A step's scratchpad: collects the session changes, effects and sale change of one `step` call. It mutates
// only its own copies, so `step` stays a pure function of (context, input, now).
import { timerJobId } from './ids';
import { laneMessage, type LaneMessageData, type LaneMessageType } from './lane-message';
import type { SessionTiming } from './timing';
import type {
  Effect,
  LogFields,
  OpenSale,
  Outcome,
  Session,
  StepContext,
  StepResult,
  TimerName,
} from './types';

export class Draft {
  session: Session;
  readonly effects: Effect[] = [];
  private saleChange: { value: OpenSale | null } | null = null;
  private outcome: Outcome = { kind: 'applied' };
  private changed: boolean;
  /** Set when the session ends before Vipps confirmed its money: the settlement takes the rest over. */
  settlementOwed = false;

  constructor(
    readonly ctx: StepContext,
    session: Session,
    readonly now: Date,
    readonly timing: SessionTiming,
    isNew = false,
  ) {
    this.session = session;
    this.changed = isNew;
  }

  get lane(): StepContext['lane'] {
    return this.ctx.lane;
  }

  get nowMs(): number {
    return this.now.getTime();
  }

  /** The lane's open sale as this step has left it so far. */
  get sale(): OpenSale | null {
    return this.saleChange ? this.saleChange.value : this.ctx.openSale;
  }

  patch(changes: Partial<Session>): void {
    this.session = { ...this.session, ...changes };
    this.changed = true;
  }

  setSale(sale: OpenSale | null): void {
    this.saleChange = { value: sale };
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  message<T extends LaneMessageType>(type: T, data: LaneMessageData[T]): void {
    this.emit({ type: 'send-lane-message', message: laneMessage(this.session, type, data, this.now) });
  }

  log(level: 'info' | 'warn' | 'error', event: string, fields: LogFields = {}): void {
    const { id, laneId, reference, state } = this.session;
    this.emit({ type: 'log', level, event, fields: { sessionId: id, laneId, reference, state, ...fields } });
  }

  setTimer(name: TimerName, atMs: number): void {
    const at = new Date(atMs).toISOString();
    this.patch({ timers: { ...this.session.timers, [name]: at } });
    const { id: sessionId, laneId } = this.session;
    this.emit({ type: 'schedule-timer', id: timerJobId(sessionId, name, at), sessionId, laneId, name, at });
  }

  /** Disarming is just forgetting the instant: the queued job still fires and is ignored as stale. */
  clearTimers(...names: TimerName[]): void {
    if (!names.some((name) => this.session.timers[name] !== undefined)) return;
    const timers = { ...this.session.timers };
    for (const name of names) delete timers[name];
    this.patch({ timers });
  }

  ignore(reason: string): void {
    this.outcome = { kind: 'ignored', reason };
  }

  duplicate(reason: string): void {
    this.outcome = { kind: 'duplicate', reason };
  }

  invalid(reason: string): void {
    this.outcome = { kind: 'invalid', reason };
  }

  result(): StepResult {
    const session = this.changed
      ? { ...this.session, version: this.session.version + 1, updatedAt: this.now.toISOString() }
      : null;
    return {
      session,
      ...(this.saleChange ? { sale: this.saleChange.value } : {}),
      effects: this.effects,
      outcome: this.outcome,
    };
  }
}
