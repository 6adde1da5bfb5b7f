// `qr sync`, `qr list` and `qr download` with redirect-qr lanes, against the real emulator over HTTP: each such
// lane gets a merchant-redirect code (id = lane id) opening PUBLIC_BASE_URL/pay/{laneId}; other lanes get none;
// a changed PUBLIC_BASE_URL updates the codes; --prune deletes only the gateway's own codes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { redirectBaseUrl } from '../../src/cli/qr-redirect-sync';
import type { Config } from '../../src/config';
import { loadLanesFile } from '../../src/lanes/load';
import { CALLBACK_LANES, MSN, startCliHarness, type CliHarness } from './cli-harness';

const BASE = 'https://pay.example.com';
const VEND = 'vend-oslo-1';
const SHOP = 'shop-bergen-3';

describe('qr commands with redirect-qr lanes', () => {
  let h: CliHarness;
  let dir: string;
  let lanesFile: string;
  beforeEach(async () => {
    h = await startCliHarness({}, CALLBACK_LANES);
    dir = await mkdtemp(join(tmpdir(), 'cli-qr-redirect-'));
    lanesFile = await lanesWith({ [VEND]: '[callback-qr, redirect-qr]' });
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The two callback-only example lanes with `pairings` set per lane id (after the lane's `kind` line). */
  async function lanesWith(pairings: Record<string, string>, name = 'lanes.yaml'): Promise<string> {
    let text = (await readFile(CALLBACK_LANES, 'utf8')).replace(/^\s+pairings:.*\n/gm, '');
    for (const [id, list] of Object.entries(pairings))
      text = text.replace(new RegExp(`(- id: ${id}\\n(\\s+)kind: [a-z-]+\\n)`), `$1$2pairings: ${list}\n`);
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }
  const redirectCodes = () =>
    Object.fromEntries(
      [...h.emulator.state.redirectQrs.values()].map((q) => [`${q.owner}/${q.id}`, q.redirectUrl]),
    );
  const run = (argv: string[], env: Record<string, string> = {}) =>
    h.run(argv, { env: { PUBLIC_BASE_URL: BASE, LANES_FILE: lanesFile, ...env } });

  it('creates a merchant-redirect code for the redirect-qr lane only, then finds it unchanged', async () => {
    const r = await run(['qr', 'sync']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'qr sync: 2 created, 0 updated, 0 unchanged, 0 deleted, 0 failed\n' +
        'redirect QRs: 1 created, 0 updated, 0 unchanged, 0 deleted, 0 failed\n',
    );
    expect(r.err).toContain(`[1/1] ${VEND} (redirect) created\n`);
    expect(redirectCodes()).toEqual({ [`${MSN}/${VEND}`]: `${BASE}/pay/${VEND}` });

    const again = await run(['qr', 'sync']);
    expect(again.out).toBe(
      'qr sync: 0 created, 0 updated, 2 unchanged, 0 deleted, 0 failed\n' +
        'redirect QRs: 0 created, 0 updated, 1 unchanged, 0 deleted, 0 failed\n',
    );
  });

  it('makes no merchant-redirect code and prints no redirect line when no lane offers redirect-qr', async () => {
    const r = await run(['qr', 'sync'], { LANES_FILE: CALLBACK_LANES });
    expect(r.out).toBe('qr sync: 2 created, 0 updated, 0 unchanged, 0 deleted, 0 failed\n');
    expect(h.emulator.state.redirectQrs.size).toBe(0);
  });

  it('plans without changing anything on --dry-run, in text and JSON', async () => {
    const r = await run(['qr', 'sync', '--dry-run']);
    expect(r.out).toContain(`create    ${VEND} (redirect)  ${MSN}/${VEND}  -> ${BASE}/pay/${VEND}\n`);
    expect(r.out).toContain('redirect QR plan: 1 to create, 0 to update, 0 unchanged, 0 to delete\n');
    const json = JSON.parse((await run(['qr', 'sync', '--dry-run', '--json'])).out) as {
      redirect: { items: unknown[]; counts: Record<string, number>; failed: number };
    };
    expect(json.redirect.items).toEqual([
      { action: 'create', msn: MSN, id: VEND, laneId: VEND, redirectUrl: `${BASE}/pay/${VEND}` },
    ]);
    expect(json.redirect.failed).toBe(0);
    expect(h.emulator.state.redirectQrs.size).toBe(0);
  });

  it('updates the code when PUBLIC_BASE_URL changes, keeping the code itself', async () => {
    await run(['qr', 'sync']);
    const content = h.emulator.state.redirectQrs.get(`${MSN}/${VEND}`)?.qrContent;
    const r = await run(['qr', 'sync'], { PUBLIC_BASE_URL: 'https://kiosk.example.net/gw/' });
    expect(r.out).toContain('redirect QRs: 0 created, 1 updated, 0 unchanged, 0 deleted, 0 failed\n');
    expect(redirectCodes()).toEqual({ [`${MSN}/${VEND}`]: `https://kiosk.example.net/gw/pay/${VEND}` });
    expect(h.emulator.state.redirectQrs.get(`${MSN}/${VEND}`)?.qrContent).toBe(content);
  });

  it('prunes only its own codes of lanes that stopped offering redirect-qr; a billboard code stays', async () => {
    await run(['qr', 'sync']);
    await h.vipps.qr.redirect.create({
      msn: MSN,
      id: 'billboard',
      redirectUrl: 'https://shop.example/offer',
    });
    const stopped = await lanesWith({}, 'stopped.yaml');

    // Without --prune and with no redirect-qr lane left, no merchant-redirect call is made at all.
    const kept = await run(['qr', 'sync'], { LANES_FILE: stopped });
    expect(kept.out).toBe('qr sync: 0 created, 0 updated, 2 unchanged, 0 deleted, 0 failed\n');
    expect(Object.keys(redirectCodes()).sort()).toEqual([`${MSN}/billboard`, `${MSN}/${VEND}`]);
    const plan = await run(['qr', 'sync', '--prune', '--dry-run'], { LANES_FILE: stopped });
    expect(plan.out).toContain(
      `prune     ${MSN}/${VEND} (redirect)  ${MSN}/${VEND}  -> ${BASE}/pay/${VEND}\n`,
    );
    expect(plan.out).not.toContain('billboard');
    const pruned = await run(['qr', 'sync', '--prune'], { LANES_FILE: stopped });
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain('redirect QRs: 0 created, 0 updated, 0 unchanged, 1 deleted, 0 failed\n');
    expect(redirectCodes()).toEqual({ [`${MSN}/billboard`]: 'https://shop.example/offer' });
  });

  it('qr list shows the redirect code with its lane; qr download writes a PNG that decodes to the code', async () => {
    await run(['qr', 'sync']);
    const list = await run(['qr', 'list']);
    const content = h.emulator.state.redirectQrs.get(`${MSN}/${VEND}`)?.qrContent as string;
    expect(list.out).toContain(`${VEND}  ${MSN}/${VEND}  redirect -> ${BASE}/pay/${VEND}  ${content}\n`);
    const rows = JSON.parse((await run(['qr', 'list', '--json'])).out) as Array<Record<string, unknown>>;
    expect(rows.filter((r) => r['kind'] === 'merchant-redirect')).toEqual([
      {
        kind: 'merchant-redirect',
        msn: MSN,
        id: VEND,
        laneId: VEND,
        redirectUrl: `${BASE}/pay/${VEND}`,
        qrContent: content,
      },
    ]);

    const out = join(dir, 'stickers');
    const dl = await run(['qr', 'download', '--out', out, '--size', '300']);
    expect(dl.code).toBe(0);
    expect(dl.out).toBe(`qr download: 3 written to ${out}, 0 failed\n`);
    const png = PNG.sync.read(await readFile(join(out, `${VEND}-redirect.png`)));
    expect(png.width).toBe(300);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(content);
  });

  it('qr list names a redirect-qr lane that has no code yet', async () => {
    const list = await run(['qr', 'list']);
    expect(list.err).toContain(
      `1 redirect-qr lane(s) without a merchant-redirect code: ${VEND} (run \`checkin-gateway qr sync\`)`,
    );
  });

  it('needs PUBLIC_BASE_URL once a lane offers redirect-qr (outside the sandbox it has no default)', async () => {
    const lanes = await loadLanesFile(lanesFile);
    expect(() => redirectBaseUrl({ publicBaseUrl: undefined } as Config, lanes)).toThrow(
      `PUBLIC_BASE_URL is required: expected the https URL customers' phones reach this gateway at: lane(s) ${VEND} offer redirect-qr, whose codes open PUBLIC_BASE_URL/pay/{laneId}`,
    );
    const shipped = await loadLanesFile(CALLBACK_LANES);
    expect(
      redirectBaseUrl(
        { publicBaseUrl: undefined } as Config,
        shipped.filter((l) => l.id === SHOP),
      ),
    ).toBe(undefined);
  });
});
