// A new settlement from the session's view of the money when it ended (SettlementSeed). Owed ones start open
// and due now, with nothing observed: the runner's first act is to read the payment. Confirmed ones start
// settled with what the session saw Vipps confirm.
import type { SettlementSeed } from '../sessions/types';
import type { Settlement } from './types';

export function settlementFromSeed(seed: SettlementSeed, now: Date): Settlement {
  const at = now.toISOString();
  return {
    reference: seed.reference,
    sessionId: seed.sessionId,
    laneId: seed.laneId,
    msn: seed.msn,
    kind: seed.kind,
    currency: seed.currency,
    paymentCreatedAt: seed.paymentCreatedAt,
    soldValue: seed.soldValue,
    captureTarget: seed.soldValue,
    strategy: 'partial',
    refunds: [],
    status: seed.owed ? 'open' : 'settled',
    reason: null,
    observed: seed.owed
      ? null
      : {
          state: seed.authorizedValue > 0 ? 'AUTHORIZED' : 'NOT_AUTHORIZED',
          authorized: seed.authorizedValue,
          captured: seed.capturedValue,
          cancelled: seed.cancelledValue,
          refunded: 0,
          at,
        },
    refusal: null,
    attempts: 0,
    nextAttemptAt: seed.owed ? at : null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}
