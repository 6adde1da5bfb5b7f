// The emulator's QR images: a real, scannable code of the given text (merchant-callback and merchant-redirect
// codes alike), served without auth as Vipps serves its `qrImageUrl`s.
import type { Request, RequestHandler, Response } from 'express';
import QRCode from 'qrcode';

/** A real QR code of `content` as the response (merchant-callback and merchant-redirect images alike). */
export async function sendQrImage(
  res: Response,
  content: string,
  format: 'png' | 'svg',
  width: number,
): Promise<void> {
  if (format === 'png') {
    const png = await QRCode.toBuffer(content, {
      type: 'png',
      width,
      margin: 2,
      errorCorrectionLevel: 'M',
      // pngjs's adaptive filter search costs seconds on a 2-colour image under jest; no filter is as small here.
      rendererOpts: { filterType: 0 } as { deflateLevel?: number },
    });
    res.status(200).type('image/png').send(png);
  } else {
    const svg = await QRCode.toString(content, { type: 'svg', width, margin: 2, errorCorrectionLevel: 'M' });
    res.status(200).type('image/svg+xml').send(svg);
  }
}

/** A one-time code that no longer opens anything: answered 410 with this text. */
export interface GoneQr {
  readonly gone: string;
}

/**
 * The handler of an image route whose last segment is `<id>.png|svg` (`?size=N`, 100-2000, else `defaultSize`):
 * the code `find` returns for the id as that image, 410 when it is gone, or 404 when there is none.
 */
export function qrImageHandler(
  find: (req: Request, id: string) => { readonly qrContent: string } | GoneQr | undefined,
  defaultSize: number,
): RequestHandler {
  return async (req, res) => {
    const match = /^(.+)\.(png|svg)$/.exec(String(req.params['file']));
    const qr = match?.[1] === undefined ? undefined : find(req, match[1]);
    if (!match || !qr) {
      res.status(404).type('text/plain').send('No such QR image');
      return;
    }
    if ('gone' in qr) {
      res.status(410).type('text/plain').send(qr.gone);
      return;
    }
    const size = Number(req.query['size'] ?? defaultSize);
    const width = Number.isInteger(size) && size >= 100 && size <= 2000 ? size : defaultSize;
    await sendQrImage(res, qr.qrContent, match[2] === 'png' ? 'png' : 'svg', width);
  };
}
