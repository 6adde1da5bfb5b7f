// QR API v1, merchant callback codes (vipps-protocol.md §4): PUT/GET/DELETE one, list, with the image
// parameters `QrImageFormat` (PNG|SVG, default SVG) and `QrImageSize` (100-2000). Errors use QrErrorResponse.
// The image itself is served without auth from /qr-images (real `qrImageUrl`s need none either).
import express, { type Request, type Router } from 'express';
import { baseUrlOf, type EmulatorContext } from './context';
import { apiErrorHandler, EmulatedApiError, notFound, qrErrorBody } from './problem';
import { merchantRedirectRouter, redirectQrPublicRouter } from './merchant-redirect';
import { qrImageHandler } from './qr-image';
import { qrKey, type MerchantCallbackQr } from './state';
import { msnOf, requireAuth } from './tokens';

const BASE = '/qr/v1/merchant-callback';
const CATEGORIES = ['IN_STORE', 'VENDING'];
const DEFAULT_PNG_SIZE = 600;

/**
 * What the code encodes. Real codes hold a `qr.vipps.no` URL; this one is stable per (MSN, merchantQrId) and
 * unique, which is all a scanner-side test needs (the app, not the merchant, resolves it).
 */
export function qrContentFor(msn: string, merchantQrId: string): string {
  return `https://qr.vipps.no/28/2/05/031/${encodeURIComponent(msn)}-${encodeURIComponent(merchantQrId)}`;
}

interface ImageParams {
  readonly format: 'png' | 'svg';
  readonly size: number;
}

function imageParams(req: Request): ImageParams {
  const format = String(req.query['QrImageFormat'] ?? 'SVG').toUpperCase();
  if (format !== 'PNG' && format !== 'SVG')
    throw qrInvalid('QrImageFormat', 'QrImageFormat must be PNG or SVG.');
  const rawSize = req.query['QrImageSize'];
  const size = rawSize === undefined ? DEFAULT_PNG_SIZE : Number(rawSize);
  if (!Number.isInteger(size) || size < 100 || size > 2000)
    throw qrInvalid('QrImageSize', 'QrImageSize must be an integer from 100 to 2000.');
  return { format: format === 'PNG' ? 'png' : 'svg', size };
}

function qrInvalid(name: string, reason: string): EmulatedApiError {
  return new EmulatedApiError(400, 'Invalid request', reason, [{ name, reason }]);
}

function view(ctx: EmulatorContext, req: Request, qr: MerchantCallbackQr, image: ImageParams): object {
  const path = `/qr-images/${encodeURIComponent(qr.msn)}/${encodeURIComponent(qr.merchantQrId)}.${image.format}`;
  return {
    merchantSerialNumber: qr.msn,
    merchantQrId: qr.merchantQrId,
    locationDescription: qr.locationDescription,
    ...(qr.category ? { category: qr.category } : {}),
    qrImageUrl: `${baseUrlOf(ctx, req)}${path}?size=${image.size}`,
    qrContent: qr.qrContent,
  };
}

function find(ctx: EmulatorContext, req: Request, merchantQrId: string): MerchantCallbackQr {
  const qr = ctx.state.qrs.get(qrKey(msnOf(req), merchantQrId));
  if (!qr)
    throw new EmulatedApiError(404, 'Not Found', `No merchant callback QR '${merchantQrId}' for this MSN.`);
  return qr;
}

export function qrRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.use(BASE, express.json({ limit: '10kb' }), requireAuth(ctx, { msn: 'required' }));

  router.put(`${BASE}/:merchantQrId`, (req, res) => {
    const id = req.params.merchantQrId;
    if (id.length > 128) throw qrInvalid('merchantQrId', 'merchantQrId must be at most 128 characters.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const description = body['locationDescription'];
    if (typeof description !== 'string' || description.trim() === '' || description.length > 36)
      throw qrInvalid('locationDescription', 'locationDescription is required, at most 36 characters.');
    const category = body['category'];
    if (category !== undefined && !CATEGORIES.includes(category as string))
      throw qrInvalid('category', `category must be one of ${CATEGORIES.join(', ')}.`);
    const key = qrKey(msnOf(req), id);
    const existing = ctx.state.qrs.get(key);
    // A re-PUT only updates the description (and category); the code and its content never change.
    const qr: MerchantCallbackQr = existing ?? {
      msn: msnOf(req),
      merchantQrId: id,
      locationDescription: description,
      qrContent: qrContentFor(msnOf(req), id),
    };
    qr.locationDescription = description;
    if (typeof category === 'string') qr.category = category;
    ctx.state.qrs.set(key, qr);
    res.status(200).end();
  });

  router.get(BASE, (req, res) => {
    const image = imageParams(req);
    const msn = msnOf(req);
    res.json([...ctx.state.qrs.values()].filter((q) => q.msn === msn).map((q) => view(ctx, req, q, image)));
  });

  router.get(`${BASE}/:merchantQrId`, (req, res) => {
    const image = imageParams(req);
    res.json(view(ctx, req, find(ctx, req, req.params.merchantQrId), image));
  });

  router.delete(`${BASE}/:merchantQrId`, (req, res) => {
    const qr = find(ctx, req, req.params.merchantQrId);
    ctx.state.qrs.delete(qrKey(qr.msn, qr.merchantQrId));
    res.status(200).end();
  });

  router.use(BASE, notFound, apiErrorHandler(qrErrorBody, ctx.logger));
  router.use(merchantRedirectRouter(ctx));
  return router;
}

/** `GET /qr-images/{msn}/{merchantQrId}.{png|svg}?size=N`: a real QR code of `qrContent`, no auth. */
export function qrImageRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.get(
    '/qr-images/:msn/:file',
    qrImageHandler((req, id) => ctx.state.qrs.get(qrKey(String(req.params['msn']), id)), DEFAULT_PNG_SIZE),
  );
  router.use(redirectQrPublicRouter(ctx));
  return router;
}
