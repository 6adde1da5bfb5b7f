// The emulator's QR images: a real, scannable code of the given text (merchant-callback and merchant-redirect
// codes alike), served without auth as Vipps serves its `qrImageUrl`s.
import type { Response } from 'express';
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
