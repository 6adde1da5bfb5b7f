// With no gateway running, `lanes status` and `sessions list|show` read the store and the lanes file directly
// (the embedded DATA_DIR is theirs while nobody else holds it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import type { LaneSummary, Page, SessionsPage } from '../../src/admin/types';
import { lanesYaml } from '../e2e/harness';

describe('admin CLI commands without a running gateway', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cg-admin-cli-offline-'));
    await writeFile(
      path.join(dir, 'lanes.yaml'),
      lanesYaml([
        { id: 'off-a', kind: 'vending', maxAmount: 1000 },
        { id: 'off-b', kind: 'self-checkout' },
      ]),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {
        DATA_DIR: path.join(dir, 'data'),
        LANES_FILE: path.join(dir, 'lanes.yaml'),
        VIPPS_ENV: 'sandbox',
      },
    };
    const code = await runCli(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('reads the lanes file and the store', async () => {
    const lanes = await run(['lanes', 'status', '--json']);
    expect(lanes.code).toBe(0);
    const page = JSON.parse(lanes.out) as Page<LaneSummary>;
    expect(page.items.map((l) => [l.id, l.kind, l.state, l.currentSession, l.today.count])).toEqual([
      ['off-a', 'vending', 'idle', null, 0],
      ['off-b', 'self-checkout', 'idle', null, 0],
    ]);
    const sessions = await run(['sessions', 'list', '--json']);
    expect(JSON.parse(sessions.out) as SessionsPage).toEqual({ items: [], nextCursor: null });
  }, 60_000);
});
