import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanesFileError } from '../../src/lanes/errors';
import { loadLanesFile } from '../../src/lanes/load';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lanes-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The LanesFileError that loading `path` throws. */
async function failure(path: string): Promise<LanesFileError> {
  const error = await loadLanesFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LanesFileError);
  return error as LanesFileError;
}

const expectedLane = {
  id: 'vend-1',
  kind: 'vending',
  msn: '123456',
  merchantQrId: 'vend-1',
  description: 'Snack machine',
  currency: 'NOK',
  maxAmount: 2500,
  dispenseTimeoutS: 60,
  enabled: true,
  // No controller field: log, or the simulated machine in the sandbox (see the channel registry).
  controller: { type: 'log', implicit: true },
};

describe('loadLanesFile', () => {
  it('loads the shipped lanes.yaml', async () => {
    const lanes = await loadLanesFile(join(__dirname, '../../lanes.yaml'));
    expect(lanes.length).toBeGreaterThan(0);
    expect(new Set(lanes.map((l) => l.kind))).toEqual(new Set(['vending', 'self-checkout']));
  });

  it.each(['lanes.yaml', 'lanes.yml', 'LANES.YAML'])('reads %s as YAML', async (name) => {
    const path = await fileWith(
      name,
      "lanes:\n  - id: vend-1\n    kind: vending\n    msn: '123456'\n    description: Snack machine\n    currency: NOK\n    maxAmount: 2500\n",
    );
    expect(await loadLanesFile(path)).toEqual([expectedLane]);
  });

  it('reads .json as JSON, including a bare list', async () => {
    const { merchantQrId: _q, dispenseTimeoutS: _d, enabled: _e, controller: _c, ...written } = expectedLane;
    const path = await fileWith('lanes.json', JSON.stringify([written]));
    expect(await loadLanesFile(path)).toEqual([expectedLane]);
  });

  it('reads YAML the fast reader leaves alone (flow style) through the yaml package', async () => {
    const path = await fileWith(
      'flow.yaml',
      "lanes:\n  - {id: vend-1, kind: vending, msn: '123456', description: Snack machine, currency: NOK, maxAmount: 2500, controller: {type: log}}\n",
    );
    expect(await loadLanesFile(path)).toEqual([{ ...expectedLane, controller: { type: 'log' } }]);
  });

  it('accepts anchors and merge keys for settings many lanes share', async () => {
    const path = await fileWith(
      'shared.yaml',
      [
        "x-vending: &vend {kind: vending, msn: '123456', currency: NOK, maxAmount: 2500}",
        'x-hook: &hook {type: webhook, url: "https://pos.example.com/lanes", secretEnv: POS_SECRET}',
        'lanes:',
        // More aliases than the yaml package allows by default (100), as a real fleet file would have.
        ...Array.from({ length: 300 }, (_, i) =>
          [
            `  - <<: *vend`,
            `    id: vend-${i}`,
            `    description: Machine ${i}`,
            `    controller: *hook`,
          ].join('\n'),
        ),
      ].join('\n'),
    );
    const lanes = await loadLanesFile(path);
    expect(lanes).toHaveLength(300);
    expect(lanes[299]).toEqual({
      ...expectedLane,
      id: 'vend-299',
      merchantQrId: 'vend-299',
      description: 'Machine 299',
      controller: { type: 'webhook', url: 'https://pos.example.com/lanes', secretEnv: 'POS_SECRET' },
    });
  });

  it('reports every validation error with code LANES_FILE_INVALID', async () => {
    const path = await fileWith(
      'bad.yaml',
      "lanes:\n  - id: vend-1\n    kind: vending\n    msn: '123456'\n    description: Snack machine\n    currency: NOK\n    maxAmmount: 2500\n",
    );
    const error = await failure(path);
    expect(error.code).toBe('LANES_FILE_INVALID');
    expect(error.errors).toEqual([
      'lane "vend-1" (#1): maxAmmount: unknown field (did you mean maxAmount?)',
      'lane "vend-1" (#1): maxAmount: required for kind vending',
    ]);
    expect(error.message).toBe(
      [
        `lanes file ${path} is invalid (2 errors):`,
        '  - lane "vend-1" (#1): maxAmmount: unknown field (did you mean maxAmount?)',
        '  - lane "vend-1" (#1): maxAmount: required for kind vending',
      ].join('\n'),
    );
  });

  it('gives the line and column of a YAML syntax error', async () => {
    const path = await fileWith('syntax.yaml', 'lanes:\n  - id: vend-1\n    kind: vending: x\n');
    const error = await failure(path);
    expect(error.code).toBe('LANES_FILE_UNPARSABLE');
    expect(error.errors).toEqual(['line 3, column 11: Nested mappings are not allowed in compact mappings']);
  });

  it('reports a duplicate YAML key as a syntax error with its position', async () => {
    const path = await fileWith('dup.yaml', 'lanes:\n  - id: a\n    id: b\n');
    expect((await failure(path)).errors).toEqual(['line 3, column 5: Map keys must be unique']);
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const path = await fileWith('syntax.json', '{\n  "lanes": [\n    {"id": "a",}\n  ]\n}\n');
    const error = await failure(path);
    expect(error.code).toBe('LANES_FILE_UNPARSABLE');
    expect(error.errors).toEqual(['line 3, column 16: JSON: Expected double-quoted property name']);
  });

  it('rejects an unsupported extension', async () => {
    const error = await failure(join(dir, 'lanes.toml'));
    expect(error.code).toBe('LANES_FILE_UNREADABLE');
    expect(error.errors).toEqual(['unsupported file extension ".toml": use .yaml, .yml or .json']);
  });

  it('reports a missing file', async () => {
    const path = join(dir, 'missing.yaml');
    const error = await failure(path);
    expect(error.code).toBe('LANES_FILE_UNREADABLE');
    expect(error.errors).toEqual([`ENOENT: no such file or directory, open '${path}'`]);
  });

  it('rejects an empty file', async () => {
    const path = await fileWith('empty.yaml', '# no lanes yet\n');
    expect((await failure(path)).errors).toEqual([
      'expected a mapping with a "lanes" list (or a bare list of lanes), got null',
    ]);
  });
});
