// vending: the controller reports what it dispensed after `session.authorized`. We capture exactly that and
// release the rest; nothing dispensed (or a failure) releases everything.
import type { Draft } from './draft';
import { isFinalState } from './session-state';
import { beginCancel, beginCapture, issuePending } from './transitions';
import type { Input, Outcome, Session } from './types';

type DispenseReport = Extract<Input, { type: 'dispense-report' }>;

function reportedValue(report: Pick<DispenseReport, 'result' | 'amount'>): number {
  return report.result === 'dispensed' ? (report.amount?.value ?? 0) : 0;
}

/**
 * Whether a report can be applied to the session: `applied`, `duplicate` (the same report again),
 * `ignored` (the session is over) or `invalid` with a reason. Pure, so the controller API can answer
 * 422 synchronously from the stored session with the same verdict the worker will reach.
 */
export function checkDispenseReport(
  session: Session,
  report: Pick<DispenseReport, 'result' | 'amount'>,
): Outcome {
  if (session.kind !== 'vending') return { kind: 'invalid', reason: 'not-vending' };
  if (report.result === 'dispensed') {
    const { amount } = report;
    if (!amount) return { kind: 'invalid', reason: 'amount-required' };
    if (amount.currency !== (session.amount?.currency ?? amount.currency)) {
      return { kind: 'invalid', reason: 'currency-mismatch' };
    }
    if (!Number.isInteger(amount.value) || amount.value < 0)
      return { kind: 'invalid', reason: 'invalid-amount' };
  }
  if (session.dispensedValue !== null) {
    return session.dispensedValue === reportedValue(report)
      ? { kind: 'duplicate', reason: 'already-reported' }
      : { kind: 'invalid', reason: 'already-reported' };
  }
  if (isFinalState(session.state)) return { kind: 'ignored', reason: 'session-ended' };
  if (session.state !== 'authorized') return { kind: 'invalid', reason: 'not-authorized' };
  if (reportedValue(report) > session.authorizedValue) {
    return { kind: 'invalid', reason: 'amount-exceeds-authorized' };
  }
  return { kind: 'applied' };
}

export function onDispenseReport(d: Draft, report: DispenseReport): void {
  const verdict = checkDispenseReport(d.session, report);
  const value = reportedValue(report);
  switch (verdict.kind) {
    case 'invalid':
      return d.invalid(verdict.reason);
    case 'duplicate':
      d.duplicate(verdict.reason);
      // A redelivered report may mean the capture/cancel it caused was never sent: re-issue it (idempotent).
      if (d.session.state === 'capturing' || d.session.state === 'cancelling') issuePending(d);
      return;
    case 'ignored':
      // Goods left the machine after we gave up waiting and released the money: the operator must know.
      if (value > 0) d.log('warn', 'dispensed-after-session-ended', { dispensedValue: value });
      return d.ignore(verdict.reason);
    case 'applied':
      break;
  }
  d.patch({ dispensedValue: value });
  const currency = d.session.amount?.currency ?? d.lane.currency;
  if (value > 0) return beginCapture(d, { currency, value });
  beginCancel(d, {
    state: 'cancelled',
    reason: report.result === 'failed' ? 'dispense-failed' : 'nothing-dispensed',
  });
}
