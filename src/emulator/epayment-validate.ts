// Validation of ePayment request bodies (vipps-protocol.md §6.1, §6.4, §6.6). Pure: body in, typed request
// out, or an EmulatedApiError with the status and ErrorCode real Vipps gives. Malformed fields get a 400 naming
// the field and no code; domain rules get their numeric code.
import { type EpaymentQrFormat, validateQrFormat } from './payment-qr';
import { EmulatedApiError } from './problem';
import type { Currency, Money } from './state';

export const REFERENCE_PATTERN = /^[a-zA-Z0-9-]{8,50}$/;
const MIN_AMOUNT: Record<Currency, number> = { NOK: 100, DKK: 1, EUR: 1 };
const MAX_AMOUNT = 65_000_000;
const USER_FLOWS = ['PUSH_MESSAGE', 'NATIVE_REDIRECT', 'WEB_REDIRECT', 'QR'] as const;
const INTERACTIONS = ['CUSTOMER_PRESENT', 'CUSTOMER_NOT_PRESENT'];

export interface CreateRequest {
  readonly reference: string;
  readonly amount: Money;
  readonly paymentMethodType: 'WALLET' | 'CARD';
  readonly userFlow: (typeof USER_FLOWS)[number];
  readonly customer?:
    | { readonly kind: 'customerToken'; readonly value: string }
    | { readonly kind: 'phoneNumber'; readonly value: string }
    | { readonly kind: 'personalQr'; readonly value: string };
  readonly returnUrl?: string;
  readonly metadata?: Record<string, string>;
  /** userFlow QR: the image the create's redirectUrl points at (payment-qr.ts). */
  readonly qrFormat?: EpaymentQrFormat;
  readonly customerInteraction?: string;
  readonly paymentDescription?: string;
  /** A long-living payment's own expiry (epoch ms): it replaces the 5 + 5 minutes user timeout. */
  readonly expiresAt?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const coded = (code: string, title: string, detail: string): EmulatedApiError =>
  EmulatedApiError.coded(400, code, title, detail);

export function validateIdempotencyKey(key: string | undefined): string {
  if (!key) throw EmulatedApiError.field('Idempotency-Key', 'The Idempotency-Key header is required.');
  if (key.length > 50)
    throw EmulatedApiError.field(
      'Idempotency-Key',
      'The Idempotency-Key header must be at most 50 characters.',
    );
  return key;
}

export function validateReference(reference: unknown): string {
  if (reference === undefined || reference === null)
    throw EmulatedApiError.field('reference', 'The Reference field is required.');
  if (typeof reference !== 'string' || !REFERENCE_PATTERN.test(reference))
    throw EmulatedApiError.field(
      'reference',
      `The field Reference must match the regular expression '${REFERENCE_PATTERN.source}'.`,
    );
  return reference;
}

/** `{currency, value}` in minor units; `minimum` is the per-currency floor for create, 1 for modifications. */
export function validateMoney(v: unknown, field: string, minimum: 'create' | 'modification'): Money {
  if (!isObject(v)) throw EmulatedApiError.field(field, `The ${field} field is required.`);
  const { currency, value } = v;
  if (typeof currency !== 'string' || !(currency in MIN_AMOUNT))
    throw coded('5040', 'Invalid currency for merchant', 'Currency must be one of NOK, DKK, EUR.');
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw EmulatedApiError.field(`${field}.value`, 'The value must be an integer in minor units.');
  if (!Number.isInteger(value) || value > MAX_AMOUNT)
    throw coded('4040', 'Invalid amount', `Amounts are integers in minor units, at most ${MAX_AMOUNT}.`);
  const min = minimum === 'create' ? MIN_AMOUNT[currency as Currency] : 1;
  if (value < min)
    throw coded('6010', 'Amount too small', `The amount is too small. The minimum is ${min} (minor units).`);
  return { currency: currency as Currency, value };
}

function validateCustomer(v: unknown): CreateRequest['customer'] {
  if (v === undefined) return undefined;
  const keys = isObject(v) ? Object.keys(v).filter((k) => v[k] !== undefined && v[k] !== null) : [];
  if (!isObject(v) || keys.length !== 1)
    throw EmulatedApiError.field(
      'customer',
      'Exactly one of phoneNumber, personalQr or customerToken is required.',
    );
  const value = v[keys[0] as string];
  switch (keys[0]) {
    case 'phoneNumber':
      if (typeof value !== 'string' || !/^\d{10,15}$/.test(value))
        throw coded('4070', 'Invalid phone number', 'Use country code and number, digits only (10-15).');
      return { kind: 'phoneNumber', value };
    case 'personalQr':
      if (typeof value !== 'string' || value.length < 5 || value.length > 255)
        throw coded('4060', 'Invalid PersonalQr', 'The parameter PersonalQr is invalid.');
      return { kind: 'personalQr', value };
    case 'customerToken':
      if (typeof value !== 'string' || value === '')
        throw coded('4050', 'Invalid CustomerToken', 'The parameter CustomerToken is invalid.');
      return { kind: 'customerToken', value };
    default:
      throw EmulatedApiError.field('customer', `Unknown customer field '${keys[0]}'.`);
  }
}

function validateMetadata(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw EmulatedApiError.field('metadata', 'metadata must be an object of strings.');
  const entries = Object.entries(v);
  if (entries.length > 5) throw coded('4100', 'Metadata capacity exceeded', 'At most 5 metadata entries.');
  for (const [k, value] of entries) {
    if (k.length > 100)
      throw coded('4120', 'Metadata key length exceeded', 'Keys are at most 100 characters.');
    if (typeof value !== 'string' || value.length > 500)
      throw coded('4130', 'Metadata value length exceeded', 'Values are strings of at most 500 characters.');
  }
  return v as Record<string, string>;
}

// `expiresAt` as the ePayment spec has it (@vippsmobilepay/sdk generated_types/epayment CreatePaymentRequest):
// RFC 3339, "more than 10 minutes and less than 60 days in the future", "only combined with userFlow
// PUSH_MESSAGE or QR", and "if ExpiresAt is set, receipt also must be set"; the codes are the published ones
// (6110 too late, 6120 too soon, 6130 receipt required).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const MIN_EXPIRY_MS = 10 * 60_000;
const MAX_EXPIRY_MS = 60 * 24 * 60 * 60_000;

function validateExpiresAt(body: Json, flow: CreateRequest['userFlow'], nowMs: number): number | undefined {
  const v = body['expiresAt'];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v)))
    throw EmulatedApiError.field('expiresAt', 'The field ExpiresAt must be an RFC 3339 date and time.');
  if (flow !== 'PUSH_MESSAGE' && flow !== 'QR')
    throw EmulatedApiError.field(
      'expiresAt',
      'ExpiresAt can only be combined with userFlow PUSH_MESSAGE or QR.',
    );
  if (body['receipt'] === undefined || body['receipt'] === null)
    throw coded(
      '6130',
      'Long living payments require a receipt',
      'When expiresAt is set, receipt must be set.',
    );
  const at = Date.parse(v);
  if (at - nowMs <= MIN_EXPIRY_MS)
    throw coded(
      '6120',
      'Expiration date is too soon',
      'expiresAt must be more than 10 minutes in the future.',
    );
  if (at - nowMs >= MAX_EXPIRY_MS)
    throw coded('6110', 'Expiration date is too late', 'expiresAt must be less than 60 days in the future.');
  return at;
}

/** `nowMs`: the emulator's clock, against which `expiresAt` is checked. */
export function validateCreate(body: unknown, nowMs: number = Date.now()): CreateRequest {
  if (!isObject(body)) throw EmulatedApiError.field('body', 'The request body must be a JSON object.');
  const reference = validateReference(body['reference']);
  const amount = validateMoney(body['amount'], 'amount', 'create');
  const method = isObject(body['paymentMethod']) ? body['paymentMethod']['type'] : undefined;
  if (method !== 'WALLET' && method !== 'CARD')
    throw EmulatedApiError.field('paymentMethod.type', "The field Type must be 'WALLET' or 'CARD'.");
  const userFlow = body['userFlow'];
  if (typeof userFlow !== 'string' || !(USER_FLOWS as readonly string[]).includes(userFlow))
    throw EmulatedApiError.field('userFlow', `The field UserFlow must be one of ${USER_FLOWS.join(', ')}.`);
  const flow = userFlow as CreateRequest['userFlow'];
  if (method === 'CARD' && flow !== 'WEB_REDIRECT')
    throw EmulatedApiError.field('paymentMethod.type', 'CARD is only available with userFlow WEB_REDIRECT.');
  const customer = validateCustomer(body['customer']);
  if (flow === 'PUSH_MESSAGE' && !customer)
    throw coded('4140', 'Missing required parameter', 'customer is required when userFlow is PUSH_MESSAGE.');
  const returnUrl = body['returnUrl'];
  if ((flow === 'WEB_REDIRECT' || flow === 'NATIVE_REDIRECT') && returnUrl === undefined)
    throw coded('4140', 'Missing required parameter', `returnUrl is required when userFlow is ${flow}.`);
  if (returnUrl !== undefined && (typeof returnUrl !== 'string' || !URL.canParse(returnUrl)))
    throw coded('4090', 'Invalid URL', 'returnUrl must be a valid URL.');
  const interaction = body['customerInteraction'];
  if (interaction !== undefined && !INTERACTIONS.includes(interaction as string))
    throw EmulatedApiError.field('customerInteraction', `Must be one of ${INTERACTIONS.join(', ')}.`);
  const description = body['paymentDescription'];
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length < 3 || description.length > 100)
  )
    throw EmulatedApiError.field('paymentDescription', 'paymentDescription must be 3-100 characters.');
  const expiresAt = validateExpiresAt(body, flow, nowMs);
  const metadata = validateMetadata(body['metadata']);
  const qrFormat = validateQrFormat(body['qrFormat'], flow);
  return {
    reference,
    amount,
    paymentMethodType: method,
    userFlow: flow,
    ...(customer ? { customer } : {}),
    ...(typeof returnUrl === 'string' ? { returnUrl } : {}),
    ...(metadata ? { metadata } : {}),
    ...(qrFormat ? { qrFormat } : {}),
    ...(typeof interaction === 'string' ? { customerInteraction: interaction } : {}),
    ...(typeof description === 'string' ? { paymentDescription: description } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** `{modificationAmount: {currency, value}}` of capture and refund. */
export function validateModification(body: unknown): Money {
  if (!isObject(body)) throw EmulatedApiError.field('body', 'The request body must be a JSON object.');
  return validateMoney(body['modificationAmount'], 'modificationAmount', 'modification');
}
