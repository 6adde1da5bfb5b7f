// Self-checkout sales opened and cancelled through the controller API. One open sale per lane; a sale bound
// to a session is that session's to finish: it is removed when paid and unbound again when payment fails,
// so the customer can scan again and pay it.
import { Draft } from './draft';
import { isActive } from './session-state';
import { tokenUsableUntilMs, type SessionTiming } from './timing';
import { beginCancel, finish, requestPayment } from './transitions';
import type { Currency, Input, OpenSale, Session, StepContext, StepResult } from './types';

type SaleOpened = Extract<Input, { type: 'sale-opened' }>;
type SaleCancelled = Extract<Input, { type: 'sale-cancelled' }>;

/** Smallest amounts ePayment accepts (vipps-protocol.md §6.1) and the spec's maximum. */
const MIN_VALUE: Readonly<Record<Currency, number>> = { NOK: 100, DKK: 1, EUR: 1 };
const MAX_VALUE = 65_000_000;

/** Why a sale cannot be opened on this lane, or null. The controller API answers 422 with it. */
export function checkSale(lane: StepContext['lane'], sale: SaleOpened['sale']): string | null {
  if (lane.kind !== 'self-checkout') return 'not-self-checkout';
  if (!lane.enabled) return 'lane-disabled';
  if (sale.laneId !== lane.id) return 'lane-mismatch';
  if (sale.orderId.length === 0) return 'invalid-order-id';
  if (sale.currency !== lane.currency) return 'currency-mismatch';
  const { amount } = sale;
  if (!Number.isInteger(amount) || amount < MIN_VALUE[sale.currency] || amount > MAX_VALUE)
    return 'invalid-amount';
  return null;
}

function rejected(kind: 'invalid' | 'duplicate' | 'ignored', reason: string): StepResult {
  return { session: null, effects: [], outcome: { kind, reason } };
}

function activeOf(ctx: StepContext): Session | null {
  return ctx.activeSession && isActive(ctx.activeSession) ? ctx.activeSession : null;
}

export function onSaleOpened(
  ctx: StepContext,
  input: SaleOpened,
  now: Date,
  timing: SessionTiming,
): StepResult {
  const problem = checkSale(ctx.lane, input.sale);
  if (problem) return rejected('invalid', problem);
  const existing = ctx.openSale;
  const active = activeOf(ctx);
  if (existing?.orderId === input.sale.orderId) {
    const same = existing.amount === input.sale.amount && existing.currency === input.sale.currency;
    return same ? rejected('duplicate', 'sale-already-open') : rejected('invalid', 'order-id-reused');
  }
  if (existing?.sessionId && existing.sessionId === active?.id)
    return rejected('invalid', 'sale-in-progress');

  const sale: OpenSale = { ...input.sale, sessionId: null }; // replaces an open sale nobody is paying
  if (active?.state !== 'awaiting-sale')
    return { session: null, sale, effects: [], outcome: { kind: 'applied' } };

  const d = new Draft(ctx, active, now, timing);
  if (now.getTime() >= tokenUsableUntilMs(timing, active.initiatedAt)) {
    // The sale-wait timer is late: the token cannot pay any more, so the sale waits for the next scan.
    finish(d, { state: 'cancelled', reason: 'sale-timeout' });
    d.setSale(sale);
    return d.result();
  }
  d.setSale({ ...sale, sessionId: active.id });
  const amount = { currency: sale.currency, value: sale.amount };
  requestPayment(d, amount, { orderId: sale.orderId, amount, description: sale.description }, false);
  return d.result();
}

export function onSaleCancelled(
  ctx: StepContext,
  input: SaleCancelled,
  now: Date,
  timing: SessionTiming,
): StepResult {
  const existing = ctx.openSale;
  if (input.laneId !== ctx.lane.id) return rejected('invalid', 'lane-mismatch');
  if (!existing || existing.orderId !== input.orderId) return rejected('ignored', 'unknown-sale');
  const active = activeOf(ctx);
  if (existing.sessionId === null || existing.sessionId !== active?.id) {
    return { session: null, sale: null, effects: [], outcome: { kind: 'applied' } };
  }
  const d = new Draft(ctx, active, now, timing);
  switch (active.state) {
    case 'payment-requested':
      // The customer may be looking at the push right now: terminate it (or release it if they just approved).
      d.setSale(null);
      beginCancel(d, { state: 'cancelled', reason: 'sale-cancelled' });
      break;
    case 'cancelling':
      d.setSale(null); // already being cancelled for another reason; the POS no longer wants the sale
      break;
    default:
      d.invalid('sale-being-paid'); // authorized money is being captured: too late to cancel
  }
  return d.result();
}
