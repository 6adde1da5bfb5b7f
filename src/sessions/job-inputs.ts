// Queue jobs ⇄ state machine inputs. Intake writes `checkin` and `epayment-event` jobs (job-payloads.ts); the
// controller service writes sale and dispense jobs, and the worker its own `timer` jobs, all in the lane's
// group so one lane's inputs are applied in order. A malformed payload is a bug, not bad luck: it is
// dead-lettered at once with the offending field named (never its value: a payload may carry a token).
// A check-in that was dead-lettered has lost its token (erase-customer-token.ts); replayed, it parses into a
// check-in with ERASED_CUSTOMER_TOKEN, which the machine drops as stale (checkin.ts), so it can never pay.
import { sha256Hex } from '../hash';
import type { EnqueueInput, Job } from '../queue/queue';
import { PermanentJobError } from '../queue/queue';
import { ERASED_CUSTOMER_TOKEN } from './checkin';
import { timerJobId } from './ids';
import type { Currency, Input, Money, OpenSale, PaymentEventName, TimerName } from './types';

export const SALE_OPENED_JOB = 'sale-opened';
export const SALE_CANCELLED_JOB = 'sale-cancelled';
export const DISPENSE_REPORT_JOB = 'dispense-report';
export const TIMER_JOB = 'timer';
/** A session started by pairing (issue 16): written by startLaneSession (lane-start.ts). */
export const LANE_START_JOB = 'lane-start';

export interface TimerJobPayload {
  readonly sessionId: string;
  readonly name: TimerName;
  readonly at: string;
}

/** A job turned into an input, with the lane whose group it came from. */
export interface JobInput {
  readonly laneId: string;
  readonly input: Input;
}

const TIMER_NAMES: readonly TimerName[] = [
  'poll',
  'payment-deadline',
  'dispense-timeout',
  'sale-wait',
  'retry',
];

/**
 * Any non-empty event name. One this gateway does not know is not a malformed job (issue 12): a newer gateway's
 * intake, during a rolling deploy, may queue a name Vipps added. It goes on as it came, and the machine has no
 * case for it, so it never fails or ends anything: a session still open reads the payment ("an event that does
 * not fit triggers a read", payment-results.ts), an ended one ignores it. The cast is the one place the name is
 * wider than its type.
 */
function eventName(job: Job, e: Fields): PaymentEventName {
  const v = e['name'];
  if (typeof v !== 'string' || v === '') throw bad(job, 'event.name');
  return v as PaymentEventName;
}

type Fields = Record<string, unknown>;

function bad(job: Job, field: string): PermanentJobError {
  return new PermanentJobError(`${job.type} job ${job.id}: payload field ${field} is missing or invalid`);
}

function record(job: Job, value: unknown, field: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(job, field);
  return value as Fields;
}

function str(job: Job, o: Fields, field: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') throw bad(job, field);
  return v;
}

function int(job: Job, o: Fields, field: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(job, field);
  return v;
}

/** The state machine only reads `value`; the currency is carried as Vipps sent it. */
function money(job: Job, value: unknown, field: string): Money {
  const o = record(job, value, field);
  return { currency: str(job, o, 'currency') as Currency, value: int(job, o, 'value') };
}

function oneOf<T extends string>(job: Job, o: Fields, field: string, allowed: readonly T[]): T {
  const v = o[field];
  if (!allowed.includes(v as T)) throw bad(job, field);
  return v as T;
}

/** Throws PermanentJobError for an unknown type or a payload that does not fit it. */
export function jobInput(job: Job): JobInput {
  const p = record(job, job.payload, 'payload');
  const laneId = job.group;
  switch (job.type) {
    case 'checkin':
      return {
        laneId: str(job, p, 'laneId'),
        input: {
          type: 'checkin',
          msn: str(job, p, 'msn'),
          merchantQrId: str(job, p, 'merchantQrId'),
          initiatedAt: str(job, p, 'initiatedAt'),
          customerToken:
            p['customerTokenErased'] === true ? ERASED_CUSTOMER_TOKEN : str(job, p, 'customerToken'),
        },
      };
    case 'epayment-event': {
      const e = record(job, p['event'], 'event');
      if (typeof e['success'] !== 'boolean') throw bad(job, 'event.success');
      return {
        laneId: str(job, p, 'laneId'),
        input: {
          type: 'epayment-event',
          reference: str(job, e, 'reference'),
          name: eventName(job, e),
          success: e['success'],
          amount: money(job, e['amount'], 'event.amount'),
          pspReference: typeof e['pspReference'] === 'string' ? e['pspReference'] : '',
          timestamp: str(job, e, 'timestamp'),
        },
      };
    }
    case SALE_OPENED_JOB: {
      const s = record(job, p['sale'], 'sale');
      const description = s['description'];
      const sale: Omit<OpenSale, 'sessionId'> = {
        laneId: str(job, s, 'laneId'),
        orderId: str(job, s, 'orderId'),
        amount: int(job, s, 'amount'),
        currency: str(job, s, 'currency') as Currency,
        description: typeof description === 'string' ? description : null,
        openedAt: str(job, s, 'openedAt'),
      };
      return { laneId, input: { type: 'sale-opened', sale } };
    }
    case SALE_CANCELLED_JOB:
      return {
        laneId,
        input: { type: 'sale-cancelled', laneId: str(job, p, 'laneId'), orderId: str(job, p, 'orderId') },
      };
    case DISPENSE_REPORT_JOB: {
      const result = oneOf(job, p, 'result', ['dispensed', 'failed'] as const);
      const amount = p['amount'] === undefined ? {} : { amount: money(job, p['amount'], 'amount') };
      return {
        laneId,
        input: { type: 'dispense-report', sessionId: str(job, p, 'sessionId'), result, ...amount },
      };
    }
    case LANE_START_JOB:
      return { laneId, input: laneStartInput(job, p) };
    case TIMER_JOB:
      return {
        laneId,
        input: {
          type: 'timer',
          sessionId: str(job, p, 'sessionId'),
          name: oneOf(job, p, 'name', TIMER_NAMES),
          at: str(job, p, 'at'),
        },
      };
    default:
      throw new PermanentJobError(`job ${job.id}: unknown job type ${JSON.stringify(job.type)}`);
  }
}

const START_PAIRINGS = ['screen-qr', 'personal-qr', 'redirect-qr'] as const;
const QR_IMAGE_FORMATS = ['IMAGE/SVG+XML', 'IMAGE/PNG', 'TEXT/TARGETURL'] as const;

function laneStartInput(job: Job, p: Fields): Extract<Input, { type: 'lane-start' }> {
  const optional = (field: string): string | undefined =>
    p[field] === undefined ? undefined : str(job, p, field);
  // Carried as `customerToken` (laneStartJob), so a dead letter's copy is erased like a check-in's token; an
  // erased one parses as none, and the machine drops such a start as stale.
  const personalQr = p['customerTokenErased'] === true ? undefined : optional('customerToken');
  const returnUrl = optional('returnUrl');
  const q = p['qrFormat'] === undefined ? undefined : record(job, p['qrFormat'], 'qrFormat');
  const qrFormat = q && {
    format: oneOf(job, q, 'format', QR_IMAGE_FORMATS),
    ...(q['size'] === undefined ? {} : { size: int(job, q, 'size') }),
  };
  return {
    type: 'lane-start',
    sessionId: str(job, p, 'sessionId'),
    laneId: str(job, p, 'laneId'),
    attemptId: str(job, p, 'attemptId'),
    pairing: oneOf(job, p, 'pairing', START_PAIRINGS),
    requestedAt: str(job, p, 'requestedAt'),
    ...(personalQr === undefined ? {} : { personalQr }),
    ...(returnUrl === undefined ? {} : { returnUrl }),
    ...(qrFormat === undefined ? {} : { qrFormat }),
  };
}

// ---- jobs the gateway writes for itself ----

/** Dedup keys must fit SQS's 128 characters; long lane and order ids are hashed instead of cut. */
function fitKey(prefix: string, parts: readonly string[]): string {
  const plain = `${prefix}:${parts.join(':')}`;
  if (plain.length <= 128 && /^[\x21-\x7e]+$/.test(plain)) return plain;
  return `${prefix}:${sha256Hex(parts.join('\n'))}`;
}

export function timerJob(laneId: string, timer: TimerJobPayload, now: Date): EnqueueInput {
  return {
    group: laneId,
    type: TIMER_JOB,
    dedupKey: timerJobId(timer.sessionId, timer.name, timer.at),
    payload: timer,
    delayMs: Math.max(0, Date.parse(timer.at) - now.getTime()),
  };
}

/**
 * The opening instant is part of the key: a POS may cancel an order and open it again later, and dedup keys
 * outlive their jobs (the queue keeps them for days).
 */
export function saleOpenedJob(sale: Omit<OpenSale, 'sessionId'>): EnqueueInput {
  return {
    group: sale.laneId,
    type: SALE_OPENED_JOB,
    dedupKey: fitKey('sale-opened', [sale.laneId, sale.orderId, String(Date.parse(sale.openedAt))]),
    payload: { sale },
  };
}

export function saleCancelledJob(sale: Pick<OpenSale, 'laneId' | 'orderId' | 'openedAt'>): EnqueueInput {
  return {
    group: sale.laneId,
    type: SALE_CANCELLED_JOB,
    dedupKey: fitKey('sale-cancelled', [sale.laneId, sale.orderId, String(Date.parse(sale.openedAt))]),
    payload: { laneId: sale.laneId, orderId: sale.orderId },
  };
}

/** One report per session: a second one is the same job (the controller API answers `duplicate`). */
export function dispenseReportJob(
  laneId: string,
  sessionId: string,
  report: { readonly result: 'dispensed' | 'failed'; readonly amount?: Money },
): EnqueueInput {
  return {
    group: laneId,
    type: DISPENSE_REPORT_JOB,
    dedupKey: `dispense:${sessionId}`,
    payload: { sessionId, ...report },
  };
}

/**
 * One job per attempt: a retried request is the same job, and the same session (sessionIdForAttempt). The
 * personal QR travels as `customerToken`: the queue's dead letters erase every such member (erase-customer-token.ts),
 * and a personal QR is as personal as a token.
 */
export function laneStartJob(start: Omit<Extract<Input, { type: 'lane-start' }>, 'type'>): EnqueueInput {
  const { personalQr, ...rest } = start;
  return {
    group: start.laneId,
    type: LANE_START_JOB,
    dedupKey: `lane-start:${start.sessionId}`,
    payload: { ...rest, ...(personalQr === undefined ? {} : { customerToken: personalQr }) },
  };
}
