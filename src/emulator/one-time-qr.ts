// QR API v1, one-time payment QR (vippsas/vipps-qr-api docs/swagger.yaml; the SDK's OneTimePaymentQrRequest /
// OneTimePaymentQrResponse): `POST /qr/v1/` {url} → 200 {url, expiresIn}, the image (or, for Accept
// text/targetUrl, the code's text) of a QR that opens `url` — "the Vipps landing page URL obtained from the
// eCom/Recurring APIs" — valid for 5 minutes. Accept and Size headers as for merchant-redirect codes.
// The emulator cannot tell an eCom landing page from any other https URL, so it takes any; whether Vipps takes
// an ePayment redirectUrl here is not documented (the gateway does not use this endpoint for ePayment payments:
// ePayment has `userFlow: QR`, see README "Pairings"). The image answers 410 once the code has expired.
import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import { baseUrlOf, type EmulatorContext } from './context';
import { shownAs } from './merchant-redirect';
import { apiErrorHandler, EmulatedApiError, qrErrorBody } from './problem';
import { qrImageHandler } from './qr-image';
import { requireAuth } from './tokens';

const PATH = '/qr/v1/';
/** The QR guide: a one-time code "will only be valid for 5 minutes". */
const LIFETIME_MS = 5 * 60_000;
const URL_PATTERN = /^https:\/\/\S+$/;

interface OneTimeQr {
  readonly content: string;
  readonly expiresAt: number;
}

// Short-lived by nature: kept per emulator in memory, not in the state file.
const codesByContext = new WeakMap<EmulatorContext, Map<string, OneTimeQr>>();

function codesOf(ctx: EmulatorContext): Map<string, OneTimeQr> {
  let codes = codesByContext.get(ctx);
  if (!codes) codesByContext.set(ctx, (codes = new Map()));
  return codes;
}

export function oneTimeQrRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.post(PATH, express.json({ limit: '10kb' }), requireAuth(ctx, { msn: 'optional' }), (req, res) => {
    const shown = shownAs(req);
    const url = (req.body as Record<string, unknown> | undefined)?.['url'];
    if (typeof url !== 'string' || !URL_PATTERN.test(url) || !URL.canParse(url))
      throw new EmulatedApiError(400, 'One or more validation errors occurred.', 'BadRequest', [
        { name: 'url', reason: 'url is required: the https URL of the payment to open.' },
      ]);
    const now = ctx.clock.now().getTime();
    const codes = codesOf(ctx);
    for (const [id, code] of codes) if (code.expiresAt <= now) codes.delete(id);
    const id = randomBytes(12).toString('hex');
    codes.set(id, { content: url, expiresAt: now + LIFETIME_MS });
    const imageUrl =
      shown.kind === 'target'
        ? url
        : `${baseUrlOf(ctx, req)}/qr-images/one-time/${id}/qr.${shown.format}?size=${shown.size}`;
    res.status(200).json({ url: imageUrl, expiresIn: LIFETIME_MS / 1000 });
  });
  router.use(PATH, apiErrorHandler(qrErrorBody, ctx.logger));

  router.get(
    '/qr-images/one-time/:id/:file',
    qrImageHandler((req, name) => {
      const code = name === 'qr' ? codesOf(ctx).get(String(req.params['id'])) : undefined;
      if (!code) return undefined;
      if (ctx.clock.now().getTime() >= code.expiresAt) return { gone: 'This one-time QR code has expired.' };
      return { qrContent: code.content };
    }, 800),
  );
  return router;
}
