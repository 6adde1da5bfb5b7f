// A lane whose channel cannot work stops a worker's start, naming the lane and the fix (issue 13); a reload
// that brings one in keeps the previous lanes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config';
import { LanesFileError } from '../../src/lanes/errors';
import { createLogger } from '../../src/log';
import { startGateway, type Gateway, type Role } from '../../src/main';

// Each start opens PGlite and the embedded emulator: seconds on a shared 2-core machine.
jest.setTimeout(120_000);

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

const lane = (id: string, controller: string) => `  - id: ${id}
    kind: vending
    msn: '123456'
    description: ${id}
    currency: NOK
    maxAmount: 1000
    controller: ${controller}
`;
const HOOK = lane(
  'vend-hook',
  '{ type: webhook, url: "https://pos.example.com/lanes", secretEnv: POS_SECRET }',
);
const LOG = lane('vend-log', '{ type: log }');
const SQS = lane(
  'vend-sqs',
  '{ type: sqs, queueUrl: "https://sqs.eu-north-1.amazonaws.com/123456789012/lanes.fifo" }',
);

let dir: string;
const running: Gateway[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-channels-start-'));
});
afterEach(async () => {
  for (const g of running.splice(0)) await g.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lanesFile(name: string, ...lanes: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `lanes:\n${lanes.join('')}`);
  return file;
}

async function start(file: string, env: Record<string, string> = {}, role: Role = 'all'): Promise<Gateway> {
  const config = loadConfig({
    VIPPS_ENV: 'sandbox',
    DATA_DIR: 'memory://',
    PORT: '0',
    EMULATOR_PORT: '0',
    LANES_FILE: file,
    ...env,
  });
  const logger = createLogger({ stream: new PassThrough(), level: 'error' });
  const gateway = await startGateway(config, { role, logger });
  running.push(gateway);
  return gateway;
}

async function startError(file: string, env: Record<string, string> = {}): Promise<LanesFileError> {
  const err = await start(file, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LanesFileError);
  return err as LanesFileError;
}

describe('channels checked at start', () => {
  it('refuses to start with a webhook lane whose secretEnv is unset, naming the lane and the fix', async () => {
    const file = await lanesFile('unset.yaml', LOG, HOOK);
    const err = await startError(file);
    expect(err.code).toBe('LANES_CHANNELS_UNUSABLE');
    expect(err.message).toBe(
      [
        `lanes file ${file} has lanes whose controller channel cannot work (1 error):`,
        '  - lane "vend-hook" (#2): controller.secretEnv: POS_SECRET is not set: the webhook channel needs its ' +
          "Standard Webhooks secret (whsec_…); set it in the environment of the gateway's worker (`work` or `all`)",
      ].join('\n'),
    );
  });

  it('refuses an sqs lane when the worker has no SQS client (QUEUE=postgres)', async () => {
    const err = await startError(await lanesFile('sqs.yaml', SQS));
    expect(err.errors).toEqual([
      'lane "vend-sqs" (#1): controller.type: a lane uses an sqs controller channel but no SQS client was ' +
        'configured (AWS_REGION / AWS_ENDPOINT_URL_SQS); run the worker with QUEUE=sqs, or give the lane a webhook controller',
    ]);
  });

  it('starts once the variable is set', async () => {
    const gateway = await start(await lanesFile('set.yaml', LOG, HOOK), { POS_SECRET: SECRET });
    expect(gateway.lanes.current().size).toBe(2);
  });

  it('leaves a serve-only process alone: it sends no lane messages', async () => {
    const gateway = await start(await lanesFile('serve.yaml', HOOK), {}, 'serve');
    expect(gateway.lanes.current().size).toBe(1);
  });

  it('keeps the previous lanes when a reload brings in a lane whose channel cannot work', async () => {
    const file = await lanesFile('reload.yaml', LOG);
    const gateway = await start(file);
    await writeFile(file, `lanes:\n${LOG}${HOOK}`);
    const result = await gateway.lanes.reload();
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^lane "vend-hook" \(#2\): controller\.secretEnv: POS_SECRET is not set/),
      ],
    });
    expect(
      gateway.lanes
        .current()
        .all()
        .map((l) => l.id),
    ).toEqual(['vend-log']);
  });
});
