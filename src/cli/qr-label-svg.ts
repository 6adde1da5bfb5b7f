// SVG stickers: the code as one path in module units, and for `--label` the description and lane id as SVG
// text under it (the printer's own fonts; any Unicode the description holds).
import { QUIET_ZONE, qrMatrix, wrapText, type StickerLabel } from './qr-label-code';

const escapeXml = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** Font size (in modules) that fits `text` in `width`, assuming an average glyph of 0.6 em, at most `max`. */
function fitFont(text: string, width: number, max: number): number {
  const size = width / (0.6 * Math.max(1, [...text].length));
  return Math.round(Math.min(max, size) * 100) / 100;
}

export function qrSvg(content: string, label?: StickerLabel): string {
  const qr = qrMatrix(content);
  const side = qr.size + 2 * QUIET_ZONE;
  const runs: string[] = [];
  for (let y = 0; y < qr.size; y += 1) {
    let x = 0;
    while (x < qr.size) {
      if (!qr.dark(x, y)) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < qr.size && qr.dark(x, y)) x += 1;
      runs.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h${start - x}z`);
    }
  }
  const parts = [`<path fill="#000" shape-rendering="crispEdges" d="${runs.join('')}"/>`];
  let height = side;
  if (label) {
    const width = side - 4;
    // A long description would print tiny on one line: two lines at a larger size read better.
    const oneLine = fitFont(label.description, width, side / 12);
    const lines =
      oneLine < side / 20
        ? wrapText(label.description, Math.ceil([...label.description].length / 2) + 4)
        : [label.description];
    const descSize = Math.min(...lines.map((l) => fitFont(l, width, side / 12)));
    const idSize = fitFont(label.laneId, width, side / 18);
    const text = (y: number, size: number, weight: string, value: string): string =>
      `<text x="${side / 2}" y="${y.toFixed(2)}" font-family="Helvetica, Arial, sans-serif" font-size="${size}" ` +
      `font-weight="${weight}" text-anchor="middle" dominant-baseline="hanging" fill="#000">${escapeXml(value)}</text>`;
    let y = side;
    for (const line of lines) {
      parts.push(text(y, descSize, 'bold', line));
      y += descSize * 1.25;
    }
    parts.push(text(y + idSize * 0.2, idSize, 'normal', label.laneId));
    height = Math.ceil(y + idSize * 1.6);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${height}" width="${side * 10}" height="${height * 10}">` +
    `<rect width="${side}" height="${height}" fill="#fff"/>${parts.join('')}</svg>\n`
  );
}
