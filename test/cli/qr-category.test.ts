// `qr sync` sends the callback QR's category (issue 15): VENDING for vending lanes, IN_STORE for
// self-checkout, a lane's qrCategory over both; the emulator stores and returns it, and a changed category is
// an update like a changed description.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MSN, startCliHarness, type CliHarness } from './cli-harness';

const lanesText = (kioskCategory: string): string =>
  [
    'lanes:',
    `  - {id: vend-1, kind: vending, msn: '${MSN}', description: Snacks, currency: NOK, maxAmount: 1000}`,
    `  - {id: shop-1, kind: self-checkout, msn: '${MSN}', description: Till 1, currency: NOK}`,
    `  - {id: kiosk-1, kind: vending, msn: '${MSN}', description: Kiosk, currency: NOK, maxAmount: 1000, qrCategory: ${kioskCategory}}`,
    '',
  ].join('\n');

describe('qr sync categories', () => {
  let h: CliHarness;
  let dir: string;
  let lanes: string;
  beforeEach(async () => {
    h = await startCliHarness();
    dir = await mkdtemp(join(tmpdir(), 'cli-qr-category-'));
    lanes = join(dir, 'lanes.yaml');
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const categories = async (): Promise<Record<string, string | undefined>> =>
    Object.fromEntries((await h.vipps.qr.list({ msn: MSN })).map((q) => [q.merchantQrId, q.category]));

  it('creates codes with VENDING / IN_STORE / the lane\u2019s own, then updates only a changed category', async () => {
    await writeFile(lanes, lanesText('IN_STORE'));
    const first = await h.run(['qr', 'sync', '--lanes', lanes]);
    expect(first.code).toBe(0);
    expect(await categories()).toEqual({ 'vend-1': 'VENDING', 'shop-1': 'IN_STORE', 'kiosk-1': 'IN_STORE' });

    await writeFile(lanes, lanesText('VENDING'));
    const dry = await h.run(['qr', 'sync', '--lanes', lanes, '--dry-run']);
    expect(dry.out).toContain(
      `update    kiosk-1  ${MSN}/kiosk-1  "Kiosk"  category VENDING (was IN_STORE)\n`,
    );
    expect(dry.out).toContain('plan: 0 to create, 1 to update, 2 unchanged, 0 to delete\n');
    const second = await h.run(['qr', 'sync', '--lanes', lanes]);
    expect(second.code).toBe(0);
    expect(await categories()).toEqual({ 'vend-1': 'VENDING', 'shop-1': 'IN_STORE', 'kiosk-1': 'VENDING' });
  });

  it('refuses a lanes file with an unknown qrCategory before calling Vipps', async () => {
    await writeFile(lanes, lanesText('KIOSK'));
    const r = await h.run(['qr', 'sync', '--lanes', lanes]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('lane "kiosk-1" (#3): qrCategory: expected "IN_STORE" or "VENDING", got "KIOSK"');
    expect(await h.vipps.qr.list({ msn: MSN })).toEqual([]);
  });
});
