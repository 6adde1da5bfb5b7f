// The QR code of a printed sticker, made here from the code's `qrContent` (vipps-protocol.md §4) so the label
// can be composed around it: the modules as a matrix, and the label's text. Vipps's own image is what a plain
// `qr download` fetches; the content is the same, so both scan to the same URL.
import QRCode from 'qrcode';

/** The white border a scanner needs around the code, in modules (ISO/IEC 18004). */
export const QUIET_ZONE = 4;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  readonly size: number;
  dark(x: number, y: number): boolean;
}

export function qrMatrix(content: string): QrMatrix {
  // M: the level the emulator's and qrcode's default images use; a printed sticker rarely loses 15%.
  const { modules } = QRCode.create(content, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (x, y) => modules.get(y, x) === 1 };
}

export interface StickerLabel {
  /** The lane's description (its QR's locationDescription). */
  readonly description: string;
  readonly laneId: string;
}

/** Splits `text` into lines of at most `max` characters, at spaces where it can. */
export function wrapText(text: string, max: number): string[] {
  const limit = Math.max(1, max);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if ([...candidate].length <= limit) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    // A word longer than a line is cut.
    let rest = [...word];
    while (rest.length > limit) {
      lines.push(rest.slice(0, limit).join(''));
      rest = rest.slice(limit);
    }
    line = rest.join('');
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
