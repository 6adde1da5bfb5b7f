// PNG stickers: the QR code drawn module by module (pngjs), and for `--label` the lane's description and id
// under it in the built-in bitmap font. Black on white, no anti-aliasing: sharp in print at any size.
import { PNG } from 'pngjs';
import { ADVANCE, drawText, GLYPH_HEIGHT, textWidth } from './qr-label-font';
import { QUIET_ZONE, qrMatrix, wrapText, type StickerLabel } from './qr-label-code';

class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height });
    this.png.data.fill(255);
  }
  black(x: number, y: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.png.data[i] = 0;
    this.png.data[i + 1] = 0;
    this.png.data[i + 2] = 0;
  }
  toBuffer(): Buffer {
    // Black and white: grayscale keeps the file small.
    return PNG.sync.write(this.png, { colorType: 0 });
  }
}

interface TextBlock {
  readonly lines: readonly string[];
  readonly scale: number;
}

/** The largest scale up to `maxScale` at which `text` fits `width` on one line; wrapped at scale 1 if none. */
function fitText(text: string, width: number, maxScale: number): TextBlock {
  for (let scale = maxScale; scale >= 1; scale -= 1)
    if (textWidth(text, scale) <= width) return { lines: [text], scale };
  return { lines: wrapText(text, Math.floor((width + 1) / ADVANCE)), scale: 1 };
}

const blockHeight = (b: TextBlock): number => b.lines.length * (GLYPH_HEIGHT + 3) * b.scale;

/**
 * A PNG `width` pixels wide: the code (quiet zone included) centred on top, then, with a label, the
 * description and the lane id centred below it, the description larger.
 */
export function qrPng(content: string, width: number, label?: StickerLabel): Buffer {
  const qr = qrMatrix(content);
  const modules = qr.size + 2 * QUIET_ZONE;
  const px = Math.max(1, Math.floor(width / modules));
  const left = Math.floor((width - px * modules) / 2);
  const textWidthMax = width - 4 * px;
  // Text in proportion to the code: a 600 px sticker gets 3× description and 2× id, a 150 px one 1×.
  const maxScale = Math.max(1, Math.round(width / 200));
  const description = label ? fitText(label.description, textWidthMax, maxScale) : undefined;
  const id = label ? fitText(label.laneId, textWidthMax, Math.max(1, maxScale - 1)) : undefined;
  const textHeight = description && id ? blockHeight(description) + blockHeight(id) + 2 * px : 0;
  const canvas = new Canvas(width, px * modules + textHeight);
  for (let y = 0; y < qr.size; y += 1)
    for (let x = 0; x < qr.size; x += 1)
      if (qr.dark(x, y))
        for (let dy = 0; dy < px; dy += 1)
          for (let dx = 0; dx < px; dx += 1)
            canvas.black(left + (x + QUIET_ZONE) * px + dx, (y + QUIET_ZONE) * px + dy);
  // The text starts where the code's bottom quiet zone ends, so the code keeps its full border.
  let top = px * modules;
  for (const block of [description, id]) {
    if (!block) continue;
    for (const line of block.lines) {
      const x0 = Math.floor((width - textWidth(line, block.scale)) / 2);
      drawText(line, block.scale, (x, y) => canvas.black(x0 + x, top + y));
      top += (GLYPH_HEIGHT + 3) * block.scale;
    }
  }
  return canvas.toBuffer();
}
