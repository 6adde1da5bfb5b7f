import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLanesFile } from '../../src/lanes/check-command';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lanes-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkLanesFile', () => {
  it('counts the lanes of the shipped lanes.yaml by kind', async () => {
    const path = join(__dirname, '../../lanes.yaml');
    const result = await checkLanesFile(path);
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(
      // The first line; the pairings the file offers follow it (issue 16).
      new RegExp(`^ok: (\\d+) lanes \\((\\d+) vending, (\\d+) self-checkout\\) in ${path}$`, 'm'),
    );
  });

  it('prints the exact summary line', async () => {
    const path = join(dir, 'three.json');
    const lane = { msn: '123456', description: 'Lane', currency: 'NOK' };
    await writeFile(
      path,
      JSON.stringify({
        lanes: [
          { ...lane, id: 'a', kind: 'vending', maxAmount: 100 },
          { ...lane, id: 'b', kind: 'vending', maxAmount: 100 },
          { ...lane, id: 'c', kind: 'self-checkout' },
        ],
      }),
    );
    expect(await checkLanesFile(path)).toEqual({
      exitCode: 0,
      output: `ok: 3 lanes (2 vending, 1 self-checkout) in ${path}`,
    });
  });

  it('prints every error and exits 1', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(
      path,
      'lanes:\n  - id: a\n    kind: vending\n    msn: 12\n    description: A\n    currency: NOK\n',
    );
    expect(await checkLanesFile(path)).toEqual({
      exitCode: 1,
      output: [
        `error: ${path} is invalid (2 errors):`,
        '  lane "a" (#1): msn: expected a string of 4–7 digits, got 12',
        '  lane "a" (#1): maxAmount: required for kind vending',
      ].join('\n'),
    });
  });

  it('prints a parse error with its position', async () => {
    const path = join(dir, 'broken.yaml');
    await writeFile(path, 'lanes: [\n');
    expect(await checkLanesFile(path)).toEqual({
      exitCode: 1,
      output: [
        `error: ${path} cannot be parsed (1 error):`,
        '  line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ].join('\n'),
    });
  });

  it('refuses the shipped example lanes (controller type simulated) outside the sandbox, naming each', async () => {
    const path = join(__dirname, '../../lanes.yaml');
    const result = await checkLanesFile(path, { VIPPS_ENV: 'production' });
    expect(result.exitCode).toBe(1);
    const fix =
      "controller.type: controller type simulated is the sandbox's simulated vending machine and works only with VIPPS_ENV=sandbox: give the lane a webhook or sqs controller (or log)";
    expect(result.output).toContain(`  lane "vend-oslo-1" (#1): ${fix}`);
    expect(result.output).toContain(`  lane "shop-bergen-3" (#2): ${fix}`);
  });

  it('accepts them in the sandbox, VIPPS_ENV set or left to its default', async () => {
    const path = join(__dirname, '../../lanes.yaml');
    expect((await checkLanesFile(path, { VIPPS_ENV: 'sandbox' })).exitCode).toBe(0);
    expect((await checkLanesFile(path, {})).exitCode).toBe(0);
  });
});
