// What the sandbox does at start (issue 13): webhook auto-registration or a warning saying why not, the
// generated controller key only without CONTROLLER_JWT_KEYS, and the simulated machine only on its lanes.
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startEmulator, type StartedEmulator } from '../../src/emulator/emulator';
import { startGateway, type Gateway, type Role } from '../../src/main';
import { captureLogs, useLanesDir } from '../support/lanes-dir';
import { loadSandboxConfig } from '../support/sandbox-config';
import { waitFor } from '../support/wait-for';

// Each test starts a gateway (in-memory store, migrations): seconds alone, far more on a busy machine.
jest.setTimeout(120_000);

const LANES = `lanes:
  - id: vend-sim
    kind: vending
    msn: '123456'
    description: simulated lane
    currency: NOK
    maxAmount: 1000
    controller: { type: simulated }
  - id: vend-log
    kind: vending
    msn: '123456'
    description: log lane
    currency: NOK
    maxAmount: 1000
    controller: { type: log }
`;

const lanes = useLanesDir('cg-sandbox-start-', LANES);
const { running } = lanes;
const capture = captureLogs;

async function start(env: Record<string, string>, role: Role = 'all') {
  const { logger, lines } = capture();
  const config = loadSandboxConfig(lanes.lanesFile(), env);
  const gateway: Gateway = await startGateway(config, { role, logger, sandbox: { controllerAfterMs: 10 } });
  running.push(gateway);
  return { gateway, lines };
}

async function externalEmulator(): Promise<StartedEmulator> {
  const emulator = await startEmulator({ port: 0, allowHttp: true });
  running.push(emulator);
  return emulator;
}

const HS = `hs256:${'k'.repeat(40)}`;

describe('sandbox webhook registration', () => {
  it('registers with the built-in emulator even when VIPPS_WEBHOOK_SECRETS is set, and accepts both', async () => {
    const { gateway, lines } = await start({ VIPPS_WEBHOOK_SECRETS: 'my-own-secret' });
    // Two registrations per sales unit: check-ins and ePayment events (issue 15).
    expect(gateway.emulator?.state.webhooks.size).toBe(2);
    expect(gateway.webhookSecrets).toHaveLength(3);
    expect(gateway.webhookSecrets[0]).toBe('my-own-secret');
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'sandbox: registered the webhook with the sandbox Vipps',
        alsoAccepted: 'VIPPS_WEBHOOK_SECRETS',
      }),
    );
  });

  it('leaves an external emulator alone when VIPPS_WEBHOOK_SECRETS is set, and warns saying why and what to do', async () => {
    const emulator = await externalEmulator();
    const { gateway, lines } = await start(
      { VIPPS_BASE_URL: emulator.url, VIPPS_WEBHOOK_SECRETS: 'my-own-secret' },
      'serve',
    );
    expect(emulator.state.webhooks.size).toBe(0);
    expect(gateway.webhookSecrets).toEqual(['my-own-secret']);
    const warning = lines.find(
      (l) => l['level'] === 'warn' && String(l['message']).includes('not registering'),
    );
    expect(warning?.['message']).toBe(
      'sandbox: not registering the webhook with the external emulator because VIPPS_WEBHOOK_SECRETS is set; scans reach the gateway only through a registration you made (checkin-gateway webhooks register) whose secret is in VIPPS_WEBHOOK_SECRETS. Unset VIPPS_WEBHOOK_SECRETS to have the gateway register at start',
    );
  });

  it('registers with an external emulator when VIPPS_WEBHOOK_SECRETS is unset', async () => {
    const emulator = await externalEmulator();
    const { gateway } = await start({ VIPPS_BASE_URL: emulator.url }, 'serve');
    expect([...emulator.state.webhooks.values()].map((w) => w.events.length)).toEqual([1, 8]);
    expect(gateway.webhookSecrets).toHaveLength(2);
  });
});

describe('sandbox controller key', () => {
  it('generates one when CONTROLLER_JWT_KEYS is unset', async () => {
    const { gateway } = await start({});
    expect(gateway.sandboxControllerKey).toMatch(/^hs256:/);
  });

  it('adds none when CONTROLLER_JWT_KEYS is set: the simulated machine signs with the hs256 key given', async () => {
    const { gateway, lines } = await start({ CONTROLLER_JWT_KEYS: HS });
    expect(gateway.sandboxControllerKey).toBeUndefined();
    expect(lines.filter((l) => String(l['message']).includes('cannot report dispenses'))).toEqual([]);
  });

  it('warns when CONTROLLER_JWT_KEYS holds no hs256 key the simulated machine could sign with', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const { gateway, lines } = await start({
      CONTROLLER_JWT_KEYS: `pem:${Buffer.from(pem).toString('base64')}`,
    });
    expect(gateway.sandboxControllerKey).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message:
          'sandbox: the simulated controller cannot report dispenses: CONTROLLER_JWT_KEYS has no hs256 key. Add an hs256:<secret> entry, or unset CONTROLLER_JWT_KEYS to use a generated sandbox key',
        lanes: ['vend-sim'],
      }),
    );
  });
});

describe('the simulated machine in the sandbox', () => {
  it('hears and reports on the simulated lane only, never on a log lane', async () => {
    const { gateway, lines } = await start({});
    const emulator = gateway.emulator;
    const controller = gateway.simulatedController;
    if (!emulator || !controller) throw new Error('expected the embedded sandbox');
    for (const merchantQrId of ['vend-sim', 'vend-log'])
      emulator.scan({ msn: '123456', merchantQrId, behavior: { action: 'approve' } });
    await waitFor(() => controller.reports('vend-sim').find((r) => r.status === 202), {
      timeoutMs: 60_000,
      what: 'the simulated dispense report on vend-sim',
    });
    // The log lane's authorized message was delivered (logged by its log channel) without reaching the machine.
    await waitFor(
      () =>
        lines.find(
          (l) =>
            l['message'] === 'lane message' &&
            l['laneId'] === 'vend-log' &&
            l['type'] === 'session.authorized',
        ),
      { timeoutMs: 60_000, what: "vend-log's session.authorized through the log channel" },
    );
    expect(controller.messages('vend-log')).toEqual([]);
    expect(controller.reports('vend-log')).toEqual([]);
  });
});

describe('simulated lanes with an external emulator', () => {
  it('warns that they are only logged, naming them and the fix', async () => {
    const emulator = await externalEmulator();
    const { gateway, lines } = await start({ VIPPS_BASE_URL: emulator.url }, 'work');
    expect(gateway.simulatedController).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message:
          'sandbox: no simulated machine runs with an external emulator (VIPPS_BASE_URL): lanes on the simulated channel are only logged and nothing reports their dispenses. Unset VIPPS_BASE_URL to use the built-in emulator, or give the lanes a webhook controller',
        lanes: ['vend-sim'],
      }),
    );
  });
});

describe('simulated lanes outside the sandbox', () => {
  it('refuses to start, naming the lane and the fix', async () => {
    const config = loadConfig({
      VIPPS_ENV: 'test',
      VIPPS_CLIENT_ID: 'id',
      VIPPS_CLIENT_SECRET: 'secret',
      VIPPS_SUBSCRIPTION_KEY: 'key',
      VIPPS_WEBHOOK_SECRETS: 'whsec',
      PUBLIC_WEBHOOK_URL: 'https://pay.example.com/webhooks/vipps',
      DATA_DIR: 'memory://',
      PORT: '0',
      LANES_FILE: lanes.lanesFile(),
    });
    await expect(startGateway(config, { role: 'serve', logger: capture().logger })).rejects.toThrow(
      /lane "vend-sim" \(#1\): controller\.type: controller type simulated .* works only with VIPPS_ENV=sandbox/,
    );
  });
});

describe('sandbox with a strict standalone emulator', () => {
  it('refuses to start when the emulator was not started with --allow-http, saying so', async () => {
    const strict = await startEmulator({ port: 0 });
    running.push(strict);
    await expect(start({ VIPPS_BASE_URL: strict.url }, 'serve')).rejects.toThrow(
      /refused to register http:\/\/127\.0\.0\.1:\d+\/webhooks\/vipps: it accepts https URLs only unless started with `checkin-gateway emulator --allow-http`/,
    );
    expect(strict.state.webhooks.size).toBe(0);
  });
});
