// One lane entry of the lanes file → a Lane, or the list of what is wrong with it (architecture §2).
// Written to allocate little per lane: a 50,000-lane file is validated on every (re)load.
import type { ControllerChannel, Lane, LaneKind } from './lane';
import { QR_CATEGORIES, type QrCategory } from '../vipps/qr';
import { validateController } from './validate-controller';
import { type PairingFields, validatePairings } from './validate-pairings';
import type { FieldReport } from './validate-fields';
import {
  amountError,
  closest,
  CURRENCIES,
  type Currency,
  describe,
  fieldName,
  isRecord,
  oneOfError,
  patternError,
  secondsError,
} from './validate-fields';

const KINDS: readonly LaneKind[] = ['vending', 'self-checkout'];
const FIELDS = [
  'id',
  'kind',
  'msn',
  'merchantQrId',
  'description',
  'currency',
  'maxAmount',
  'fixedAmount',
  'checkinMaxAgeS',
  'dispenseTimeoutS',
  'saleWaitS',
  'enabled',
  'controller',
  'pairings',
  'qrSource',
  'qrCategory',
] as const;
const KNOWN = new Set<string>(FIELDS);
// Fields of one kind only: on the other kind they are an error rather than silently ignored.
const ONLY_FOR: readonly (readonly [string, LaneKind, string])[] = [
  ['maxAmount', 'vending', 'self-checkout lanes charge the open sale or fixedAmount'],
  ['dispenseTimeoutS', 'vending', 'self-checkout lanes have no dispense step'],
  ['fixedAmount', 'self-checkout', 'vending lanes reserve maxAmount'],
  ['saleWaitS', 'self-checkout', 'vending lanes reserve maxAmount at once'],
];
const SECONDS: readonly (readonly [string, number, number])[] = [
  ['checkinMaxAgeS', 1, 900],
  ['dispenseTimeoutS', 1, 600],
  ['saleWaitS', 1, 900], // 900 s = the customerToken's 15-minute lifetime (vipps-protocol §3)
];

const ID = /^[A-Za-z0-9_-]{1,64}$/;
// A URL path segment in the QR API (PUT /qr/v1/merchant-callback/{merchantQrId}); vipps-protocol §4 states
// no charset, so the gateway keeps to characters that need no escaping anywhere.
const MERCHANT_QR_ID = /^[A-Za-z0-9_-]{1,100}$/;
// vipps-protocol §7: 4–7 digits (7-digit MSNs exist; do not validate to 6).
const MSN = /^[0-9]{4,7}$/;
const DESCRIPTION_MAX = 36; // vipps-protocol §4: locationDescription ≤ 36
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface LaneResult {
  readonly index: number;
  readonly rawId: unknown;
  readonly lane: Lane | undefined;
  /** Identity fields that are valid on their own, so duplicates are reported even when other fields fail. */
  readonly id: string | undefined;
  readonly msn: string | undefined;
  readonly merchantQrId: string | undefined;
  readonly merchantQrIdDefaulted: boolean;
}

/** `lane "vend-1" (#3)`, or `lane #3` without a usable id; lanes are numbered from 1 as an editor counts. */
export function laneLabel(rawId: unknown, index: number): string {
  return typeof rawId === 'string' && rawId !== ''
    ? `lane ${describe(rawId)} (#${index + 1})`
    : `lane #${index + 1}`;
}

/** Appends each problem to `errors` as `<label>: <field>: <problem>`. `index` is 0-based. */
export function validateLane(raw: unknown, index: number, errors: string[]): LaneResult {
  const rawId = isRecord(raw) ? raw.id : undefined;
  const before = errors.length;
  const report = new LaneReport(errors, rawId, index);
  if (!isRecord(raw)) {
    errors.push(
      `${laneLabel(rawId, index)}: expected a mapping with id, kind, msn, description, currency, got ${describe(raw)}`,
    );
    return {
      index,
      rawId,
      lane: undefined,
      id: undefined,
      msn: undefined,
      merchantQrId: undefined,
      merchantQrIdDefaulted: false,
    };
  }
  for (const key of Object.keys(raw)) {
    if (KNOWN.has(key)) continue;
    const hint = closest(key, FIELDS);
    report.fail(fieldName(key), `unknown field${hint ? ` (did you mean ${hint}?)` : ''}`);
  }

  const id = checked(
    report,
    'id',
    raw.id,
    patternError(raw.id, ID, '1–64 characters of A–Z, a–z, 0–9, _ or -'),
  );
  const kind = checked<LaneKind>(report, 'kind', raw.kind, oneOfError(raw.kind, KINDS));
  const msn = checked(report, 'msn', raw.msn, msnError(raw.msn));
  const merchantQrIdDefaulted = raw.merchantQrId === undefined;
  const merchantQrId = merchantQrIdDefaulted
    ? id
    : checked(
        report,
        'merchantQrId',
        raw.merchantQrId,
        patternError(
          raw.merchantQrId,
          MERCHANT_QR_ID,
          '1–100 characters of A–Z, a–z, 0–9, _ or - (it is a URL path segment in the QR API)',
        ),
      );
  const description = checked(report, 'description', raw.description, descriptionError(raw.description));
  const currency = checked<Currency>(report, 'currency', raw.currency, oneOfError(raw.currency, CURRENCIES));

  let misplaced: string[] | undefined;
  for (const [field, only, why] of ONLY_FOR) {
    if (!kind || kind === only || raw[field] === undefined) continue;
    report.fail(field, `not allowed for kind ${kind} (${why})`);
    (misplaced ??= []).push(field);
  }
  if (kind === 'vending' && raw.maxAmount === undefined)
    report.fail('maxAmount', 'required for kind vending');
  for (const field of ['maxAmount', 'fixedAmount']) {
    const problem =
      raw[field] === undefined || misplaced?.includes(field) ? undefined : amountError(raw[field], currency);
    if (problem) report.fail(field, problem);
  }
  for (const [field, min, max] of SECONDS) {
    const problem =
      raw[field] === undefined || misplaced?.includes(field) ? undefined : secondsError(raw[field], min, max);
    if (problem) report.fail(field, problem);
  }
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean')
    report.fail('enabled', `expected true or false, got ${describe(raw.enabled)}`);
  const controller = validateController(raw.controller, report);
  const pairings = validatePairings(raw, report);
  // The QR API's category list (src/vipps/qr.ts); default by kind in `qr sync` (qr-plan.ts).
  const qrCategoryProblem =
    raw.qrCategory === undefined ? undefined : oneOfError(raw.qrCategory, QR_CATEGORIES);
  if (qrCategoryProblem) report.fail('qrCategory', qrCategoryProblem);

  const ok =
    errors.length === before &&
    id &&
    kind &&
    msn &&
    merchantQrId &&
    description &&
    currency &&
    controller &&
    pairings;
  const lane = ok
    ? buildLane(raw, id, kind, msn, merchantQrId, description, currency, controller, pairings)
    : undefined;
  return { index, rawId, lane, id, msn, merchantQrId, merchantQrIdDefaulted };
}

/** Collects `<label>: <field>: <problem>`; a class, not a closure per lane, to keep validation cheap. */
class LaneReport implements FieldReport {
  constructor(
    private readonly errors: string[],
    private readonly rawId: unknown,
    private readonly index: number,
  ) {}
  fail(field: string, problem: string): void {
    this.errors.push(`${laneLabel(this.rawId, this.index)}: ${field}: ${problem}`);
  }
}

/** The value when present and valid, else undefined after reporting it as required or invalid. */
function checked<T extends string>(
  report: FieldReport,
  field: string,
  value: unknown,
  problem: string | undefined,
): T | undefined {
  if (value === undefined) report.fail(field, 'required');
  else if (problem) report.fail(field, problem);
  else return value as T;
  return undefined;
}

function msnError(v: unknown): string | undefined {
  // YAML reads an unquoted 123456 as a number; say how to fix it rather than just "expected a string".
  if (typeof v === 'number' && MSN.test(String(v)))
    return `expected a string of 4–7 digits, got the number ${v} (quote it in YAML: msn: '${v}')`;
  return patternError(v, MSN, 'a string of 4–7 digits');
}

function descriptionError(v: unknown): string | undefined {
  if (typeof v !== 'string') return `expected text of 1–${DESCRIPTION_MAX} characters, got ${describe(v)}`;
  if (v.trim() === '') return `expected text of 1–${DESCRIPTION_MAX} characters, got only blanks`;
  if (CONTROL.test(v)) return `expected a single line without control characters, got ${describe(v)}`;
  if (v.length > DESCRIPTION_MAX)
    return `expected at most ${DESCRIPTION_MAX} characters (it is the QR's locationDescription), got ${v.length}: ${describe(v)}`;
  return undefined;
}

function buildLane(
  raw: Record<string, unknown>,
  id: string,
  kind: LaneKind,
  msn: string,
  merchantQrId: string,
  description: string,
  currency: Currency,
  controller: ControllerChannel,
  pairings: PairingFields,
): Lane {
  const lane: { -readonly [K in keyof Lane]: Lane[K] } = {
    id,
    kind,
    msn,
    merchantQrId,
    description,
    currency,
    enabled: true,
    controller,
  };
  if (raw.maxAmount !== undefined) lane.maxAmount = raw.maxAmount as number;
  if (raw.fixedAmount !== undefined) lane.fixedAmount = raw.fixedAmount as number;
  if (raw.checkinMaxAgeS !== undefined) lane.checkinMaxAgeS = raw.checkinMaxAgeS as number;
  if (kind === 'vending') lane.dispenseTimeoutS = (raw.dispenseTimeoutS as number | undefined) ?? 60;
  else lane.saleWaitS = (raw.saleWaitS as number | undefined) ?? 900;
  if (raw.enabled === false) lane.enabled = false;
  // Absent stays absent (lanePairings reads it as ['callback-qr']), so a file without pairings loads as before.
  if (raw.pairings !== undefined) lane.pairings = pairings.pairings;
  if (pairings.qrSource) lane.qrSource = pairings.qrSource;
  if (raw.qrCategory !== undefined) lane.qrCategory = raw.qrCategory as QrCategory;
  return Object.freeze(lane);
}
