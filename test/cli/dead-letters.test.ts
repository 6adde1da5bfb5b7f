// `checkin-gateway dead-letters …` and `outbox …` against a running gateway that owns DATA_DIR: the CLI finds
// its admin listener and local token as an operator's would, and the replay runs in the gateway.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { lanesYaml, MSN, startE2e, type E2e, type LaneSpec } from '../e2e/harness';
import { waitFor } from '../support/wait-for';

const lanes: LaneSpec[] = [{ id: 'vend-1', kind: 'vending', maxAmount: 2000 }];
let dataDir: string;
let e2e: E2e;
let token: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cg-dead-letters-cli-'));
  e2e = await startE2e({ lanes, dataDir });
  // A customer scans a sticker the lanes file does not know yet.
  const scan = await e2e.control('POST', '/emulator/v1/scans', { msn: MSN, merchantQrId: 'vend-new' });
  token = (scan.body as { customerToken: string }).customerToken;
  await waitFor(async () => (await run(['dead-letters', 'list', '--json'])).out.includes('intake-1'), {
    what: 'the dropped check-in as a dead letter',
  });
}, 120_000);
afterAll(async () => {
  await e2e.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function run(argv: string[], dir = dataDir): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { DATA_DIR: dir, VIPPS_ENV: 'sandbox' },
  };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

it('lists dead letters as a table and as JSON, never with the customer token', async () => {
  const table = await run(['dead-letters', 'list']);
  expect(table.code).toBe(0);
  expect(table.out).toMatch(
    /^ID\s+KIND\s+AGE\s+LANE\s+TYPE\s+REASON\s+STATE\s+REPLAY BEFORE\nintake-1\s+intake\s+\S+\s+\? \(qr 123456\/vend-new\)\s+user\.checked-in\.v1\s+unknown_lane\s+open\s+\d{4}-/,
  );
  expect(table.out).toContain('open: 1 intake, 0 job, 0 lane-message');
  const json = await run(['dead-letters', 'list', '--kind', 'intake', '--json']);
  expect(JSON.parse(json.out)).toMatchObject({
    deadLetters: [{ id: 'intake-1', reason: 'unknown_lane', qr: { merchantQrId: 'vend-new' } }],
    nextCursor: null,
  });
  expect(`${table.out}${json.out}`).not.toContain(token);
});

it('a bad option value is a usage error (exit 2) naming it', async () => {
  const r = await run(['dead-letters', 'list', '--kind', 'nope']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('kind must be one of intake, job, lane-message');
});

it('replays after the lanes file is fixed (exit 0), then says it was already replayed', async () => {
  lanes.push({ id: 'vend-new', kind: 'vending', maxAmount: 3000 });
  await writeFile(e2e.gateway.lanes.path, lanesYaml(lanes));
  expect(await e2e.gateway.lanes.reload()).toEqual({ ok: true, count: 2 });

  const first = await run(['dead-letters', 'replay', 'intake-1']);
  expect([first.code, first.err]).toEqual([0, '']);
  expect(first.out).toMatch(/^intake-1 {2}replayed {2}job \d+$/);
  await waitFor(
    async () => (await e2e.messages('vend-new')).some((m) => m.message.type === 'session.completed'),
    {
      timeoutMs: 15_000,
      what: 'the replayed session to complete',
    },
  );
  expect(await e2e.payments()).toHaveLength(1);

  const again = await run(['dead-letters', 'replay', 'intake-1']);
  expect(again.code).toBe(0);
  expect(again.out).toMatch(/^intake-1 {2}already replayed {2}by local at \d{4}-/);
  await e2e.queueIdle();
  expect(await e2e.payments()).toHaveLength(1);
});

it('unknown ids exit 1 with a line each; a malformed id is a usage error and does nothing', async () => {
  const unknown = await run(['dead-letters', 'discard', 'intake-77', 'job-77', '--json']);
  expect(unknown.code).toBe(1);
  expect(JSON.parse(unknown.out)).toEqual([
    { id: 'intake-77', outcome: 'not_found' },
    { id: 'job-77', outcome: 'not_found' },
  ]);
  const bad = await run(['dead-letters', 'replay', 'seventy']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('not a dead-letter id: "seventy"');
  expect((await run(['dead-letters', 'replay'])).code).toBe(2);
});

it('outbox list and retry; an unknown lane exits 1 naming it', async () => {
  const list = await run(['outbox', 'list']);
  expect(list).toEqual({ code: 0, out: 'no lane messages waiting', err: '' });
  expect(JSON.parse((await run(['outbox', 'list', '--lane', 'vend-1', '--json'])).out)).toEqual([
    expect.objectContaining({ laneId: 'vend-1', pending: 0 }),
  ]);
  expect(await run(['outbox', 'retry', 'vend-1'])).toEqual({
    code: 0,
    out: 'vend-1: no held message; the lane is being delivered',
    err: '',
  });
  expect(await run(['outbox', 'retry', 'nope'])).toEqual({
    code: 1,
    out: '',
    err: 'lane nope is not in the lanes file and has no lane messages waiting',
  });
  expect((await run(['outbox', 'retry', 'no/such'])).code).toBe(2);
});

it('with no gateway running, works on the store itself (the same service): an empty store has none', async () => {
  expect(await run(['dead-letters', 'list'], 'memory://')).toEqual({
    code: 0,
    out: 'no dead letters\nopen: 0 intake, 0 job, 0 lane-message',
    err: '',
  });
}, 60_000);
