// ePayment `userFlow: QR` (issue 16; developer.vippsmobilepay.com, ePayment "QR payments"): the create answers
// with a `redirectUrl` that points at the payment's one-time QR in the `qrFormat` asked for — an image
// (`IMAGE/SVG+XML`, `IMAGE/PNG`, `size` 100–2000 px) or, for `TEXT/TARGETURL`, the text the code holds. Here
// the code holds the payment's landing page, so a browser (or a test) can "scan" it; a simulated customer
// scans it through the control API (customers.ts). Images need no auth, as real ones.
import express, { type Router } from 'express';
import { baseUrlOf, type EmulatorContext } from './context';
import { EmulatedApiError } from './problem';
import { qrImageHandler } from './qr-image';
import { paymentKey } from './state';

export const QR_FORMATS = ['IMAGE/SVG+XML', 'IMAGE/PNG', 'TEXT/TARGETURL'] as const;
export type EpaymentQrFormat = { readonly format: (typeof QR_FORMATS)[number]; readonly size?: number };
const DEFAULT_SIZE = 800;

/** `qrFormat` of a create: only with userFlow QR; format one of QR_FORMATS, size an integer 100–2000. */
export function validateQrFormat(v: unknown, userFlow: string): EpaymentQrFormat | undefined {
  if (v === undefined || v === null) return undefined;
  if (userFlow !== 'QR')
    throw EmulatedApiError.field('qrFormat', 'qrFormat can only be combined with userFlow QR.');
  const q = (typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const { format, size } = q;
  if (!QR_FORMATS.includes(format as EpaymentQrFormat['format']))
    throw EmulatedApiError.field(
      'qrFormat.format',
      `The field Format must be one of ${QR_FORMATS.join(', ')}.`,
    );
  if (size !== undefined && (!Number.isInteger(size) || (size as number) < 100 || (size as number) > 2000))
    throw EmulatedApiError.field('qrFormat.size', 'The field Size must be an integer from 100 to 2000.');
  return {
    format: format as EpaymentQrFormat['format'],
    ...(size === undefined ? {} : { size: size as number }),
  };
}

/** What the payment's QR encodes: its landing page (landing-page.ts), where a browser approves or rejects. */
export function paymentQrContent(baseUrl: string, msn: string, reference: string): string {
  return `${baseUrl}/emulator/v1/landing/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}`;
}

/** The create's `redirectUrl` for userFlow QR: the image URL, or the code's text for TEXT/TARGETURL. */
export function paymentQrUrl(
  baseUrl: string,
  msn: string,
  reference: string,
  qrFormat: EpaymentQrFormat | undefined,
): string {
  const format = qrFormat?.format ?? 'IMAGE/SVG+XML';
  if (format === 'TEXT/TARGETURL') return paymentQrContent(baseUrl, msn, reference);
  const ext = format === 'IMAGE/PNG' ? 'png' : 'svg';
  const path = `/qr-images/epayment/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}.${ext}`;
  return `${baseUrl}${path}?size=${qrFormat?.size ?? DEFAULT_SIZE}`;
}

/** `GET /qr-images/epayment/{msn}/{reference}.{png|svg}?size=N`: the payment's QR while it waits (CREATED). */
export function paymentQrImageRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.get(
    '/qr-images/epayment/:msn/:file',
    qrImageHandler((req, reference) => {
      const p = ctx.state.payments.get(paymentKey(String(req.params['msn']), reference));
      if (!p || p.userFlow !== 'QR') return undefined;
      // A one-time code: once the payment is no longer waiting for the customer, there is nothing to scan.
      if (p.state !== 'CREATED' || ctx.clock.now().getTime() >= p.expiresAt)
        return { gone: `This QR code has expired (the payment is ${p.state}).` };
      return { qrContent: paymentQrContent(baseUrlOf(ctx, req), p.msn, p.reference) };
    }, DEFAULT_SIZE),
  );
  return router;
}
