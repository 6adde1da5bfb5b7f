// `qr download --sheet a4`: one printable PDF of labelled stickers, a grid of 3 × 4 per A4 page, each the
// lane's code as an image with its description and id under it, and cut marks at the cell corners.
import { PDFDocument, PageSizes, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { QUIET_ZONE, qrMatrix, wrapText, type StickerLabel } from './qr-label-code';
import { qrPng } from './qr-label-png';

const MM = 72 / 25.4;
export const SHEET_COLUMNS = 3;
export const SHEET_ROWS = 4;
const MARGIN = 10 * MM;
/** The image's side, quiet zone included; the code inside is ≥ 3.5 cm for any code up to version 10. */
export const STICKER_IMAGE_PT = 45 * MM;
const CUT_MARK = 3 * MM;
const GREY = rgb(0.6, 0.6, 0.6);
/** Pixels per module of the embedded image: square modules need no more (PDF images are not smoothed by default). */
const PX_PER_MODULE = 4;

export interface Sticker extends StickerLabel {
  /** The code's qrContent. */
  readonly content: string;
}

// Helvetica is a standard PDF font (nothing embedded) in WinAnsi: a character it cannot encode prints as '?'.
function printable(font: PDFFont, text: string): string {
  const known = new Set(font.getCharacterSet());
  return [...text].map((c) => (known.has(c.codePointAt(0) ?? -1) ? c : '?')).join('');
}

function fitSize(font: PDFFont, text: string, width: number, max: number): number {
  return Math.min(max, (max * width) / Math.max(1, font.widthOfTextAtSize(text, max)));
}

function cutMarks(page: PDFPage, x: number, y: number, w: number, h: number): void {
  for (const [cx, cy] of [
    [x, y],
    [x + w, y],
    [x, y + h],
    [x + w, y + h],
  ] as const) {
    page.drawLine({
      start: { x: cx - CUT_MARK, y: cy },
      end: { x: cx + CUT_MARK, y: cy },
      thickness: 0.3,
      color: GREY,
    });
    page.drawLine({
      start: { x: cx, y: cy - CUT_MARK },
      end: { x: cx, y: cy + CUT_MARK },
      thickness: 0.3,
      color: GREY,
    });
  }
}

export async function stickerSheet(stickers: readonly Sticker[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('QR stickers');
  doc.setCreator('checkin-gateway qr download --sheet a4');
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const [pageWidth, pageHeight] = PageSizes.A4;
  const cellW = (pageWidth - 2 * MARGIN) / SHEET_COLUMNS;
  const cellH = (pageHeight - 2 * MARGIN) / SHEET_ROWS;
  const perPage = SHEET_COLUMNS * SHEET_ROWS;
  let page: PDFPage | undefined;
  for (const [i, sticker] of stickers.entries()) {
    const slot = i % perPage;
    if (slot === 0) page = doc.addPage(PageSizes.A4);
    if (!page) throw new Error('unreachable: a page is added at slot 0');
    const col = slot % SHEET_COLUMNS;
    const row = Math.floor(slot / SHEET_COLUMNS);
    const x = MARGIN + col * cellW;
    const top = pageHeight - MARGIN - row * cellH;
    cutMarks(page, x, top - cellH, cellW, cellH);
    const modules = qrMatrix(sticker.content).size + 2 * QUIET_ZONE;
    const image = await doc.embedPng(qrPng(sticker.content, modules * PX_PER_MODULE));
    const imageTop = top - 4 * MM;
    page.drawImage(image, {
      x: x + (cellW - STICKER_IMAGE_PT) / 2,
      y: imageTop - STICKER_IMAGE_PT,
      width: STICKER_IMAGE_PT,
      height: STICKER_IMAGE_PT,
    });
    const textWidth = cellW - 6 * MM;
    let baseline = imageTop - STICKER_IMAGE_PT - 1 * MM;
    const description = printable(bold, sticker.description);
    // Up to two lines of description at ≥ 8 pt; one line when it fits at 10 pt.
    const lines =
      bold.widthOfTextAtSize(description, 10) <= textWidth
        ? [description]
        : wrapText(description, Math.ceil([...description].length / 2) + 4);
    const size = Math.min(...lines.map((l) => fitSize(bold, l, textWidth, 10)));
    for (const line of lines) {
      baseline -= size;
      page.drawText(line, {
        x: x + (cellW - bold.widthOfTextAtSize(line, size)) / 2,
        y: baseline,
        size,
        font: bold,
      });
      baseline -= size * 0.25;
    }
    const id = printable(regular, sticker.laneId);
    const idSize = fitSize(regular, id, textWidth, 8);
    baseline -= idSize + 1 * MM;
    page.drawText(id, {
      x: x + (cellW - regular.widthOfTextAtSize(id, idSize)) / 2,
      y: baseline,
      size: idSize,
      font: regular,
      color: rgb(0.2, 0.2, 0.2),
    });
  }
  return doc.save();
}
