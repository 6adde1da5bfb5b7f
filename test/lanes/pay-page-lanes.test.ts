// A redirect-qr lane's sticker opens PUBLIC_BASE_URL/pay/{laneId}: outside the sandbox, where PUBLIC_BASE_URL
// has no default, `lanes check` and the start refuse such lanes without it, one line each, before anything
// listens; the sandbox (its own URL) and the work role (serves no page) need nothing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { checkLanesFile } from '../../src/lanes/check-command';
import { PayPageConfigError } from '../../src/lanes/pay-page-lanes';
import { silentLogger } from '../../src/log';
import { startGateway } from '../../src/main';

let dir: string;
let lanesFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pay-page-lanes-'));
  lanesFile = join(dir, 'lanes.yaml');
  await writeFile(
    lanesFile,
    [
      'lanes:',
      '  - { id: vend-web, kind: vending, msn: "123456", description: Web machine, currency: NOK,',
      '      maxAmount: 2000, pairings: [callback-qr, redirect-qr], controller: { type: log } }',
      '  - { id: vend-sticker, kind: vending, msn: "123456", description: Sticker machine, currency: NOK,',
      '      maxAmount: 2000, controller: { type: log } }',
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const LINE =
  'lane "vend-web": offers redirect-qr, whose sticker opens PUBLIC_BASE_URL/pay/vend-web; set ' +
  "PUBLIC_BASE_URL (the https URL customers' phones reach this gateway at) or drop redirect-qr";

const outsideSandbox = (extra: Record<string, string> = {}) =>
  loadConfig({
    VIPPS_ENV: 'test',
    VIPPS_CLIENT_ID: 'id',
    VIPPS_CLIENT_SECRET: 'client-secret-7f3a',
    VIPPS_SUBSCRIPTION_KEY: 'key',
    VIPPS_WEBHOOK_SECRETS: 'whsec-8c1d',
    PUBLIC_WEBHOOK_URL: 'https://pay.example.com/webhooks/vipps',
    CONTROLLER_JWT_AUDIENCE: 'checkin-gateway',
    CONTROLLER_JWT_ISSUER: 'checkin-controllers',
    DATA_DIR: 'memory://',
    PORT: '0',
    LANES_FILE: lanesFile,
    ...extra,
  });

describe('redirect-qr lanes without PUBLIC_BASE_URL', () => {
  it('lanes check outside the sandbox: exit 1, one line per redirect-qr lane', async () => {
    expect(await checkLanesFile(lanesFile, { VIPPS_ENV: 'production' })).toEqual({
      exitCode: 1,
      output: [
        `error: ${lanesFile} has redirect-qr lanes but no PUBLIC_BASE_URL (1 error):`,
        `  ${LINE}`,
      ].join('\n'),
    });
  });

  it('lanes check passes with PUBLIC_BASE_URL, and in the sandbox without it', async () => {
    const withUrl = await checkLanesFile(lanesFile, {
      VIPPS_ENV: 'production',
      PUBLIC_BASE_URL: 'https://pay.example.com/',
    });
    expect(withUrl.exitCode).toBe(0);
    expect(withUrl.output).toMatch(/^ok: 2 lanes \(2 vending, 0 self-checkout\)/);
    expect((await checkLanesFile(lanesFile, { VIPPS_ENV: 'sandbox' })).exitCode).toBe(0);
  });

  it('the serve role refuses to start with the same line, before anything listens', async () => {
    const started = startGateway(outsideSandbox(), { role: 'serve', logger: silentLogger() });
    await expect(started).rejects.toThrow(PayPageConfigError);
    await expect(started).rejects.toThrow(LINE);
  });
});
