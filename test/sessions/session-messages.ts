// Lane messages of one self-checkout session for the outbox tests.
import { laneMessage, type LaneMessage } from '../../src/sessions/lane-message';

/** The session's checked-in, payment-requested (100 NOK) and paid messages, all at 2026-01-01T12:00Z. */
export function sessionMessages(laneId: string, sessionId: string): LaneMessage[] {
  const s = { id: sessionId, laneId };
  const at = new Date('2026-01-01T12:00:00.000Z');
  return [
    laneMessage(s, 'session.checked-in', { kind: 'self-checkout', awaitingSale: false }, at),
    laneMessage(
      s,
      'session.payment-requested',
      { amount: { currency: 'NOK', value: 100 }, orderId: null },
      at,
    ),
    laneMessage(
      s,
      'session.paid',
      { amount: { currency: 'NOK', value: 100 }, orderId: null, settlement: 'settled' },
      at,
    ),
  ];
}
