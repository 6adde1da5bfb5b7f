// The dispatcher's conventions: help, usage errors (exit 2), and the commands wired without Vipps.
import { resolve } from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';

const LANES = resolve(__dirname, '../../lanes.yaml');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

it('lists every command on --help and exits 0', async () => {
  const r = await run(['--help']);
  expect(r.code).toBe(0);
  for (const name of [
    'all',
    'serve',
    'work',
    'queue stats',
    'lanes check',
    'emulator',
    'webhooks register',
    'qr sync',
  ])
    expect(r.out).toContain(`  ${name}`);
});

it('exits 2 with the help text for no command or an unknown one', async () => {
  expect((await run([])).code).toBe(2);
  const r = await run(['launch', 'rockets']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('Unknown command: launch rockets');
});

it('exits 2 on an unknown option, naming it', async () => {
  const r = await run(['queue', 'stats', '--fast']);
  expect(r.code).toBe(2);
  expect(r.err).toContain("Unknown option '--fast'");
});

it('checks the shipped lanes file', async () => {
  const r = await run(['lanes', 'check', LANES]);
  expect(r.code).toBe(0);
  expect(r.out).toContain('ok: 2 lanes (1 vending, 1 self-checkout)');
});

it('shows the emulator usage on --help and refuses a bad flag with exit 2', async () => {
  const help = await run(['emulator', '--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('--user-timeout-ms N');
  const bad = await run(['emulator', '--port', 'seventy']);
  expect(bad.code).toBe(2);
});
