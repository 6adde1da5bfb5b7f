// What the result page tells the customer about their session, in plain words: still going, or how it ended and
// what it cost. Only the session's state, reason and amounts are used; nothing about the customer exists here.
import { moneyText } from '../money-text';
import { isFinalState } from '../sessions/session-state';
import type { Session } from '../sessions/types';

export type PayOutcome = 'pending' | 'completed' | 'cancelled' | 'failed';

export interface PayStatus {
  readonly state: Session['state'];
  readonly outcome: PayOutcome;
  /** True once the session has ended: the page stops following it. */
  readonly final: boolean;
  readonly title: string;
  readonly detail: string;
}

const NOTHING_CHARGED = 'Nothing was charged.';

const FAILED: Record<string, string> = {
  aborted: 'You declined the payment in Vipps MobilePay.',
  rejected: 'You declined the payment in Vipps MobilePay.',
  expired: 'The payment was not approved in time.',
  terminated: 'The payment was stopped before it was approved.',
  'push-not-allowed': 'This checkout cannot take Vipps MobilePay payments right now.',
  'create-failed': 'Vipps MobilePay could not start the payment.',
};

const CANCELLED: Record<string, string> = {
  'dispense-failed': 'The machine could not dispense your item, so the reservation was released.',
  'nothing-dispensed': 'The machine dispensed nothing, so the reservation was released.',
  'dispense-timeout': 'The machine did not confirm in time, so the reservation was released.',
  'sale-timeout': 'The checkout did not open a sale in time.',
  'sale-cancelled': 'The checkout cancelled the sale.',
};

export function payStatus(s: Session): PayStatus {
  const base = { state: s.state, final: isFinalState(s.state) };
  const currency = s.amount?.currency ?? 'NOK';
  switch (s.state) {
    case 'completed':
      return {
        ...base,
        outcome: 'completed',
        title: 'Payment completed',
        detail: `You paid ${moneyText(s.capturedValue, currency)}. Thank you!`,
      };
    case 'cancelled':
      return {
        ...base,
        outcome: 'cancelled',
        title: 'Payment cancelled',
        detail: `${CANCELLED[s.reason ?? ''] ?? 'The payment was cancelled.'} ${s.capturedValue > 0 ? `You paid ${moneyText(s.capturedValue, currency)}.` : NOTHING_CHARGED}`,
      };
    case 'failed':
      return {
        ...base,
        outcome: 'failed',
        title: 'Payment not completed',
        detail: `${FAILED[s.reason ?? ''] ?? 'The payment did not go through.'} ${NOTHING_CHARGED}`,
      };
    case 'dropped':
      return {
        ...base,
        outcome: 'failed',
        title: 'Payment not started',
        detail: `The checkout was busy with another customer. ${NOTHING_CHARGED}`,
      };
    case 'awaiting-sale':
      return {
        ...base,
        outcome: 'pending',
        title: 'Waiting for the checkout',
        detail: 'The checkout is opening your sale…',
      };
    case 'payment-requested':
      return {
        ...base,
        outcome: 'pending',
        title: 'Waiting for your approval',
        detail: 'Approve the payment in Vipps MobilePay. This page updates by itself.',
      };
    case 'authorized':
    case 'capturing':
      return {
        ...base,
        outcome: 'pending',
        title: 'Payment approved',
        detail: s.kind === 'vending' ? 'The machine is dispensing your item…' : 'Completing your payment…',
      };
    case 'cancelling':
      return { ...base, outcome: 'pending', title: 'Cancelling', detail: 'Releasing the reservation…' };
  }
}
