// Typed failures of Vipps calls. The worker branches on `retryable` (try the job again later) and, for API
// errors, on HTTP status + Vipps error code, never on message text (vipps-protocol.md §6.6).
// Messages name the operation and what to check; they never carry request bodies, tokens or secrets.
import { classifyFailure, needsOperator, type FailureAction } from './error-codes';

/** A stable discriminator for every Vipps failure (style.md practice 4). */
export type VippsErrorKind =
  'api' | 'response' | 'network' | 'timeout' | 'deadline' | 'aborted' | 'invalid-request';

export abstract class VippsError extends Error {
  abstract readonly kind: VippsErrorKind;
  constructor(
    readonly operation: string,
    readonly retryable: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface VippsApiErrorFields {
  readonly status: number;
  readonly title: string;
  /** The Vipps numeric error code from `extraDetails` (e.g. `4050`), when the body carried one. */
  readonly code?: string;
  readonly traceId?: string;
  /** Vipps's free-text detail, with known secrets scrubbed. Kept out of `message` because it may echo input. */
  readonly detail?: string;
  /** From a 429/503 `Retry-After`, so a caller that gives up can still wait as long as Vipps asked. */
  readonly retryAfterMs?: number;
}

// 423: locked by a concurrent operation on the same payment, "retry shortly" (§6.6); 429: rate limited; 5xx:
// retry with the same Idempotency-Key. Any other 4xx would fail the same way again.
export function isRetryableStatus(status: number): boolean {
  return status === 423 || status === 429 || status >= 500;
}

/** Vipps answered with a non-success status. */
export class VippsApiError extends VippsError {
  readonly kind = 'api';
  readonly status: number;
  readonly title: string;
  readonly code: string | undefined;
  readonly traceId: string | undefined;
  readonly detail: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** The error-code table's answer (error-codes.ts): by code first, then by status. */
  readonly action: FailureAction;
  /** A person has to change the sales unit, keys or lane (error-codes.ts OPERATOR_ACTION_CODES). */
  readonly operatorAction: boolean;

  constructor(operation: string, fields: VippsApiErrorFields) {
    super(operation, isRetryableStatus(fields.status), apiMessage(operation, fields));
    const code = fields.code === undefined ? {} : { code: fields.code };
    this.action = classifyFailure({ status: fields.status, retryable: this.retryable, ...code });
    this.operatorAction = needsOperator({ status: fields.status, operation, ...code });
    this.status = fields.status;
    this.title = fields.title;
    this.code = fields.code;
    this.traceId = fields.traceId;
    this.detail = fields.detail;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

function apiMessage(operation: string, f: VippsApiErrorFields): string {
  const code = f.code === undefined ? '' : ` (Vipps error ${f.code})`;
  const trace = f.traceId === undefined ? '' : ` [traceId ${f.traceId}]`;
  return `Vipps ${operation} failed: HTTP ${f.status} ${f.title}${code}${trace}${hint(operation, f.status)}`;
}

function hint(operation: string, status: number): string {
  if (operation === 'accesstoken.get' && (status === 400 || status === 401 || status === 403))
    return ': check VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET and VIPPS_SUBSCRIPTION_KEY (or the set for this MSN in VIPPS_CREDENTIALS_FILE) for this VIPPS_ENV';
  if (status === 403)
    return ': the API product may not be enabled for this sales unit (Merchant-Serial-Number)';
  return '';
}

/** A success status whose body is not what the API promises (or an unexpected success status). */
export class VippsResponseError extends VippsError {
  readonly kind = 'response';
  constructor(
    operation: string,
    readonly status: number,
    problem: string,
  ) {
    super(
      operation,
      false,
      `Vipps ${operation} returned an unexpected response (HTTP ${status}): ${problem}`,
    );
  }
}

/** No HTTP response: connection refused/reset, DNS failure. Safe to retry with the same Idempotency-Key. */
export class VippsNetworkError extends VippsError {
  readonly kind = 'network';
  constructor(operation: string, baseUrl: string, cause: unknown) {
    super(operation, true, `Vipps ${operation} could not reach ${baseUrl}: ${causeText(cause)}`, { cause });
  }
}

/** One attempt exceeded the per-request timeout. Never treat it as failure: retry or read the payment (§6.6). */
export class VippsTimeoutError extends VippsError {
  readonly kind = 'timeout';
  constructor(
    operation: string,
    readonly timeoutMs: number,
  ) {
    super(operation, true, `Vipps ${operation} timed out after ${timeoutMs} ms`);
  }
}

/** The overall deadline ran out while an attempt was still in flight; `cause` is the last failure, if any. */
export class VippsDeadlineError extends VippsError {
  readonly kind = 'deadline';
  constructor(
    operation: string,
    readonly deadlineMs: number,
    readonly attempts: number,
    cause?: unknown,
  ) {
    super(
      operation,
      true,
      `Vipps ${operation} did not complete within its ${deadlineMs} ms deadline (${attempts} attempt(s))`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** The caller's AbortSignal fired (e.g. shutdown). The operation may or may not have reached Vipps. */
export class VippsAbortedError extends VippsError {
  readonly kind = 'aborted';
  constructor(operation: string) {
    super(operation, true, `Vipps ${operation} was aborted by the caller`);
  }
}

/** Our own input breaks a documented Vipps constraint; caught before anything is sent. */
export class VippsInvalidRequestError extends VippsError {
  readonly kind = 'invalid-request';
  constructor(
    operation: string,
    readonly field: string,
    expected: string,
  ) {
    super(operation, false, `Vipps ${operation}: ${field} must be ${expected}`);
  }
}

export function isVippsError(e: unknown): e is VippsError {
  return e instanceof VippsError;
}

/** ePayment 4050: the check-in's customerToken is invalid or older than its 15 minutes. */
export function isInvalidCustomerToken(e: unknown): boolean {
  return e instanceof VippsApiError && e.code === '4050';
}

/** ePayment 5080: the sales unit is not allowed to send PUSH_MESSAGE payments. */
export function isPushNotAllowed(e: unknown): boolean {
  return e instanceof VippsApiError && e.code === '5080';
}

// Node's fetch wraps the useful part (ECONNREFUSED, ENOTFOUND) in `cause`; none of it carries secrets.
function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return 'network error';
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined;
  if (inner && typeof inner.code === 'string') return `${cause.message} (${inner.code})`;
  return cause.message;
}
