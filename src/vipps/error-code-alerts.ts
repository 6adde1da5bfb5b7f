// Vipps refusals that only a person can fix (error-codes.ts needsOperator: 5010–5100, 401/403) are not
// ordinary failed payments: every further payment on that sales unit fails the same way. So each one is an
// `error` log line naming the MSN, the code and the fix, and a metric an alert can watch
// (checkin_vipps_operator_action_total{operation, code}). 5080 (PUSH_MESSAGE not allowed) is the one a new
// sales unit meets first: Vipps only sends pushes for sales units approved to skip the landing page.
import type { Logger } from '../log';
import { OPERATOR_FIX } from './error-codes';
import type { VippsApiError } from './errors';

const GENERIC_FIX =
  "the sales unit's setup at Vipps MobilePay, its API keys or the lane's MSN has to change; retries will not help";

/** For the transport's onApiError: logs and counts a refusal that needs an operator; ignores the rest. */
export function alertOperatorAction(
  logger: Logger,
  count: (labels: { operation: string; code: string }) => void,
  err: VippsApiError,
  msn: string | undefined,
): void {
  if (!err.operatorAction) return;
  const code = err.code ?? `http-${err.status}`;
  count({ operation: err.operation, code });
  logger.error('Vipps refuses until an operator acts', {
    operation: err.operation,
    ...(msn === undefined ? {} : { msn }),
    status: err.status,
    code,
    title: err.title,
    ...(err.traceId === undefined ? {} : { traceId: err.traceId }),
    fix: (err.code === undefined ? undefined : OPERATOR_FIX[err.code]) ?? GENERIC_FIX,
  });
}
