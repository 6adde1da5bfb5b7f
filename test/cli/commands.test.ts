// The dispatcher's conventions: help, usage errors (exit 2), and the commands wired without Vipps.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { commands } from '../../src/cli/commands';

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
  expect(r.out).toContain('ok: 3 lanes (2 vending, 1 self-checkout)');
});

it('shows the emulator usage on --help and refuses a bad flag with exit 2', async () => {
  const help = await run(['emulator', '--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('--user-timeout-ms N');
  const bad = await run(['emulator', '--port', 'seventy']);
  expect(bad.code).toBe(2);
});

describe('--version', () => {
  const { version } = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
    version: string;
  };

  it.each(['--version', '-v'])('prints the package version for %s and exits 0', async (flag) => {
    const r = await run([flag]);
    expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('finds package.json from the source file under tsx', () => {
    const tsx = resolve(__dirname, '../../node_modules/.bin/tsx');
    const out = execFileSync(tsx, [resolve(__dirname, '../../src/cli.ts'), '--version'], {
      encoding: 'utf8',
    });
    expect(out).toBe(`${version}\n`);
  });
});

describe('command groups', () => {
  const QUEUE_HELP = [
    'Usage: checkin-gateway queue <command> [options]',
    '',
    'Commands:',
    `  queue stats  ${commands.find((c) => c.name === 'queue stats')?.summary ?? ''}`,
    '',
    'Run `checkin-gateway queue <command> --help` for the options of one command.',
    '',
  ].join('\n');

  it.each(['--help', '-h', 'help'])(
    'lists the group\'s commands for "queue %s" and exits 0',
    async (flag) => {
      expect(await run(['queue', flag])).toEqual({ code: 0, out: QUEUE_HELP, err: '' });
    },
  );

  it("lists the group's commands for a group name alone and exits 2", async () => {
    expect(await run(['queue'])).toEqual({ code: 2, out: QUEUE_HELP, err: '' });
  });

  it('names an unknown sub-command of a group and lists the group, exit 2', async () => {
    expect(await run(['queue', 'purge'])).toEqual({
      code: 2,
      out: '',
      err: `Unknown command: queue purge\n\n${QUEUE_HELP}`,
    });
  });

  it.each([
    ['webhooks', ['webhooks register', 'webhooks list', 'webhooks delete', 'webhooks rotate']],
    ['qr', ['qr sync', 'qr list', 'qr download']],
    [
      'payments',
      ['payments list', 'payments show', 'payments settle', 'payments reconcile', 'payments refund'],
    ],
    ['lanes', ['lanes check', 'lanes status']],
    ['sessions', ['sessions list', 'sessions show']],
    ['dead-letters', ['dead-letters list', 'dead-letters replay', 'dead-letters discard']],
    ['outbox', ['outbox list', 'outbox retry']],
  ])('lists every %s command', async (group, names) => {
    const r = await run([group, '--help']);
    expect(r.code).toBe(0);
    const listed = r.out
      .split('\n')
      .filter((line) => line.startsWith(`  ${group} `))
      .map((line) => line.trim().split(/\s{2,}/)[0]);
    expect(listed).toEqual(names);
  });
});
