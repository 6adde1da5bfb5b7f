// The admin CLI commands against a running in-process gateway that owns DATA_DIR: `lanes status`,
// `sessions list|show` through its admin API with the local token file, and `controllers token`, whose
// output the controller API accepts for that lane only.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import type { LaneSummary, Page, SessionDetail, SessionsPage } from '../../src/admin/types';
import { lanesYaml, startE2e, type E2e, type LaneSpec, type ScannedSession } from '../e2e/harness';

const LANES: LaneSpec[] = [
  { id: 'vend-cli-a', kind: 'vending', maxAmount: 10000 },
  { id: 'vend-cli-b', kind: 'vending', maxAmount: 10000 },
];
const HS_SECRET = 'cli-test-hs256-secret-0123456789abcdef';
const PUBLIC_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  type: 'spki',
  format: 'pem',
}) as string;
const KEYS = `pem:${Buffer.from(PUBLIC_PEM).toString('base64')},hs256:${HS_SECRET}`;

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

describe('admin CLI commands', () => {
  let dir: string;
  let e2e: E2e;
  let paid: ScannedSession;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cg-admin-cli-'));
    await writeFile(path.join(dir, 'lanes.yaml'), lanesYaml(LANES));
    e2e = await startE2e({
      lanes: LANES,
      dataDir: path.join(dir, 'data'),
      env: { CONTROLLER_JWT_KEYS: KEYS },
    });
    await e2e.control('PUT', '/emulator/v1/controllers/vend-cli-a', {
      dispense: { result: 'dispensed', amount: 1500 },
    });
    paid = await e2e.scan('vend-cli-a');
    await e2e.final(paid);
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      // Only DATA_DIR: the CLI finds the gateway's admin URL in its lock and the token in admin-token.
      env: { DATA_DIR: path.join(dir, 'data'), VIPPS_ENV: 'sandbox', ...env },
    };
    const code = await runCli(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('lanes status prints the fleet as a table and as JSON', async () => {
    const table = await run(['lanes', 'status']);
    expect(table.code).toBe(0);
    const lines = table.out.split('\n');
    expect(lines[0]).toMatch(
      /^LANE\s+STATE\s+SESSION\s+AGE\s+LAST OUTCOME\s+TODAY\s+CHANNEL\s+BACKLOG\s+OLDEST$/,
    );
    expect(lines[1]).toMatch(/^vend-cli-a\s+idle\s+-\s+-\s+completed\s+1 \/ 15\.00 NOK\s+simulated\s+0\s+-$/);
    expect(lines[2]).toMatch(/^vend-cli-b\s+idle\s+-\s+-\s+-\s+0 \/ 0\.00 NOK\s+simulated\s+0\s+-$/);
    expect(lines[3]).toBe('page 1 of 1 (2 lanes)');
    const json = await run(['lanes', 'status', '--json', '--search', 'cli-b']);
    const page = JSON.parse(json.out) as Page<LaneSummary>;
    expect({ total: page.total, ids: page.items.map((l) => l.id) }).toEqual({
      total: 1,
      ids: ['vend-cli-b'],
    });
    const bad = await run(['lanes', 'status', '--state', 'sleeping']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--state must be one of idle, busy, disabled');
  });

  it('sessions list and show read the running gateway', async () => {
    const list = await run(['sessions', 'list', '--lane', 'vend-cli-a']);
    expect(list.code).toBe(0);
    expect(list.out.split('\n')[1]).toMatch(
      new RegExp(`^${paid.sessionId}\\s+vend-cli-a\\s+completed\\s+-\\s+100\\.00 NOK\\s+15\\.00 NOK\\s`),
    );
    const json = JSON.parse(
      (await run(['sessions', 'list', '--json', '--state', 'completed'])).out,
    ) as SessionsPage;
    expect(json.items.map((s) => s.id)).toEqual([paid.sessionId]);
    const shown = await run(['sessions', 'show', paid.sessionId]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(
      `session ${paid.sessionId}  lane vend-cli-a  vending  reference ${paid.reference}`,
    );
    expect(shown.out).toMatch(/lane-message\s+session\.completed/);
    const detail = JSON.parse(
      (await run(['sessions', 'show', paid.sessionId, '--json'])).out,
    ) as SessionDetail;
    expect(detail.session.captured).toBe(1500);
    const missing = await run(['sessions', 'show', 'ses_nope']);
    expect({ code: missing.code, err: missing.err }).toEqual({ code: 1, err: 'no session ses_nope' });
    expect((await run(['sessions', 'list', '--limit', '0'])).code).toBe(2);
  });

  it('controllers token from the running gateway is accepted by the controller API for its lane only', async () => {
    const minted = await run(['controllers', 'token', '--lane', 'vend-cli-b', '--ttl', '10m']);
    expect(minted.code).toBe(0);
    const token = minted.out;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(minted.err).toMatch(/^token for lane vend-cli-b, signed with key 2 \(HS256\), expires \d{4}-/);
    const api = (lane: string) =>
      fetch(`${e2e.gateway.url}/v1/lanes/${lane}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await api('vend-cli-b')).status).toBe(200);
    const other = await api('vend-cli-a');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('lane_forbidden');
    // Audited by the operator's label, without the token.
    const audit = await e2e.admin('/admin/v1/audit?limit=1');
    const text = await audit.text();
    expect(text).toContain(
      '"operator":"local","action":"controller.token","target":"vend-cli-b","outcome":"ok"',
    );
    expect(text).not.toContain(token);
  });

  it('controllers token signs locally with CONTROLLER_JWT_KEYS, and refuses what cannot work', async () => {
    const env = { CONTROLLER_JWT_KEYS: KEYS, LANES_FILE: path.join(dir, 'lanes.yaml') };
    const local = await run(['controllers', 'token', '--lane', 'vend-cli-a'], env);
    expect(local.code).toBe(0);
    const ok = await fetch(`${e2e.gateway.url}/v1/lanes/vend-cli-a`, {
      headers: { authorization: `Bearer ${local.out}` },
    });
    expect(ok.status).toBe(200);
    const pem = await run(['controllers', 'token', '--lane', 'vend-cli-a', '--key', '1'], env);
    expect({ code: pem.code, out: pem.out }).toEqual({ code: 1, out: '' });
    expect(pem.err).toBe(
      'cannot mint: CONTROLLER_JWT_KEYS entry 1 is a public key: it verifies tokens but cannot sign one',
    );
    const unknown = await run(['controllers', 'token', '--lane', 'nope'], env);
    expect(unknown.err).toBe(`cannot mint: no lane nope in ${path.join(dir, 'lanes.yaml')}`);
    const long = await run(['controllers', 'token', '--lane', 'vend-cli-a', '--ttl', '2d'], env);
    expect(long.err).toBe(
      'cannot mint: the lifetime 172800 s exceeds CONTROLLER_JWT_MAX_TTL_S=86400; the controller API would refuse it',
    );
    const usage = await run(['controllers', 'token', '--lane', 'vend-cli-a', '--ttl', 'soon'], env);
    expect(usage.code).toBe(2);
    expect((await run(['controllers', 'token'], env)).err).toContain('--lane ID is required');
  });
});
