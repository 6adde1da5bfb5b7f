// QR API merchant-redirect request factories (vippsas/vipps-qr-api docs/swagger.yaml @ dd5fa2a, Oct 2024): a
// static code that opens a web page; the gateway's redirect-qr lanes point theirs at PUBLIC_BASE_URL/pay/{laneId}.
// Unlike merchant-callback codes, the image is chosen by headers: `Accept` (required on create, read, list and
// update) and `Size`; `text/targetUrl` answers the code's content in `url` instead of an image link.
import { checkMsn, checkQrSize, invalid } from './input-checks';
import { bodyOf, ignoreBody, segment } from './request';
import type { VippsRequest } from './request';
import { array, integer, nonEmptyString, object, optional } from './validate';
import type { Validator } from './validate';

const BASE = '/qr/v1/merchant-redirect';
const ID = /^[-_+%æøåÆØÅ\w\s]{1,128}$/;

export interface MerchantRedirectQr {
  readonly id: string;
  /** A link to the image (no auth), or with `accept: 'text/targetUrl'` the text inside the code. */
  readonly url: string;
  readonly redirectUrl: string;
  /** Seconds until the code is deleted by its ttl; -1 = never. */
  readonly expiresIn?: number;
}

const merchantRedirectQr: Validator<MerchantRedirectQr> = object({
  id: nonEmptyString,
  url: nonEmptyString,
  redirectUrl: nonEmptyString,
  expiresIn: optional(integer),
});

export type RedirectQrAccept = 'image/svg+xml' | 'image/png' | 'text/targetUrl';

export interface RedirectQrShow {
  /** Default image/svg+xml. */
  readonly accept?: RedirectQrAccept;
  /** PNG pixels, 100-2000 (Vipps's default 800). */
  readonly size?: number;
}

export interface RedirectQrRef {
  readonly msn: string;
  readonly id: string;
}

export interface CreateRedirectQrInput extends RedirectQrRef, RedirectQrShow {
  readonly redirectUrl: string;
  /** Seconds, at least 300; absent = the code never expires. */
  readonly ttl?: number;
}

/** 200 with the code; 409 `{id}` when the id exists (then update it instead). */
export function createMerchantRedirectQr(input: CreateRedirectQrInput): VippsRequest<MerchantRedirectQr> {
  const op = 'qr.redirect.create';
  if (input.ttl !== undefined && (!Number.isInteger(input.ttl) || input.ttl < 300))
    throw invalid(op, 'ttl', 'an integer of at least 300 seconds');
  return {
    ...call(op, 'POST', BASE, input.msn, input),
    body: {
      id: checkId(op, input.id),
      redirectUrl: input.redirectUrl,
      ...(input.ttl === undefined ? {} : { ttl: input.ttl }),
    },
    parse: bodyOf(merchantRedirectQr),
  };
}

export function getMerchantRedirectQr(
  input: RedirectQrRef & RedirectQrShow,
): VippsRequest<MerchantRedirectQr> {
  const op = 'qr.redirect.get';
  return { ...call(op, 'GET', idPath(op, input.id), input.msn, input), parse: bodyOf(merchantRedirectQr) };
}

export function listMerchantRedirectQrs(
  input: { readonly msn: string } & RedirectQrShow,
): VippsRequest<MerchantRedirectQr[]> {
  const op = 'qr.redirect.list';
  return { ...call(op, 'GET', BASE, input.msn, input), parse: bodyOf(array(merchantRedirectQr)) };
}

/** Changes where the code leads, at once; the code and its image stay the same. */
export function updateMerchantRedirectQr(
  input: RedirectQrRef & RedirectQrShow & { readonly redirectUrl: string },
): VippsRequest<MerchantRedirectQr> {
  const op = 'qr.redirect.update';
  return {
    ...call(op, 'PUT', idPath(op, input.id), input.msn, input),
    body: { redirectUrl: input.redirectUrl },
    parse: bodyOf(merchantRedirectQr),
  };
}

/** A printed copy of a deleted code never works again, even if the id is created anew. */
export function deleteMerchantRedirectQr(input: RedirectQrRef): VippsRequest<void> {
  const op = 'qr.redirect.delete';
  return {
    operation: op,
    method: 'DELETE',
    path: idPath(op, input.id),
    msn: checkMsn(op, input.msn),
    auth: 'bearer',
    expect: [200, 204],
    parse: ignoreBody,
  };
}

function call(
  op: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  msn: string,
  show: RedirectQrShow,
): Omit<VippsRequest<never>, 'parse'> {
  return {
    operation: op,
    method,
    path,
    msn: checkMsn(op, msn),
    headers: showHeaders(op, show),
    auth: 'bearer',
    expect: [200],
  };
}

function showHeaders(op: string, show: RedirectQrShow): Record<string, string> {
  const accept = show.accept ?? 'image/svg+xml';
  if (show.size === undefined) return { Accept: accept };
  if (accept !== 'image/png') throw invalid(op, 'size', 'used with accept image/png only');
  return { Accept: accept, Size: String(checkQrSize(op, show.size)) };
}

function checkId(op: string, id: string): string {
  if (!ID.test(id)) throw invalid(op, 'id', '1-128 characters of letters, digits, space and -_+%');
  return id;
}

function idPath(op: string, id: string): string {
  return `${BASE}/${segment(checkId(op, id))}`;
}
