// The body of `POST /emulator/v1/faults` (a public contract: the first six fields keep their meaning):
//   api            epayment | qr | webhooks | token | '*'; may be omitted when `operation` is given
//   operation      create | get | capture | cancel | refund: only that ePayment call (implies api epayment)
//   latencyMs      0..60000, added before the answer
//   errorRate      0..1, share of matching calls answered with an error (default: see below)
//   timeoutRate    0..1, share of matching calls held unanswered
//   statuses       the error statuses to draw from; 429, 500, 502, 503, 504 (default [500]); with errorCode
//                  also 400, 404, 409, 423 (default: the code's usual status, ERROR_CODE_STATUS, else 400)
//   status         one status, the same as `statuses: [status]`
//   errorCode      a Vipps code ("6160"), put in the problem body as extraDetails [{name: ErrorCode, reason}]
//   times | count  only the next N matching calls are touched; then the fault removes itself
//   succeedThenFail  the call is carried out, then answered with the error (or held) instead of its result
//                  (ePayment calls, and webhook registrations: stored, the secret's answer lost)
//   seed           reseeds the RNG behind the rates
// errorRate, when not given, is 1 − timeoutRate if errorCode, count or succeedThenFail is given (a bounded or
// coded fault that never fires would be useless), else 0 as before; a bounded latency-only fault says
// `errorRate: 0`.
import { ERROR_CODE_ROWS } from '../vipps/error-code-table';
import type { EpaymentOperation, Fault, FaultApi } from './state';

export const FAULT_APIS: readonly FaultApi[] = ['epayment', 'qr', 'webhooks', 'token', '*'];
export const FAULT_OPERATIONS: readonly EpaymentOperation[] = [
  'create',
  'get',
  'capture',
  'cancel',
  'refund',
];
// 423: "locked by a concurrent operation on the same payment, retry shortly" (vipps-protocol.md §6.6).
export const FAULT_STATUSES: readonly number[] = [423, 429, 500, 502, 503, 504];
export const CODED_FAULT_STATUSES: readonly number[] = [400, 404, 409, 423, 429, 500, 502, 503, 504];
/** 3010 is Vipps's internal error; 6160 ("another operation holds the payment, retry shortly") is the lock. */
/** 4150 and 5090 as the emulator's own ePayment answers them (409 reference exists, 404 reference not found). */
export const ERROR_CODE_STATUS: Readonly<Record<string, number>> = {
  '3010': 500,
  '4150': 409,
  '5090': 404,
  '6160': 423,
};

type Body = Record<string, unknown>;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function parseStatuses(b: Body, errorCode: string | undefined, errors: string[]): number[] {
  const allowed = errorCode === undefined ? FAULT_STATUSES : CODED_FAULT_STATUSES;
  const suffix = errorCode === undefined ? '' : ' when errorCode is given';
  if (b['status'] !== undefined && b['statuses'] !== undefined) {
    errors.push('give status or statuses, not both');
    return [];
  }
  if (b['status'] !== undefined) {
    if (!allowed.includes(b['status'] as number))
      errors.push(`status must be one of ${allowed.join(', ')}${suffix}`);
    return [b['status'] as number];
  }
  const fallback = errorCode === undefined ? 500 : (ERROR_CODE_STATUS[errorCode] ?? 400);
  const statuses = b['statuses'] ?? [fallback];
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    statuses.some((s) => !allowed.includes(s as number))
  )
    errors.push(`statuses must be a non-empty array of ${allowed.join(', ')}${suffix}`);
  return Array.isArray(statuses) ? (statuses as number[]) : [];
}

function parseScope(b: Body, errors: string[]): { api: FaultApi; operation: EpaymentOperation | undefined } {
  const api = b['api'] ?? (b['operation'] === undefined ? undefined : 'epayment');
  const operation = b['operation'];
  if (typeof api !== 'string' || !FAULT_APIS.includes(api as FaultApi))
    errors.push(`api must be one of ${FAULT_APIS.join(', ')}`);
  if (operation !== undefined) {
    if (typeof operation !== 'string' || !FAULT_OPERATIONS.includes(operation as EpaymentOperation))
      errors.push(`operation must be one of ${FAULT_OPERATIONS.join(', ')}`);
    else if (api !== 'epayment')
      errors.push('operation is for the epayment API: give api epayment or omit it');
  }
  return { api: api as FaultApi, operation: operation as EpaymentOperation | undefined };
}

function parseCount(b: Body, errors: string[]): number | undefined {
  const { times, count } = b;
  if (times !== undefined && (!isInt(times) || times < 1)) errors.push('times must be a positive integer');
  if (count !== undefined && (!isInt(count) || count < 1)) errors.push('count must be a positive integer');
  if (times !== undefined && count !== undefined && times !== count)
    errors.push('count and times are the same setting: give one');
  return (count ?? times) as number | undefined;
}

/** Validates a control-API fault body; returns the fault or a list of problems. */
export function parseFault(body: unknown): { fault: Fault; seed?: number } | { errors: string[] } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  const errors: string[] = [];
  const rate = (name: string, fallback: number): number => {
    const v = b[name] ?? fallback;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) errors.push(`${name} must be a number from 0 to 1`);
    return typeof v === 'number' ? v : 0;
  };
  const { api, operation } = parseScope(b, errors);
  const latencyMs = b['latencyMs'] ?? 0;
  if (!isInt(latencyMs) || latencyMs < 0 || latencyMs > 60_000)
    errors.push('latencyMs must be an integer from 0 to 60000');
  const rawCode = b['errorCode'];
  const errorCode = typeof rawCode === 'string' && /^\d{4,5}$/.test(rawCode) ? rawCode : undefined;
  const statuses = parseStatuses(b, errorCode, errors);
  const remaining = parseCount(b, errors);
  const seed = b['seed'];
  if (seed !== undefined && !isInt(seed)) errors.push('seed must be an integer');
  const succeedThenFail = b['succeedThenFail'] ?? false;
  const timeoutRate = typeof b['timeoutRate'] === 'number' ? b['timeoutRate'] : 0;
  const mustFire = rawCode !== undefined || b['count'] !== undefined || succeedThenFail === true;
  const errorRate = rate('errorRate', mustFire ? Math.max(0, 1 - timeoutRate) : 0);
  rate('timeoutRate', 0);
  if (rawCode !== undefined && errorCode === undefined)
    errors.push('errorCode must be a string of 4 or 5 digits, e.g. "6160"');
  if (typeof succeedThenFail !== 'boolean') errors.push('succeedThenFail must be a boolean');
  // Also for webhook registrations: "Vipps stored it, the answer with its secret was lost" (issue 15).
  else if (succeedThenFail && api !== 'epayment' && api !== 'webhooks')
    errors.push(
      'succeedThenFail is for ePayment calls and webhook registrations: give api epayment or webhooks',
    );
  if (errors.length > 0) return { errors };
  const fault: Fault = {
    api,
    operation,
    latencyMs: latencyMs as number,
    errorRate,
    statuses,
    timeoutRate,
    errorCode,
    succeedThenFail: succeedThenFail as boolean,
    remaining,
  };
  return seed === undefined ? { fault } : { fault, seed: seed as number };
}

/** The fault as `GET /emulator/v1/faults` lists it; absent settings are null, not missing. */
export function faultView(f: Fault): object {
  return {
    api: f.api,
    operation: f.operation ?? null,
    latencyMs: f.latencyMs,
    errorRate: f.errorRate,
    statuses: f.statuses,
    timeoutRate: f.timeoutRate,
    errorCode: f.errorCode ?? null,
    succeedThenFail: f.succeedThenFail,
    remaining: f.remaining ?? null,
  };
}

/**
 * Every published ePayment code's title, as Vipps words it: the gateway's one table (error-code-table.ts), so
 * an injected 5080, 6140, 6280 or 7010 reads as Vipps's own; any other code gets a generic title.
 */
export const ERROR_CODE_TITLES: Readonly<Record<string, string>> = Object.fromEntries(
  ERROR_CODE_ROWS.map(([code, title]) => [code, title]),
);
