// `qr download --label` and `--sheet a4` against the real emulator over HTTP: every labelled image still scans
// to the lane's code (jsQR), carries the lane's description and id under the code, and the A4 sheet holds one
// scannable image of ≥ 3 cm per lane with its label, 12 to a page.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, type PDFDict, type PDFPage } from 'pdf-lib';
import { PNG } from 'pngjs';
import { drawText } from '../../src/cli/qr-label-font';
import { MSN, startCliHarness, type CliHarness } from './cli-harness';

const LANES = [
  { id: 'vend-oslo-1', description: 'Snack machine, Oslo S platform 1' },
  { id: 'shop-bergen-3', description: 'Self-checkout 3, Bergen store' },
];
// The test's own fleet (the shipped lanes.yaml changes with the examples it shows).
const FLEET =
  'lanes:\n' +
  LANES.map(
    (l) =>
      `  - id: ${l.id}\n    kind: vending\n    msn: '123456'\n    description: ${l.description}\n` +
      '    currency: NOK\n    maxAmount: 10000\n',
  ).join('');
const A4 = [595.28, 841.89];
const CM = 72 / 2.54;

interface Bitmap {
  readonly width: number;
  readonly height: number;
  dark(x: number, y: number): boolean;
}

const decode = (rgba: Uint8ClampedArray, width: number, height: number): string | undefined =>
  jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' })?.data;

function pngBitmap(bytes: Buffer): Bitmap & { readonly png: PNG } {
  const png = PNG.sync.read(bytes);
  return {
    png,
    width: png.width,
    height: png.height,
    dark: (x, y) => (png.data[(y * png.width + x) * 4] ?? 255) < 128,
  };
}

/** Maximal runs of rows holding a dark pixel: the code first, then one band per line of text. */
function rowBands(b: Bitmap): [number, number][] {
  const bands: [number, number][] = [];
  let start: number | undefined;
  for (let y = 0; y <= b.height; y += 1) {
    let any = false;
    for (let x = 0; y < b.height && x < b.width && !any; x += 1) any = b.dark(x, y);
    if (any && start === undefined) start = y;
    if (!any && start !== undefined) {
      bands.push([start, y]);
      start = undefined;
    }
  }
  return bands;
}

/** The dark pixels of a region, cropped to their bounding box, as text rows of '#' and '.'. */
function cropped(points: [number, number][]): string {
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const rows = Array.from({ length: Math.max(...ys) - y0 + 1 }, () =>
    Array.from({ length: Math.max(...xs) - x0 + 1 }, () => '.'),
  );
  for (const [x, y] of points) rows[y - y0]![x - x0] = '#';
  return rows.map((r) => r.join('')).join('\n');
}

/** The text drawn in a band, found by comparing with the font's rendering of `expected` at scales 1–4. */
function bandShows(b: Bitmap, [top, bottom]: [number, number], expected: string): boolean {
  const actual: [number, number][] = [];
  for (let y = top; y < bottom; y += 1)
    for (let x = 0; x < b.width; x += 1) if (b.dark(x, y)) actual.push([x, y]);
  return [1, 2, 3, 4].some((scale) => {
    const drawn: [number, number][] = [];
    drawText(expected, scale, (x, y) => drawn.push([x, y]));
    return cropped(drawn) === cropped(actual);
  });
}

/** The SVG's code path (`M x y h w v1 h-w z` runs, in modules) drawn at 8 px a module, decoded. */
function decodeSvgPath(svg: string): string | undefined {
  const view = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const d = /<path [^>]*d="([^"]+)"/.exec(svg)?.[1];
  if (!view || d === undefined) return undefined;
  const [w, h] = [Number(view[1]), Number(view[2])];
  const px = 8;
  const rgba = new Uint8ClampedArray(w * px * h * px * 4).fill(255);
  for (const run of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, len] = [Number(run[1]), Number(run[2]), Number(run[3])];
    for (let yy = y * px; yy < (y + 1) * px; yy += 1)
      for (let xx = x * px; xx < (x + len) * px; xx += 1)
        rgba.fill(0, (yy * w * px + xx) * 4, (yy * w * px + xx) * 4 + 3);
  }
  return decode(rgba, w * px, h * px);
}

/** The page's content stream, inflated. */
function contentOf(doc: PDFDocument, page: PDFPage): string {
  const contents = page.node.Contents();
  const streams =
    contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
  return streams
    .map((s) => (s instanceof PDFRawStream ? inflateSync(Buffer.from(s.contents)).toString('latin1') : ''))
    .join('\n');
}

/** Strings shown on the page (`<hex> Tj`), in WinAnsi (latin1 for the characters used here). */
const shownText = (content: string): string[] =>
  [...content.matchAll(/<([0-9A-F]*)> Tj/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1'));

/** Each image XObject on the page decoded (DeviceRGB, 8 bit, Flate) and scanned. */
function pageImages(
  doc: PDFDocument,
  page: PDFPage,
): { readonly data: string | undefined; readonly width: number }[] {
  const xobjects = page.node.Resources()?.lookup(PDFName.of('XObject')) as PDFDict | undefined;
  return (xobjects?.keys() ?? []).flatMap((key) => {
    const stream = doc.context.lookup(xobjects!.get(key));
    if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Subtype'))?.toString() !== '/Image')
      return [];
    const width = Number(stream.dict.get(PDFName.of('Width'))?.toString());
    const height = Number(stream.dict.get(PDFName.of('Height'))?.toString());
    expect(stream.dict.get(PDFName.of('ColorSpace'))?.toString()).toBe('/DeviceRGB');
    const rgb = inflateSync(Buffer.from(stream.contents));
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i += 1) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = 255;
    }
    return [{ data: decode(rgba, width, height), width }];
  });
}

describe('checkin-gateway qr download --label / --sheet a4', () => {
  let h: CliHarness;
  let dir: string;
  let fleet: string;
  beforeEach(async () => {
    h = await startCliHarness();
    dir = await mkdtemp(join(tmpdir(), 'cli-qr-label-'));
    fleet = `${dir}-fleet.yaml`; // beside the output directory, whose listing the tests check
    await writeFile(fleet, FLEET);
    h.env['LANES_FILE'] = fleet;
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
    await rm(fleet, { force: true });
  });

  const qrContentOf = (merchantQrId: string): string | undefined =>
    [...h.emulator.state.qrs.values()].find((q) => q.merchantQrId === merchantQrId)?.qrContent;

  it('--label PNG: scans to the lane\u2019s code, and shows the description then the id under it', async () => {
    expect((await h.run(['qr', 'sync'])).code).toBe(0);
    const r = await h.run(['qr', 'download', '--label', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`qr download: 2 labelled written to ${dir}, 0 failed\n`);
    expect((await readdir(dir)).sort()).toEqual(['shop-bergen-3.png', 'vend-oslo-1.png']);
    for (const lane of LANES) {
      const b = pngBitmap(await readFile(join(dir, `${lane.id}.png`)));
      expect(b.width).toBe(600);
      expect(qrContentOf(lane.id)).toMatch(/^https:\/\/qr\.vipps\.no\//);
      expect(decode(new Uint8ClampedArray(b.png.data), b.width, b.height)).toBe(qrContentOf(lane.id));
      const bands = rowBands(b);
      expect(bands).toHaveLength(3); // the code, the description, the id
      expect(bandShows(b, bands[1]!, lane.description)).toBe(true);
      expect(bandShows(b, bands[2]!, lane.id)).toBe(true);
      expect(bandShows(b, bands[1]!, lane.id)).toBe(false); // the comparison tells texts apart
      expect(bands[1]![0]).toBeGreaterThan(bands[0]![1]); // below the code, not over it
    }
  });

  it('--label with --size: a small sticker still scans, its description wrapped', async () => {
    await h.run(['qr', 'sync']);
    const r = await h.run([
      'qr',
      'download',
      '--label',
      '--size',
      '150',
      '--lane',
      'vend-oslo-1',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(0);
    expect(await readdir(dir)).toEqual(['vend-oslo-1.png']);
    const b = pngBitmap(await readFile(join(dir, 'vend-oslo-1.png')));
    expect(b.width).toBe(150);
    expect(decode(new Uint8ClampedArray(b.png.data), b.width, b.height)).toBe(qrContentOf('vend-oslo-1'));
    const bands = rowBands(b).slice(1);
    expect(bands.length).toBeGreaterThanOrEqual(3); // description on two or more lines, then the id
    expect(bandShows(b, bands[bands.length - 1]!, 'vend-oslo-1')).toBe(true);
  });

  it('--label SVG: the code scans, and the description and id are SVG text (escaped)', async () => {
    const file = join(dir, 'lanes.yaml');
    await writeFile(
      file,
      "lanes:\n  - id: kiosk-1\n    kind: self-checkout\n    msn: '123456'\n    description: Fish & chips <Bryggen>\n" +
        '    currency: NOK\n    fixedAmount: 4900\n',
    );
    expect((await h.run(['qr', 'sync', '--lanes', file])).code).toBe(0);
    const out = join(dir, 'svg');
    const r = await h.run(['qr', 'download', '--label', '--format', 'svg', '--lanes', file, '--out', out]);
    expect(r.code).toBe(0);
    const svg = await readFile(join(out, 'kiosk-1.svg'), 'utf8');
    expect(decodeSvgPath(svg)).toBe(qrContentOf('kiosk-1'));
    expect([...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual([
      'Fish &amp; chips &lt;Bryggen&gt;',
      'kiosk-1',
    ]);
  });

  it('--sheet a4: one A4 PDF, one scannable image of \u2265 3 cm per lane, each labelled', async () => {
    await h.run(['qr', 'sync']);
    const r = await h.run(['qr', 'download', '--sheet', 'a4', '--out', dir]);
    expect(r.code).toBe(0);
    const path = join(dir, 'qr-stickers-a4.pdf');
    expect(r.out).toBe(`qr download: 2 stickers on 1 A4 page(s) written to ${path}, 0 failed\n`);
    expect(await readdir(dir)).toEqual(['qr-stickers-a4.pdf']);
    const doc = await PDFDocument.load(await readFile(path));
    expect(doc.getPageCount()).toBe(1);
    const page = doc.getPage(0);
    expect([page.getWidth(), page.getHeight()].map((v) => Math.round(v * 100) / 100)).toEqual(A4);
    const images = pageImages(doc, page);
    expect(images.map((i) => i.data).sort()).toEqual(LANES.map((l) => qrContentOf(l.id)).sort());
    const content = contentOf(doc, page);
    // Each image is drawn as a square: `s 0 0 s 0 0 cm /Image-… Do`; the code inside its 4-module border is
    // ≥ 3 cm even for the smallest code (version 1: 21 modules of 29).
    const sides = [...content.matchAll(/([\d.]+) 0 0 \1 0 0 cm\n(?:1 0 0 1 0 0 cm\n)?\/Image-\d+ Do/g)].map(
      (m) => Number(m[1]),
    );
    expect(sides).toHaveLength(2);
    for (const side of sides) expect((side * 21) / 29).toBeGreaterThanOrEqual(3 * CM);
    const text = shownText(content).join('\n');
    for (const lane of LANES) {
      expect(text).toContain(lane.id);
      expect(text.replace(/\n/g, ' ')).toContain(lane.description);
    }
  });

  it('--sheet a4 with 14 lanes: 12 stickers on the first page, 2 on the second', async () => {
    const file = join(dir, 'lanes.yaml');
    const lanes = Array.from({ length: 14 }, (_, i) => `vend-${i + 1}`);
    await writeFile(
      file,
      'lanes:\n' +
        lanes
          .map(
            (id, i) =>
              `  - id: ${id}\n    kind: vending\n    msn: '123456'\n    description: Machine ${i + 1}, hall B\n` +
              '    currency: NOK\n    maxAmount: 5000\n',
          )
          .join(''),
    );
    expect((await h.run(['qr', 'sync', '--lanes', file])).code).toBe(0);
    const out = join(dir, 'out');
    const r = await h.run(['qr', 'download', '--sheet', 'A4', '--lanes', file, '--out', out]);
    expect(r.code).toBe(0);
    const doc = await PDFDocument.load(await readFile(join(out, 'qr-stickers-a4.pdf')));
    const images = doc.getPages().map((p) => pageImages(doc, p));
    expect(images.map((onPage) => onPage.length)).toEqual([12, 2]);
    const scanned = images.flat().map((i) => i.data);
    expect(scanned.sort()).toEqual(lanes.map((id) => qrContentOf(id)).sort());
    expect(shownText(contentOf(doc, doc.getPage(1)))).toEqual([
      'Machine 13, hall B',
      'vend-13',
      'Machine 14, hall B',
      'vend-14',
    ]);
  });

  it('--sheet with a lane without a code: the others are printed, exit 1 naming it', async () => {
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'vend-oslo-1', locationDescription: 'Snack machine' });
    const r = await h.run(['qr', 'download', '--sheet', 'a4', '--out', dir]);
    expect(r.code).toBe(1);
    const path = join(dir, 'qr-stickers-a4.pdf');
    expect(r.out).toBe(`qr download: 1 stickers on 1 A4 page(s) written to ${path}, 1 failed\n`);
    expect(r.err).toContain(`] shop-bergen-3 failed: Vipps has no QR code ${MSN}/shop-bergen-3\n`);
    expect(r.err).toContain('1 lane(s) have no QR code yet: run `checkin-gateway qr sync` first\n');
    const doc = await PDFDocument.load(await readFile(path));
    expect(pageImages(doc, doc.getPage(0)).map((i) => i.data)).toEqual([qrContentOf('vend-oslo-1')]);
  });

  it.each([
    [['--sheet', 'letter'], '--sheet must be a4, got "letter"'],
    [
      ['--sheet', 'a4', '--format', 'svg'],
      '--format and --size do not apply to --sheet (the PDF holds its own images)',
    ],
    [['--label', '--lane', 'nope', '--lane', 'vend-oslo-1'], '--lane: no lane "nope" in the lanes file'],
  ])('qr download %j exits 2 and writes nothing: %s', async (args, message) => {
    await h.run(['qr', 'sync']);
    const out = join(dir, 'never');
    const r = await h.run(['qr', 'download', ...args, '--out', out, '--lanes', fleet]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(message);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
