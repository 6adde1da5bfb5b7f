// What to do after a failed Vipps ePayment call, decided by the Vipps error code first and the HTTP status
// second (issue 12; vipps-protocol.md §6.6: "branch on HTTP status + code, never on text"). A 4xx alone says
// little: 6280 and 6160 come with a 4xx and mean "try again with the same key", and an operation that in fact
// succeeded may answer 409 or a state error. The table is in error-code-table.ts and docs/vipps-error-codes.md.
// Sources: vippsas/agent-toolkit@e00db21 plugins/vipps/skills/epayment/references/errors.md and SKILL.md;
// https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/errors/ .
import { ERROR_CODE_ROWS } from './error-code-table';

/**
 * - `retry-same-key`: the same request may succeed later; repeat it with the same Idempotency-Key (which keeps
 *   it one operation at Vipps), with backoff.
 * - `read-then-decide`: the answer depends on a payment state we may have wrong (our earlier call may have
 *   succeeded unseen): GET the payment and adopt its aggregate before deciding anything.
 * - `permanent`: Vipps refuses for good (bad request, configuration, deadline passed); retrying repeats it.
 */
export type FailureAction = 'retry-same-key' | 'read-then-decide' | 'permanent';

export interface VippsErrorCodeInfo {
  readonly code: string;
  /** Vipps's title; Vipps rewords titles, so nothing branches on it. */
  readonly title: string;
  readonly action: FailureAction;
  /** Why this action, for operators and docs. */
  readonly note: string;
}

export const VIPPS_ERROR_CODES: Readonly<Record<string, VippsErrorCodeInfo>> = Object.freeze(
  Object.fromEntries(
    ERROR_CODE_ROWS.map(([code, title, action, note]) => [
      code,
      Object.freeze({ code, title, action, note }),
    ]),
  ),
);

/** 6140: the sales unit allows only a capture of the whole authorized amount; the caller has a strategy. */
export const CODE_PARTIAL_CAPTURE_NOT_ALLOWED = '6140';

/** status absent = network error / timeout. retryable = what the transport said (429/5xx/network). */
export function classifyFailure(f: {
  readonly status?: number;
  readonly code?: string;
  readonly retryable: boolean;
}): FailureAction {
  const known = f.code === undefined ? undefined : VIPPS_ERROR_CODES[f.code];
  if (known) return known.action;
  const { status } = f;
  // No answer at all: a timeout or network error is never a failed payment (§6.6). Without a status and
  // without `retryable` it is our own request caught before sending (VippsInvalidRequestError).
  if (status === undefined) return f.retryable ? 'retry-same-key' : 'permanent';
  // A bad access token or a product not enabled for the MSN: configuration, which no retry fixes.
  if (status === 401 || status === 403) return 'permanent';
  // 423 locked by a concurrent operation, 429 rate limited, 5xx: retry with the same key (§6.6).
  if (status === 423 || status === 429 || status >= 500) return 'retry-same-key';
  // 409 (same key, different body) and any other 4xx without a code we know: read before deciding.
  if (status >= 400) return 'read-then-decide';
  // A status Vipps does not send for errors (1xx-3xx): trust the transport, else read.
  return f.retryable ? 'retry-same-key' : 'read-then-decide';
}

// The third answer to "what now" (issue 15): beside retry-same-key and permanent, some refusals need a person.
// These codes say the sales unit's setup at Vipps (or the lane's MSN or currency) is wrong: no retry and no
// other request fixes them, and every further payment on that sales unit fails the same way until someone
// acts. 401 and 403 mean the same for the keys and the API products of the sales unit.
export const OPERATOR_ACTION_CODES: ReadonlySet<string> = new Set([
  '5010',
  '5020',
  '5030',
  '5040',
  '5050',
  '5060',
  '5070',
  '5080',
  '5090',
  '5100',
]);

/** What the operator has to do, for the codes where the gateway knows more than "fix the sales unit". */
export const OPERATOR_FIX: Readonly<Record<string, string>> = {
  '5040': "the lane's currency is not the sales unit's market: correct the lane's currency or MSN",
  '5080':
    'the sales unit is not approved to skip the landing page (userFlow PUSH_MESSAGE), which every check-in ' +
    'payment uses: ask Vipps MobilePay to enable it for this MSN; until then every check-in on its lanes fails',
  '5090': "Vipps has no such payment for this MSN: check the lane's MSN",
};

/** True when a person has to change the sales unit, keys or lane before this call can ever succeed. */
export function needsOperator(f: {
  readonly status?: number;
  readonly code?: string;
  readonly operation?: string;
}): boolean {
  if (f.code !== undefined && VIPPS_ERROR_CODES[f.code]) return OPERATOR_ACTION_CODES.has(f.code);
  if (f.status === 401 || f.status === 403) return true;
  return f.operation === 'accesstoken.get' && f.status === 400;
}
