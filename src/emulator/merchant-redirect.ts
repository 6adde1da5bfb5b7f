// QR API v1, merchant-redirect codes (vippsas/vipps-qr-api docs/swagger.yaml @ dd5fa2a, Oct 2024): a static
// code that opens the merchant's web page. POST creates, GET lists or reads one, PUT changes `redirectUrl`,
// DELETE removes; `ttl` (≥ 300 s) deletes a code by itself. Unlike merchant-callback codes, the image choice is
// made by headers: `Accept` (required) image/* or image/svg+xml ⇒ an SVG URL, image/png ⇒ a PNG URL, sized by
// `Size` (100-2000, default 800 as the QR guide says), text/targetUrl ⇒ the code's content instead of an image.
// Errors use QrErrorResponse; an unsupported Accept is 415, as the spec lists. The code's content is this
// emulator's `/qr-redirect/{owner}/{id}`, which answers 302 to the current `redirectUrl` (a real code holds a
// qr.vipps.no URL that does the same), so a changed URL needs no reprint. Images and that redirect need no auth.
import { createHash } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { baseUrlOf, type EmulatorContext } from './context';
import { isObject } from './control-problem';
import { apiErrorHandler, EmulatedApiError, notFound, qrErrorBody } from './problem';
import { qrImageHandler } from './qr-image';
import { qrKey, type MerchantRedirectQr } from './state';
import { requireAuth } from './tokens';

const BASE = '/qr/v1/merchant-redirect';
const DEFAULT_SIZE = 800;
const ID = /^[-_+%æøåÆØÅ\w\s]*$/;
// The spec's pattern for redirectUrl; the emulator also takes http:// on a loopback host (a sandbox on a laptop).
const HTTPS_URL = /^https:\/\/[\w.]+([\w#!:.?+=&%@\-/]+)?$/;
const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?([\w#!:.?+=&%@\-/]+)?$/;
const MAX_TTL = 2_147_483_647;

export type Shown =
  | { readonly kind: 'image'; readonly format: 'png' | 'svg'; readonly size: number }
  | {
      readonly kind: 'target';
    };

/** `Accept` and `Size` (spec: both headers) → what the `url` field holds. */
export function shownAs(req: Request): Shown {
  const accept = (req.get('Accept') ?? '').trim().toLowerCase();
  const rawSize = req.get('Size');
  const size = rawSize === undefined ? DEFAULT_SIZE : Number(rawSize);
  if (rawSize !== undefined && (!/^\d+$/.test(rawSize.trim()) || size < 100 || size > 2000))
    throw invalid('Size', 'The Size header must be an integer from 100 to 2000.');
  if (accept === 'text/targeturl') return { kind: 'target' };
  if (accept === 'image/png') return { kind: 'image', format: 'png', size };
  if (accept === 'image/*' || accept === 'image/svg+xml') return { kind: 'image', format: 'svg', size };
  throw new EmulatedApiError(
    415,
    'Unsupported Media Type',
    'The Accept header must be one of image/*, image/png, image/svg+xml, text/targetUrl.',
  );
}

function invalid(name: string, reason: string): EmulatedApiError {
  return new EmulatedApiError(400, 'One or more validation errors occurred.', 'BadRequest', [
    { name, reason },
  ]);
}

/**
 * Whose codes these are: the Merchant-Serial-Number (the header is optional for merchant-redirect), else the
 * API keys' own, named by a hash of the subscription key (the key itself never goes into a code or URL).
 */
function ownerOf(req: Request): string {
  const msn = req.get('Merchant-Serial-Number');
  if (msn) return msn;
  const key = req.get('Ocp-Apim-Subscription-Key') ?? '';
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function checkRedirectUrl(value: unknown): string {
  if (typeof value !== 'string' || !(HTTPS_URL.test(value) || LOOPBACK_URL.test(value)))
    throw invalid(
      'RedirectUrl',
      "The field RedirectUrl must match the regular expression '^https://[\\w\\.]+([\\w#!:.?+=&%@\\-/]+)?$'.",
    );
  return value;
}

/** The code, unless missing or past its `ttl` (then it is gone for good, as the spec's ttl says). */
function live(ctx: EmulatorContext, owner: string, id: string): MerchantRedirectQr | undefined {
  const key = qrKey(owner, id);
  const qr = ctx.state.redirectQrs.get(key);
  if (qr?.expiresAt !== undefined && ctx.clock.now().getTime() >= qr.expiresAt) {
    ctx.state.redirectQrs.delete(key);
    return undefined;
  }
  return qr;
}

function find(ctx: EmulatorContext, req: Request, id: string): MerchantRedirectQr {
  const qr = live(ctx, ownerOf(req), id);
  if (!qr) throw new EmulatedApiError(404, 'Not Found', `No merchant redirect QR '${id}'.`);
  return qr;
}

function view(ctx: EmulatorContext, req: Request, qr: MerchantRedirectQr, shown: Shown): object {
  const path = (format: string): string =>
    `/qr-images/redirect/${encodeURIComponent(qr.owner)}/${encodeURIComponent(qr.id)}.${format}`;
  const url =
    shown.kind === 'target'
      ? qr.qrContent
      : `${baseUrlOf(ctx, req)}${path(shown.format)}${shown.format === 'png' ? `?size=${shown.size}` : ''}`;
  const expiresIn =
    qr.expiresAt === undefined
      ? -1
      : Math.max(0, Math.ceil((qr.expiresAt - ctx.clock.now().getTime()) / 1000));
  return { id: qr.id, url, redirectUrl: qr.redirectUrl, expiresIn };
}

export function merchantRedirectRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.use(BASE, express.json({ limit: '10kb' }), requireAuth(ctx, { msn: 'optional' }));

  router.post(BASE, (req, res) => {
    const shown = shownAs(req);
    const body: unknown = req.body;
    if (!isObject(body)) throw invalid('body', 'The request body must be a JSON object.');
    const { id, ttl } = body;
    if (typeof id !== 'string' || id.length < 1 || id.length > 128 || !ID.test(id))
      throw invalid('Id', 'The field Id is required: 1-128 characters of letters, digits, space and -_+%.');
    const redirectUrl = checkRedirectUrl(body['redirectUrl']);
    if (
      ttl !== undefined &&
      ttl !== null &&
      (!Number.isInteger(ttl) || (ttl as number) < 300 || (ttl as number) > MAX_TTL)
    )
      throw invalid('Ttl', `The field Ttl must be an integer from 300 to ${MAX_TTL} (seconds).`);
    const owner = ownerOf(req);
    if (live(ctx, owner, id)) {
      res.status(409).json({ id });
      return;
    }
    const qr: MerchantRedirectQr = {
      owner,
      id,
      redirectUrl,
      qrContent: `${baseUrlOf(ctx, req)}/qr-redirect/${encodeURIComponent(owner)}/${encodeURIComponent(id)}`,
      ...(typeof ttl === 'number' ? { expiresAt: ctx.clock.now().getTime() + ttl * 1000 } : {}),
    };
    ctx.state.redirectQrs.set(qrKey(owner, id), qr);
    res.status(200).json(view(ctx, req, qr, shown));
  });

  router.get(BASE, (req, res) => {
    const shown = shownAs(req);
    const owner = ownerOf(req);
    const mine = [...ctx.state.redirectQrs.values()].filter((q) => q.owner === owner);
    res.json(mine.filter((q) => live(ctx, owner, q.id)).map((q) => view(ctx, req, q, shown)));
  });

  router.get(`${BASE}/:id`, (req, res) => {
    const shown = shownAs(req);
    res.json(view(ctx, req, find(ctx, req, req.params.id), shown));
  });

  router.put(`${BASE}/:id`, (req, res) => {
    const shown = shownAs(req);
    const qr = find(ctx, req, req.params.id);
    const body: unknown = req.body;
    if (!isObject(body)) throw invalid('body', 'The request body must be a JSON object.');
    // The code and its image stay the same; only where it leads changes, at once.
    qr.redirectUrl = checkRedirectUrl(body['redirectUrl']);
    res.json(view(ctx, req, qr, shown));
  });

  router.delete(`${BASE}/:id`, (req, res) => {
    const qr = find(ctx, req, req.params.id);
    ctx.state.redirectQrs.delete(qrKey(qr.owner, qr.id));
    res.status(200).end();
  });

  router.use(BASE, notFound, apiErrorHandler(qrErrorBody, ctx.logger));
  return router;
}

/**
 * No auth, as real image URLs and codes: `GET /qr-images/redirect/{owner}/{id}.{png|svg}?size=N` (the image)
 * and `GET /qr-redirect/{owner}/{id}` (what a phone camera opens: 302 to the code's current redirectUrl).
 */
export function redirectQrPublicRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.get(
    '/qr-images/redirect/:owner/:file',
    qrImageHandler((req, id) => live(ctx, String(req.params['owner']), id), DEFAULT_SIZE),
  );
  router.get('/qr-redirect/:owner/:id', (req, res) => {
    const qr = live(ctx, req.params.owner, req.params.id);
    if (!qr) {
      res.status(404).type('text/plain').send('This QR code no longer exists.\n');
      return;
    }
    res.redirect(302, qr.redirectUrl);
  });
  return router;
}
