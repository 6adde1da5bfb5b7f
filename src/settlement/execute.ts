// Carries out one settlement call against ePayment and turns the answer into the machine's input. A read that
// finds no payment (404) is an observation, not a failure: Vipps has nothing reserved or captured.
import { operationFailure, toAggregate } from '../sessions/effects-executor';
import type { PaymentAggregate } from '../sessions/types';
import type { VippsClient } from '../vipps/client';
import { VippsApiError } from '../vipps/errors';
import type { PaymentModification } from '../vipps/epayment-types';
import type { Observed, Settlement, SettlementCall, SettlementInput } from './types';

export type SettlementEpaymentPort = Pick<VippsClient['epayment'], 'get' | 'capture' | 'cancel' | 'refund'>;

export function observedFrom(state: string, a: PaymentAggregate, at: Date): Observed {
  return {
    state,
    authorized: a.authorizedAmount.value,
    captured: a.capturedAmount.value,
    cancelled: a.cancelledAmount.value,
    refunded: a.refundedAmount.value,
    at: at.toISOString(),
  };
}

function observedOf(p: PaymentModification, at: Date): Observed {
  return observedFrom(String(p.state), toAggregate(p.aggregate), at);
}

export async function executeSettlementCall(
  s: Settlement,
  call: SettlementCall,
  epayment: SettlementEpaymentPort,
  now: () => Date,
): Promise<SettlementInput> {
  const ref = { msn: s.msn, reference: s.reference };
  if (call.call === 'get') {
    try {
      return { type: 'read', observed: observedOf(await epayment.get(ref), now()) };
    } catch (err) {
      if (err instanceof VippsApiError && err.status === 404) {
        const none = { state: 'NOT_FOUND', authorized: 0, captured: 0, cancelled: 0, refunded: 0 };
        return { type: 'read', observed: { ...none, at: now().toISOString() } };
      }
      return { type: 'read-failed', failure: operationFailure(err) };
    }
  }
  const op = call.call;
  try {
    const amount = (value: number) => ({ currency: s.currency, value });
    const { idempotencyKey } = call;
    const r =
      call.call === 'cancel'
        ? await epayment.cancel({ ...ref, idempotencyKey })
        : call.call === 'capture'
          ? await epayment.capture({ ...ref, amount: amount(call.amount), idempotencyKey })
          : await epayment.refund({ ...ref, amount: amount(call.amount), idempotencyKey });
    return { type: 'op-done', op, observed: observedOf(r, now()) };
  } catch (err) {
    return { type: 'op-failed', op, idempotencyKey: call.idempotencyKey, failure: operationFailure(err) };
  }
}
