// Webhook registrations in production shape (issue 15), against the strict emulator over HTTP and a real
// gateway: the operator's CLI registers both kinds with --apply into VIPPS_WEBHOOK_SECRETS_FILE, the gateway
// picks the secrets up without a restart; check-in rotation (delete, then register) with its gap measured;
// ePayment rotation with no gap; a missing registration detected (metric, /readyz detail, error log).
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { startEmulator, type StartedEmulator } from '../../src/emulator/emulator';
import type { DeliveryRecord, WebhookRegistration } from '../../src/emulator/state';
import { startGateway, type Gateway } from '../../src/main';
import { checkinPayload, sendSigned, signedRequest } from '../support/signed-request';
import { captureLogs, useLanesDir } from '../support/lanes-dir';
import { loadSandboxConfig } from '../support/sandbox-config';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const MSN = '123456';
const LANES = `lanes:
  - id: vend-log
    kind: vending
    msn: '${MSN}'
    description: log lane
    currency: NOK
    maxAmount: 1000
    controller: { type: log }
`;

const lanes = useLanesDir('cg-webhook-registrations-', LANES);
const { running } = lanes;
const capture = captureLogs;

interface Setup {
  readonly emulator: StartedEmulator;
  readonly gateway: Gateway;
  readonly lines: Array<Record<string, unknown>>;
  readonly secretsFile: string;
  cli(argv: string[]): Promise<{ code: number; out: string; err: string }>;
}

/** A strict emulator (as Vipps, http allowed for this machine) and a gateway whose secrets live in a file. */
async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const emulator = await startEmulator({ port: 0, allowHttp: true, approveAfterMs: 20 });
  running.push(emulator);
  const secretsFile = path.join(await mkdtemp(path.join(lanes.dir(), 'secrets-')), 'webhook-secrets');
  // A secret of the operator's: the gateway then leaves the registrations to the operator (no auto-register).
  await writeFile(secretsFile, '# managed by webhooks --apply\nplaceholder-secret-of-no-registration\n', {
    mode: 0o600,
  });
  const { logger, lines } = capture();
  const config = loadSandboxConfig(lanes.lanesFile(), {
    VIPPS_BASE_URL: emulator.url,
    VIPPS_WEBHOOK_SECRETS_FILE: secretsFile,
    INTAKE_FAILED_AUTH_LIMIT_PER_MIN: '1000000',
    ...env,
  });
  const gateway = await startGateway(config, { role: 'all', logger });
  running.push(gateway);
  const cli = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {
        VIPPS_ENV: 'sandbox',
        VIPPS_BASE_URL: emulator.url,
        LANES_FILE: lanes.lanesFile(),
        PUBLIC_WEBHOOK_URL: gateway.publicWebhookUrl.href,
        VIPPS_WEBHOOK_SECRETS_FILE: secretsFile,
      },
    };
    const code = await runCli(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { emulator, gateway, lines, secretsFile, cli };
}

/** A check-in signed with `secret`, sent straight to the gateway; its HTTP status (401 = secret not accepted). */
async function probe(gateway: Gateway, secret: string): Promise<number> {
  const req = signedRequest({
    url: gateway.publicWebhookUrl,
    secret,
    body: checkinPayload({
      merchantQrId: 'vend-log',
      msn: MSN,
      customerToken: `probe-${performance.now()}`,
      initiatedAt: new Date().toISOString(),
    }),
    date: new Date(),
  });
  const res = await sendSigned(gateway.url, req);
  await res.arrayBuffer();
  return res.status;
}

/** Scans the lane and resolves with the delivery record of the check-in (first attempt). */
async function scanDelivered(emulator: StartedEmulator): Promise<DeliveryRecord> {
  const delivered = new Promise<DeliveryRecord>((resolve) => {
    const listener = (d: DeliveryRecord): void => {
      if (d.event !== 'user.checked-in.v1') return;
      emulator.events.off('delivery', listener);
      resolve(d);
    };
    emulator.events.on('delivery', listener);
  });
  emulator.scan({ msn: MSN, merchantQrId: 'vend-log' });
  return delivered;
}

const metricValue = async (gateway: Gateway, kind: string): Promise<string | undefined> => {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return new RegExp(`^checkin_webhook_registration_ok\\{kind="${kind}"\\} (\\d)$`, 'm').exec(text)?.[1];
};

describe('webhook registrations against the strict emulator', () => {
  it('registers both kinds with --apply (no restart), then rotates the check-in one delete-then-register with its gap measured', async () => {
    const s = await setup();
    expect((await s.cli(['webhooks', 'register', '--apply'])).code).toBe(0);
    const regs = [...s.emulator.state.webhooks.values()];
    expect(regs.map((w) => w.events.length)).toEqual([1, 8]);
    const old = regs[0]!;
    // No restart: the gateway's file watcher brought the secrets in.
    await waitFor(async () => (await probe(s.gateway, old.secret)) !== 401, { what: 'old secret accepted' });
    expect(await scanDelivered(s.emulator)).toMatchObject({ registrationId: old.id, status: 202 });

    let deletedAt = 0;
    let fresh: WebhookRegistration | undefined;
    s.emulator.events.once('webhook-deleted', () => (deletedAt = performance.now()));
    s.emulator.events.on('webhook-registered', (w: WebhookRegistration) => (fresh = w));
    const rotation = s.cli(['webhooks', 'rotate', '--kind', 'checkin', '--apply', '--yes']);
    // The gap: from the old registration's deletion to the gateway accepting the new one's secret.
    const secret = (await waitFor(() => fresh, { what: 'new registration', intervalMs: 1 })).secret;
    let refused = 0;
    while ((await probe(s.gateway, secret)) === 401) refused += 1;
    const gapMs = performance.now() - deletedAt;
    const result = await rotation;
    expect(result.code).toBe(0);
    expect(deletedAt).toBeGreaterThan(0);
    // Two API calls, one file write and the gateway's fs.watch: far below a second on any machine.
    expect(gapMs).toBeLessThan(1000);
    console.log(`check-in rotation gap: ${gapMs.toFixed(1)} ms (${refused} probes refused during it)`);

    expect([...s.emulator.state.webhooks.keys()]).not.toContain(old.id);
    // --apply removed the old secret from the file; the gateway drops it on its next read.
    await waitFor(async () => (await probe(s.gateway, old.secret)) === 401, { what: 'old secret refused' });
    const d = await scanDelivered(s.emulator);
    expect(d).toMatchObject({ registrationId: fresh?.id, status: 202 });
  });

  it('rotates the ePayment registration with no gap: the gateway accepts the new secret before the old is deleted', async () => {
    const s = await setup();
    expect((await s.cli(['webhooks', 'register', '--apply'])).code).toBe(0);
    const old = [...s.emulator.state.webhooks.values()].find((w) => w.events.length === 8)!;
    let fresh: WebhookRegistration | undefined;
    s.emulator.events.on('webhook-registered', (w: WebhookRegistration) => (fresh = w));
    const atDeletion = new Promise<number>((resolve) =>
      s.emulator.events.once('webhook-deleted', () => resolve(probe(s.gateway, fresh!.secret))),
    );
    const r = await s.cli(['webhooks', 'rotate', '--kind', 'epayment', '--apply', '--yes']);
    expect(r.code).toBe(0);
    expect(await atDeletion).toBe(202);
    expect([...s.emulator.state.webhooks.values()].map((w) => w.id)).not.toContain(old.id);
    expect(r.out.indexOf(`registered webhook ${fresh?.id}`)).toBeLessThan(
      r.out.indexOf('deleted old webhook'),
    );
  });

  it('detects a missing registration: metric 0, /readyz degraded with the fix, an error log line', async () => {
    const s = await setup({ WEBHOOK_REGISTRATION_CHECK_S: '1' });
    // At start nothing is registered: both kinds are reported missing.
    await waitFor(async () => (await metricValue(s.gateway, 'checkin')) === '0', { what: 'metric 0' });
    expect((await s.cli(['webhooks', 'register', '--apply'])).code).toBe(0);
    await s.gateway.registrationHealth?.check();
    expect(await metricValue(s.gateway, 'checkin')).toBe('1');
    expect(await metricValue(s.gateway, 'epayment')).toBe('1');
    const ready = await (await fetch(`${s.gateway.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', checks: { webhookRegistrations: 'ok' } });

    // Vipps deleted the check-in registration (unresponsive for two weeks, or an operator's mistake).
    const checkin = [...s.emulator.state.webhooks.values()].find((w) => w.events.length === 1)!;
    const before = s.lines.length;
    expect((await s.cli(['webhooks', 'delete', checkin.id])).code).toBe(0);
    // The hourly check, here every second, finds it.
    await waitFor(async () => (await metricValue(s.gateway, 'checkin')) === '0', {
      what: 'metric 0 after deletion',
      timeoutMs: 10_000,
    });
    expect(await metricValue(s.gateway, 'epayment')).toBe('1');
    const res = await fetch(`${s.gateway.url}/readyz`);
    expect(res.status).toBe(200); // degraded, not failing: see registration-health-runner.ts
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'degraded',
      checks: {
        webhookRegistrations: `degraded: 1 webhook registration(s) missing at Vipps (checkin for MSN ${MSN})`,
      },
      degraded: {
        webhookRegistrations: {
          url: s.gateway.publicWebhookUrl.href,
          missing: [
            {
              msn: MSN,
              kind: 'checkin',
              problem: `no checkin registration for ${s.gateway.publicWebhookUrl.href}`,
              fix: `checkin-gateway webhooks register --kind checkin --msn ${MSN}`,
            },
          ],
        },
      },
    });
    const errors = s.lines.slice(before).filter((l) => l['level'] === 'error');
    expect(errors[0]).toMatchObject({
      message: 'webhook registration missing at Vipps: deliveries of this kind do not reach the gateway',
      kind: 'checkin',
      msn: MSN,
      fix: `checkin-gateway webhooks register --kind checkin --msn ${MSN}`,
    });
  });
});

describe('WEBHOOK_PATH behind a prefix-stripping proxy', () => {
  /** A plain node http proxy that strips `/edge` and rewrites Host, as a load balancer with a path rule does. */
  async function stripProxy(target: () => number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').replace(/^\/edge(?=\/)/, '');
      const up = request(
        {
          host: '127.0.0.1',
          port: target(),
          path: url,
          method: req.method,
          headers: { ...req.headers, host: `127.0.0.1:${target()}` },
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    running.push({
      close: async () => {
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      },
    });
    return { server, port: (server.address() as AddressInfo).port };
  }

  it('verifies deliveries signed over PUBLIC_WEBHOOK_URL that arrive at WEBHOOK_PATH', async () => {
    let gatewayPort = 0;
    const proxy = await stripProxy(() => gatewayPort);
    const publicUrl = `http://127.0.0.1:${proxy.port}/edge/webhooks/vipps`;
    const { logger } = capture();
    const gateway = await startGateway(
      loadSandboxConfig(lanes.lanesFile(), {
        PUBLIC_WEBHOOK_URL: publicUrl,
        WEBHOOK_PATH: '/webhooks/vipps',
      }),
      { role: 'all', logger },
    );
    running.push(gateway);
    gatewayPort = gateway.port;
    const emulator = gateway.emulator!;
    // The sandbox registered the public URL (through the proxy) with its emulator.
    expect([...emulator.state.webhooks.values()].map((w) => w.url)).toEqual([publicUrl, publicUrl]);
    const d = await scanDelivered(emulator as StartedEmulator);
    expect(d).toMatchObject({ url: publicUrl, status: 202 });
    // The same delivery straight at the public path (no proxy in between) is not served there.
    const direct = signedRequest({
      url: new URL(publicUrl),
      secret: gateway.webhookSecrets[0]!,
      body: checkinPayload({ merchantQrId: 'vend-log', msn: MSN, initiatedAt: new Date().toISOString() }),
      date: new Date(),
    });
    expect((await sendSigned(gateway.url, direct)).status).toBe(404);
  });
});
