// `qr sync` against the real emulator over HTTP (vipps-protocol.md §4): create, update, prune, dry run.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLBACK_LANES, MSN, startCliHarness, type CliHarness } from './cli-harness';

const VEND = { id: 'vend-oslo-1', description: 'Snack machine, Oslo S platform 1' };
const SHOP = { id: 'shop-bergen-3', description: 'Self-checkout 3, Bergen store' };

describe('checkin-gateway qr sync', () => {
  let h: CliHarness;
  let dir: string;
  beforeEach(async () => {
    h = await startCliHarness({}, CALLBACK_LANES);
    dir = await mkdtemp(join(tmpdir(), 'cli-qr-sync-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const codes = () =>
    Object.fromEntries(
      [...h.emulator.state.qrs.values()].map((q) => [`${q.msn}/${q.merchantQrId}`, q.locationDescription]),
    );

  async function lanesCopy(edit: (text: string) => string): Promise<string> {
    const file = join(dir, 'lanes.yaml');
    await writeFile(file, edit(await readFile(CALLBACK_LANES, 'utf8')));
    return file;
  }

  it('creates a code for every lane of the shipped lanes file, with progress on stderr', async () => {
    const r = await h.run(['qr', 'sync']);
    expect(r.code).toBe(0);
    expect(codes()).toEqual({
      [`${MSN}/${VEND.id}`]: VEND.description,
      [`${MSN}/${SHOP.id}`]: SHOP.description,
    });
    expect(r.out).toBe('qr sync: 2 created, 0 updated, 0 unchanged, 0 deleted, 0 failed\n');
    // Completion order is not fixed (4 at a time); the counter and the set of lines are.
    const lines = r.err.trim().split('\n');
    expect(lines.map((l) => l.slice(0, 6))).toEqual(['[1/2] ', '[2/2] ']);
    expect(lines.map((l) => l.slice(6)).sort()).toEqual([`${SHOP.id} created`, `${VEND.id} created`]);

    const again = await h.run(['qr', 'sync']);
    expect(again).toMatchObject({
      code: 0,
      out: 'qr sync: 0 created, 0 updated, 2 unchanged, 0 deleted, 0 failed\n',
      err: '',
    });
  });

  it('updates only the lane whose description changed', async () => {
    await h.run(['qr', 'sync']);
    const file = await lanesCopy((t) => t.replace(SHOP.description, 'Self-checkout 3, Bergen (moved)'));
    const r = await h.run(['qr', 'sync', '--lanes', file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('qr sync: 0 created, 1 updated, 1 unchanged, 0 deleted, 0 failed\n');
    expect(r.err).toBe(`[1/1] ${SHOP.id} updated\n`);
    expect(codes()[`${MSN}/${SHOP.id}`]).toBe('Self-checkout 3, Bergen (moved)');
    expect(codes()[`${MSN}/${VEND.id}`]).toBe(VEND.description);
  });

  it('keeps a code no lane uses unless --prune is given, then deletes it; other MSNs are untouched', async () => {
    await h.run(['qr', 'sync']);
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'stray-1', locationDescription: 'Old kiosk' });
    await h.vipps.qr.put({ msn: '654321', merchantQrId: 'elsewhere', locationDescription: 'Other unit' });

    const kept = await h.run(['qr', 'sync']);
    expect(kept.out).toBe(
      'qr sync: 0 created, 0 updated, 2 unchanged, 0 deleted, 0 failed; 1 not in the lanes file (kept; --prune deletes them)\n',
    );
    expect(codes()[`${MSN}/stray-1`]).toBe('Old kiosk');

    const pruned = await h.run(['qr', 'sync', '--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.out).toBe('qr sync: 0 created, 0 updated, 2 unchanged, 1 deleted, 0 failed\n');
    expect(pruned.err).toBe(`[1/1] ${MSN}/stray-1 deleted\n`);
    expect(Object.keys(codes()).sort()).toEqual([
      `${MSN}/${SHOP.id}`,
      `${MSN}/${VEND.id}`,
      '654321/elsewhere',
    ]);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    await h.vipps.qr.put({ msn: MSN, merchantQrId: VEND.id, locationDescription: 'Old text' });
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'stray-1', locationDescription: 'Old kiosk' });
    const before = codes();
    const r = await h.run(['qr', 'sync', '--dry-run', '--prune']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        // A vending lane's code is VENDING (the emulator's default is IN_STORE): the update says so too.
        `update    ${VEND.id}  ${MSN}/${VEND.id}  "${VEND.description}" (was "Old text")  category VENDING (was IN_STORE)`,
        `create    ${SHOP.id}  ${MSN}/${SHOP.id}  "${SHOP.description}"`,
        `prune     ${MSN}/stray-1  ${MSN}/stray-1  "Old kiosk"`,
        'plan: 1 to create, 1 to update, 0 unchanged, 1 to delete',
        '',
      ].join('\n'),
    );
    expect(r.err).toBe('');
    expect(codes()).toEqual(before);
  });

  it('--json gives the plan and the results in machine-readable form', async () => {
    await h.vipps.qr.put({
      msn: MSN,
      merchantQrId: VEND.id,
      locationDescription: VEND.description,
      category: 'VENDING',
    });
    const plan = await h.run(['qr', 'sync', '--dry-run', '--json']);
    expect(JSON.parse(plan.out)).toEqual({
      dryRun: true,
      items: [
        {
          action: 'unchanged',
          msn: MSN,
          merchantQrId: VEND.id,
          laneId: VEND.id,
          description: VEND.description,
          category: 'VENDING',
        },
        {
          action: 'create',
          msn: MSN,
          merchantQrId: SHOP.id,
          laneId: SHOP.id,
          description: SHOP.description,
          category: 'IN_STORE',
        },
      ],
      counts: { create: 1, update: 0, unchanged: 1, prune: 0, extra: 0 },
      failed: 0,
    });
    const done = await h.run(['qr', 'sync', '--json']);
    expect(JSON.parse(done.out)).toMatchObject({
      dryRun: false,
      items: [
        { action: 'unchanged', laneId: VEND.id, result: 'skipped' },
        { action: 'create', laneId: SHOP.id, result: 'done' },
      ],
      failed: 0,
    });
    expect(done.err).toBe(`[1/1] ${SHOP.id} created\n`);
  });

  it('rides out a 429 from Vipps (the client honours Retry-After) and still creates every code', async () => {
    const fault = await fetch(`${h.emulator.url}/emulator/v1/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api: 'qr', errorRate: 1, statuses: [429], times: 1 }),
    });
    expect(fault.status).toBe(201);
    const r = await h.run(['qr', 'sync']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('qr sync: 2 created, 0 updated, 0 unchanged, 0 deleted, 0 failed\n');
    expect(Object.keys(codes())).toHaveLength(2);
  });

  it('exits 1 naming the file when the lanes file is invalid, and 2 on usage errors', async () => {
    const file = await lanesCopy((t) => t.replace("msn: '123456'", "msn: 'x'"));
    const bad = await h.run(['qr', 'sync', '--lanes', file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(new RegExp(`^error: lanes file ${file} is invalid \\(1 error\\):\\s`));
    expect(codes()).toEqual({});
    const extra = await h.run(['qr', 'sync', 'lanes.yaml']);
    expect(extra.code).toBe(2);
    expect(extra.err.split('\n')[0]).toBe('unexpected argument "lanes.yaml"');
    const help = await h.run(['qr', 'sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(
      /^Usage: checkin-gateway qr sync \[--lanes FILE\] \[--prune\] \[--dry-run\] \[--json\]/,
    );
  });
});
