import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { checkLanesFile } from '../../src/lanes/check-command';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const base = { kind: 'vending', msn: '123456', description: 'Lane', currency: 'NOK', maxAmount: 100 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lanes-channels-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lanesFile(name: string, controllers: readonly object[]): Promise<string> {
  const path = join(dir, name);
  const lanes = controllers.map((controller, i) => ({ ...base, id: `lane-${i + 1}`, controller }));
  await writeFile(path, JSON.stringify({ lanes }));
  return path;
}

const hook = (secretEnv: string) => ({ type: 'webhook', url: 'https://pos.example.com/lanes', secretEnv });

describe('lanes check: channels in the operator environment', () => {
  it('fails a webhook lane whose secretEnv names an unset variable, naming the lane and the fix', async () => {
    const path = await lanesFile('unset.json', [hook('POS_SECRET')]);
    expect(await checkLanesFile(path, {})).toEqual({
      exitCode: 1,
      output: [
        `error: ${path} has lanes whose controller channel cannot work (1 error):`,
        '  lane "lane-1" (#1): controller.secretEnv: POS_SECRET is not set: the webhook channel needs its ' +
          "Standard Webhooks secret (whsec_…); set it in the environment of the gateway's worker (`work` or `all`)",
      ].join('\n'),
    });
  });

  it('fails a secret that is not whsec_ + base64, without echoing it', async () => {
    const path = await lanesFile('weak.json', [hook('POS_SECRET')]);
    const r = await checkLanesFile(path, { POS_SECRET: 'hunter2' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain(
      'lane "lane-1" (#1): controller.secretEnv: POS_SECRET is invalid: expected "whsec_" followed by the base64',
    );
    expect(r.output).not.toContain('hunter2');
  });

  it('fails an sqs lane whose queue is not FIFO', async () => {
    const path = await lanesFile('standard.json', [
      { type: 'sqs', queueUrl: 'https://sqs.eu-north-1.amazonaws.com/123456789012/lane-events' },
    ]);
    expect((await checkLanesFile(path, {})).output).toBe(
      [
        `error: ${path} has lanes whose controller channel cannot work (1 error):`,
        '  lane "lane-1" (#1): controller.queueUrl: the sqs channel queueUrl must name a FIFO queue (ending in .fifo): lane messages must stay in order',
      ].join('\n'),
    );
  });

  it('lists every unusable lane in one run and passes once the variables are set', async () => {
    const path = await lanesFile('three.json', [hook('POS_A'), { type: 'log' }, hook('POS_B')]);
    const failed = await checkLanesFile(path, {});
    expect(
      failed.output
        .split('\n')
        .slice(1)
        .map((l) => l.slice(0, 49)),
    ).toEqual([
      '  lane "lane-1" (#1): controller.secretEnv: POS_A',
      '  lane "lane-3" (#3): controller.secretEnv: POS_B',
    ]);
    expect(await checkLanesFile(path, { POS_A: SECRET, POS_B: SECRET })).toEqual({
      exitCode: 0,
      output: `ok: 3 lanes (3 vending, 0 self-checkout) in ${path}`,
    });
  });

  it('reads the environment the command runs in; --file-only checks the file alone', async () => {
    const path = await lanesFile('cli.json', [hook('POS_SECRET')]);
    const run = async (argv: string[], env: Record<string, string>) => {
      const out: string[] = [];
      const io: Io = { out: (t) => out.push(t), err: (t) => out.push(t), env };
      return { code: await runCli(argv, io), out: out.join('\n') };
    };
    const unset = await run(['lanes', 'check', path], {});
    expect(unset.code).toBe(1);
    expect(unset.out).toContain('POS_SECRET is not set');
    expect(await run(['lanes', 'check', path], { POS_SECRET: SECRET })).toEqual({
      code: 0,
      out: `ok: 1 lanes (1 vending, 0 self-checkout) in ${path}`,
    });
    expect((await run(['lanes', 'check', '--file-only', path], {})).code).toBe(0);
  });
});
