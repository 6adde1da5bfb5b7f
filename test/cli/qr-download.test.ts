// `qr list` and `qr download` against the real emulator over HTTP (vipps-protocol.md §4): the files written
// decode as QR codes holding the emulator's qrContent.
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { CALLBACK_LANES, MSN, startCliHarness, type CliHarness } from './cli-harness';

const LANE_IDS = ['vend-oslo-1', 'shop-bergen-3'];

function decodePng(bytes: Buffer): { width: number; data: string | undefined } {
  const png = PNG.sync.read(bytes);
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height, {
    inversionAttempts: 'dontInvert',
  });
  return { width: png.width, data: code?.data };
}

describe('checkin-gateway qr list / qr download', () => {
  let h: CliHarness;
  let dir: string;
  beforeEach(async () => {
    h = await startCliHarness({}, CALLBACK_LANES);
    dir = await mkdtemp(join(tmpdir(), 'cli-qr-download-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const contentOf = (laneId: string): string | undefined =>
    [...h.emulator.state.qrs.values()].find((q) => q.merchantQrId === laneId)?.qrContent;

  it('downloads one PNG per lane, named by lane id, that decodes to the code\u2019s qrContent', async () => {
    expect((await h.run(['qr', 'sync'])).code).toBe(0);
    const out = join(dir, 'print', 'png'); // created, parents included
    const r = await h.run(['qr', 'download', '--format', 'png', '--size', '300', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`qr download: 2 written to ${out}, 0 failed\n`);
    expect((await readdir(out)).sort()).toEqual(LANE_IDS.map((id) => `${id}.png`).sort());
    for (const id of LANE_IDS) {
      const decoded = decodePng(await readFile(join(out, `${id}.png`)));
      expect(decoded).toEqual({ width: 300, data: contentOf(id) });
      expect(decoded.data).toMatch(/^https:\/\/qr\.vipps\.no\//);
    }
    expect(
      r.err
        .trim()
        .split('\n')
        .map((l) => l.slice(0, 6)),
    ).toEqual(['[1/2] ', '[2/2] ']);
  });

  it('downloads SVGs', async () => {
    await h.run(['qr', 'sync']);
    const r = await h.run(['qr', 'download', '--format', 'svg', '--out', dir]);
    expect(r.code).toBe(0);
    for (const id of LANE_IDS)
      expect(await readFile(join(dir, `${id}.svg`), 'utf8')).toMatch(/^<svg[^>]*>.*<path/s);
  });

  it('writes the other lanes, then exits 1 naming the lane without a code and suggesting qr sync', async () => {
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'vend-oslo-1', locationDescription: 'Snack machine' });
    const r = await h.run(['qr', 'download', '--out', dir]);
    expect(r.code).toBe(1);
    expect(await readdir(dir)).toEqual(['vend-oslo-1.png']);
    expect(decodePng(await readFile(join(dir, 'vend-oslo-1.png'))).data).toBe(contentOf('vend-oslo-1'));
    expect(r.out).toBe(`qr download: 1 written to ${dir}, 1 failed\n`);
    expect(r.err).toContain(`] shop-bergen-3 failed: Vipps has no QR code ${MSN}/shop-bergen-3\n`);
    expect(r.err).toContain('1 lane(s) have no QR code yet: run `checkin-gateway qr sync` first\n');
  });

  it.each([
    [['--format', 'png'], '--out DIR is required'],
    [['--out', 'x', '--format', 'gif'], '--format must be png or svg, got "gif"'],
    [
      ['--out', 'x', '--format', 'svg', '--size', '300'],
      '--size applies to --format png only (an SVG scales to any size)',
    ],
    [['--out', 'x', '--size', '50'], '--size must be an integer from 100 to 2000 (pixels), got "50"'],
    [['--out', 'x', '--size', '1e3'], '--size must be an integer from 100 to 2000 (pixels), got "1e3"'],
  ])('qr download %j exits 2: %s', async (args, message) => {
    const r = await h.run(['qr', 'download', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\nUsage: checkin-gateway qr download --out DIR`,
      ),
    );
    await expect(stat('x')).rejects.toThrow(/ENOENT/);
  });

  it('lists the codes with their lanes as JSON, extra codes with laneId null, and names lanes without a code', async () => {
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'vend-oslo-1', locationDescription: 'Snack machine' });
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'stray-1', locationDescription: 'Old kiosk' });
    const r = await h.run(['qr', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([
      {
        msn: MSN,
        merchantQrId: 'vend-oslo-1',
        laneId: 'vend-oslo-1',
        locationDescription: 'Snack machine',
        qrContent: contentOf('vend-oslo-1'),
        qrImageUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/qr-images\/123456\/vend-oslo-1\.svg/),
      },
      {
        msn: MSN,
        merchantQrId: 'stray-1',
        laneId: null,
        locationDescription: 'Old kiosk',
        qrContent: contentOf('stray-1'),
        qrImageUrl: expect.any(String),
      },
    ]);
    expect(r.err).toBe('1 lane(s) without a QR code: shop-bergen-3 (run `checkin-gateway qr sync`)\n');
    const text = await h.run(['qr', 'list']);
    expect(text.out).toBe(
      `vend-oslo-1  ${MSN}/vend-oslo-1  "Snack machine"  ${contentOf('vend-oslo-1')}\n` +
        `-  ${MSN}/stray-1  "Old kiosk"  ${contentOf('stray-1')}\n`,
    );
  });

  it('qr list reads the lanes file given with --lanes', async () => {
    const file = join(dir, 'one.yaml');
    await writeFile(
      file,
      "lanes:\n  - {id: solo, kind: vending, msn: '7777', description: Solo, currency: NOK, maxAmount: 500}\n",
    );
    await h.vipps.qr.put({ msn: '7777', merchantQrId: 'solo', locationDescription: 'Solo' });
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'vend-oslo-1', locationDescription: 'Not this MSN' });
    const r = await h.run(['qr', 'list', '--lanes', file, '--json']);
    expect(JSON.parse(r.out)).toEqual([
      expect.objectContaining({ msn: '7777', merchantQrId: 'solo', laneId: 'solo' }),
    ]);
    expect(r.err).toBe('');
  });
});
