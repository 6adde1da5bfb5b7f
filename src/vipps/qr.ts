// QR API merchant-callback request factories (vipps-protocol.md §4). A scan of one of these codes makes Vipps
// send `user.checked-in.v1` to our webhook; the MSN header is required on every call.
import { checkMsn, checkQrSize, checkText, invalid } from './input-checks';
import { bodyOf, ignoreBody, segment } from './request';
import type { VippsRequest } from './request';
import { array, nonEmptyString, object, optional, string } from './validate';
import type { Validator } from './validate';

const BASE = '/qr/v1/merchant-callback';

export interface MerchantCallbackQr {
  readonly merchantSerialNumber: string;
  readonly merchantQrId: string;
  readonly locationDescription: string;
  /** Needs no auth; may change over time, so re-fetch rather than cache forever (§4). */
  readonly qrImageUrl: string;
  /** The text inside the code (a qr.vipps.no URL). */
  readonly qrContent: string;
  /** IN_STORE (the default when absent) or VENDING, as set by the last PUT. */
  readonly category?: string | undefined;
}

/** The QR API's merchant-callback categories ([KIT] 2026; newer than the Oct 2024 spec): the app's wording. */
export const QR_CATEGORIES = ['IN_STORE', 'VENDING'] as const;
export type QrCategory = (typeof QR_CATEGORIES)[number];

const merchantCallbackQr: Validator<MerchantCallbackQr> = object({
  merchantSerialNumber: nonEmptyString,
  merchantQrId: nonEmptyString,
  locationDescription: string,
  qrImageUrl: nonEmptyString,
  qrContent: nonEmptyString,
  category: optional(string),
});

export interface QrRef {
  readonly msn: string;
  readonly merchantQrId: string;
}

export interface PutQrInput extends QrRef {
  /** Shown to the customer, at most 36 characters. */
  readonly locationDescription: string;
  /** Newer than the Oct 2024 spec ([KIT] 2026): changes the app's wording; sent only when set. */
  readonly category?: QrCategory;
}

/** Creates the code or updates its description; the image never changes after creation (§4). */
export function putMerchantCallbackQr(input: PutQrInput): VippsRequest<void> {
  const op = 'qr.put';
  return {
    operation: op,
    method: 'PUT',
    path: qrPath(op, input.merchantQrId),
    msn: checkMsn(op, input.msn),
    auth: 'bearer',
    body: {
      locationDescription: checkText(op, 'locationDescription', input.locationDescription, 1, 36),
      ...(input.category === undefined ? {} : { category: input.category }),
    },
    // The spec says 200 with no body; nothing in a body would be used, so other 2xx forms are accepted too.
    expect: [200, 201, 204],
    parse: ignoreBody,
  };
}

export interface QrImageOptions {
  /** Vipps defaults to SVG when absent. */
  readonly format?: 'PNG' | 'SVG';
  /** Pixels, 100-2000, PNG only. */
  readonly size?: number;
}

// §4 / §9.6: the 2024 spec uses query parameters, not the Accept/Size headers of the 2023 guide.
export function getMerchantCallbackQr(input: QrRef & QrImageOptions): VippsRequest<MerchantCallbackQr> {
  const op = 'qr.get';
  return {
    operation: op,
    method: 'GET',
    path: qrPath(op, input.merchantQrId),
    query: imageQuery(op, input),
    msn: checkMsn(op, input.msn),
    auth: 'bearer',
    expect: [200],
    parse: bodyOf(merchantCallbackQr),
  };
}

export function listMerchantCallbackQrs(
  input: { readonly msn: string } & QrImageOptions,
): VippsRequest<MerchantCallbackQr[]> {
  const op = 'qr.list';
  return {
    operation: op,
    method: 'GET',
    path: BASE,
    query: imageQuery(op, input),
    msn: checkMsn(op, input.msn),
    auth: 'bearer',
    expect: [200],
    parse: bodyOf(array(merchantCallbackQr)),
  };
}

/** A scan of a deleted code tells the customer "not found" instead of leaving them waiting (§4). */
export function deleteMerchantCallbackQr(input: QrRef): VippsRequest<void> {
  const op = 'qr.delete';
  return {
    operation: op,
    method: 'DELETE',
    path: qrPath(op, input.merchantQrId),
    msn: checkMsn(op, input.msn),
    auth: 'bearer',
    expect: [200, 204],
    parse: ignoreBody,
  };
}

function qrPath(op: string, merchantQrId: string): string {
  if (merchantQrId === '') throw invalid(op, 'merchantQrId', 'a non-empty id');
  return `${BASE}/${segment(merchantQrId)}`;
}

function imageQuery(op: string, o: QrImageOptions): Record<string, string> {
  const query: Record<string, string> = {};
  if (o.format !== undefined) {
    if (o.format !== 'PNG' && o.format !== 'SVG') throw invalid(op, 'format', 'PNG or SVG');
    query['QrImageFormat'] = o.format;
  }
  if (o.size !== undefined) {
    if (o.format !== 'PNG') throw invalid(op, 'size', 'used with format PNG only');
    query['QrImageSize'] = String(checkQrSize(op, o.size));
  }
  return query;
}
