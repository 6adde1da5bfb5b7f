// What `payments show` tells about the session's own ePayment calls: operation, outcome and Vipps's status,
// error code and traceId. Successful reads are left out (a session polls every 2 s while the customer decides).
import type { PaymentCall } from '../store/settlements-repo';
import type { PaymentEffect } from './effects-executor';
import type { Input } from './types';

const OPERATION: Readonly<Record<PaymentEffect['type'], string>> = {
  'create-payment': 'create',
  'get-payment': 'get',
  capture: 'capture',
  cancel: 'cancel',
};

export function sessionCallRecord(effect: PaymentEffect, result: Input | null, at: Date): PaymentCall | null {
  if (effect.type === 'get-payment') return null;
  const failed =
    result?.type === 'payment-create-failed' ||
    result?.type === 'capture-failed' ||
    result?.type === 'cancel-failed'
      ? result
      : null;
  return {
    reference: effect.reference,
    at,
    source: 'session',
    operation: OPERATION[effect.type],
    outcome: failed ? 'failed' : 'ok',
    amount: effect.type === 'capture' || effect.type === 'create-payment' ? effect.amount.value : null,
    status: failed?.status ?? null,
    code: failed?.code ?? null,
    traceId: failed?.traceId ?? null,
    idempotencyKey: effect.idempotencyKey,
  };
}
