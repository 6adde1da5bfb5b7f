// Everything one step writes, in ONE transaction: the session (optimistic version check), the token's
// erasure, the lane's open sale, the lane status, a history row and the outbox rows of its lane messages.
// So a crash leaves either the whole step or none of it; external calls only happen after this commits.
import { BatchExpectationError, type Sql, type Statement } from '../store/sql';
import { appendHistoryStatement } from '../store/history-repo';
import { recordLaneStepStatement } from '../store/lane-status-repo';
import { seedSettlementStatement } from '../store/settlements-repo';
import { addToOutboxStatements } from '../store/outbox-repo';
import { deleteUnappliedSaleStatement, saveOpenSaleStatements } from '../store/sales-repo';
import {
  ConcurrentUpdateError,
  eraseCustomerTokenStatement,
  saveSessionStatement,
} from '../store/sessions-repo';
import type { LaneMessage } from './lane-message';
import { isFinalState } from './session-state';
import type { Effect, Input, Outcome, Session, StepContext, StepResult } from './types';

export interface StepRecord {
  readonly input: Input;
  readonly ctx: StepContext;
  readonly result: StepResult;
  readonly now: Date;
  /** Queue writes that commit with the step (its timers, when the queue lives in the same database). */
  readonly jobs?: readonly Statement[];
}

/** Effects as history shows them: never a token, never an amount other than a capture's. */
export function summarizeEffects(effects: readonly Effect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'capture':
        return `capture:${e.amount.value}`;
      case 'send-lane-message':
        return `msg:${e.message.type.replace(/^session\./, '')}`;
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

export function outcomeText(outcome: Outcome): string {
  return outcome.kind === 'applied' ? 'applied' : `${outcome.kind}:${outcome.reason}`;
}

/** The stored session the step started from (null for a new one). */
export function sessionBefore(ctx: StepContext, id: string): Session | null {
  return [ctx.session, ctx.activeSession].find((s) => s?.id === id) ?? null;
}

const NOTABLE_EFFECTS: ReadonlySet<Effect['type']> = new Set([
  'create-payment',
  'capture',
  'cancel',
  'send-lane-message',
  'open-settlement',
]);

/**
 * History keeps the steps an operator asks about: a new session, a state change, money or message effects,
 * a duplicate or invalid input. Polls and stale timers (many per session) are left out.
 */
function historySubject(r: StepRecord): { before: Session | null; after: Session } | null {
  const after = r.result.session ?? r.ctx.session;
  if (!after) return null;
  const before = r.result.session ? sessionBefore(r.ctx, after.id) : after;
  const { outcome, effects } = r.result;
  const notable =
    outcome.kind === 'invalid' ||
    outcome.kind === 'duplicate' ||
    before === null ||
    before.state !== after.state ||
    effects.some((e) => NOTABLE_EFFECTS.has(e.type));
  return notable ? { before, after } : null;
}

export function laneMessagesOf(effects: readonly Effect[]): LaneMessage[] {
  return effects.flatMap((e) => (e.type === 'send-lane-message' ? [e.message] : []));
}

export async function persistStep(db: Sql, r: StepRecord): Promise<void> {
  const { input, ctx, result, now } = r;
  const laneId = ctx.lane.id;
  const session = result.session;
  const history = historySubject(r);
  const messages = laneMessagesOf(result.effects);
  const saleTaken = input.type === 'sale-opened' && result.sale !== undefined;
  const statements: Statement[] = [];
  if (session) statements.push(saveSessionStatement(session, session.version - 1));
  for (const e of result.effects) {
    if (e.type === 'erase-token') statements.push(eraseCustomerTokenStatement(e.sessionId));
    if (e.type === 'open-settlement') statements.push(seedSettlementStatement(e.seed, now));
  }
  if (result.sale !== undefined)
    statements.push(...saveOpenSaleStatements(laneId, result.sale, ctx.openSale?.orderId ?? null, now));
  // A sale the machine would not take must not keep the lane reserved.
  if (input.type === 'sale-opened' && !saleTaken)
    statements.push(deleteUnappliedSaleStatement(laneId, input.sale.orderId));
  if (session) {
    const isNewCheckin = input.type === 'checkin' && sessionBefore(ctx, session.id) === null;
    statements.push(
      recordLaneStepStatement({
        laneId: session.laneId,
        sessionId: session.id,
        active: !isFinalState(session.state),
        seenAt: isNewCheckin ? now : null,
        at: now,
      }),
    );
  }
  if (history) {
    statements.push(
      appendHistoryStatement({
        sessionId: history.after.id,
        laneId: history.after.laneId,
        at: now,
        inputType: input.type,
        fromState: history.before?.state ?? null,
        toState: history.after.state,
        outcome: outcomeText(result.outcome),
        reason: history.after.reason,
        effects: summarizeEffects(result.effects),
      }),
    );
  }
  statements.push(...addToOutboxStatements(messages, now));
  statements.push(...(r.jobs ?? []));
  // One batch: no statement needs another's result, so a store on another thread or server runs the whole
  // transaction in one round trip. The session's save comes first and expects one row (its version check).
  try {
    await db.batch(statements);
  } catch (err) {
    if (session && err instanceof BatchExpectationError && err.index === 0)
      throw new ConcurrentUpdateError(session.id, session.version - 1);
    throw err;
  }
}
