// End-to-end harness: the real gateway (intake, controller API, worker, outbox) with the in-process Vipps
// emulator and the simulated lane controller, started like `npm start` but on port 0 with an in-memory store
// and a lanes file of the test's own. Tests drive it over HTTP only: the emulator's control API (scans,
// ledger, deliveries, faults, the simulated controller) and the gateway's controller API and webhook route.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { ReceivedMessage } from '../../src/emulator/simulated-controller';
import type { CustomerBehavior } from '../../src/emulator/state';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway, type StartOptions } from '../../src/main';
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import { isFinalMessageType } from '../../src/sessions/lane-message';
import { sendSigned, signedRequest } from '../support/signed-request';
import { waitFor } from '../support/wait-for';

export const MSN = '123456';

export interface LaneSpec {
  readonly id: string;
  readonly kind: 'vending' | 'self-checkout';
  readonly maxAmount?: number;
  readonly fixedAmount?: number;
  readonly dispenseTimeoutS?: number;
}

export function lanesYaml(lanes: readonly LaneSpec[]): string {
  const out = ['lanes:'];
  for (const l of lanes) {
    out.push(
      `  - id: ${l.id}`,
      `    kind: ${l.kind}`,
      `    msn: '${MSN}'`,
      `    description: e2e ${l.id}`,
      '    currency: NOK',
    );
    if (l.maxAmount !== undefined) out.push(`    maxAmount: ${l.maxAmount}`);
    if (l.fixedAmount !== undefined) out.push(`    fixedAmount: ${l.fixedAmount}`);
    if (l.dispenseTimeoutS !== undefined) out.push(`    dispenseTimeoutS: ${l.dispenseTimeoutS}`);
  }
  return `${out.join('\n')}\n`;
}

export interface LedgerPayment {
  readonly reference: string;
  readonly state: string;
  readonly amount: { readonly value: number };
  readonly createCalls: number;
  readonly events: readonly string[];
  readonly aggregate: Record<
    'authorizedAmount' | 'capturedAmount' | 'cancelledAmount' | 'refundedAmount',
    { readonly value: number }
  >;
}

export interface ScannedSession {
  readonly laneId: string;
  readonly sessionId: string;
  readonly reference: string;
}

export interface E2e {
  readonly gateway: Gateway;
  readonly emulatorUrl: string;
  /** The emulator's control API; answers `{status, body}` (body parsed when JSON). */
  control(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  scan(laneId: string, behavior?: CustomerBehavior): Promise<ScannedSession>;
  messages(laneId: string): Promise<ReceivedMessage[]>;
  /** Waits for the session's final lane message. */
  final(s: ScannedSession, timeoutMs?: number): Promise<ReceivedMessage['message']>;
  payment(reference: string): Promise<LedgerPayment | undefined>;
  payments(): Promise<LedgerPayment[]>;
  /** The gateway's controller API with a fleet token signed with the configured key. */
  controllerApi(method: string, p: string, body?: unknown): Promise<Response>;
  /** The emulator's ePayment event log of a payment (the bodies its webhooks carried, minus `msn`). */
  epaymentEvents(reference: string): Promise<Record<string, unknown>[]>;
  /** POSTs `body` to the gateway's webhook route, signed as Vipps signs it with the registered secret. */
  postWebhook(body: string): Promise<Response>;
  /** The gateway's admin listener (its URL, ADMIN_TOKEN as the Bearer token; label `admin`). */
  admin(p: string, init?: RequestInit): Promise<Response>;
  /** The ADMIN_TOKEN the gateway was started with. */
  readonly adminToken: string;
  /** Waits until no job is ready or in flight (the admin endpoint): what was queued so far was handled. */
  queueIdle(): Promise<{ readonly dead: number }>;
  close(): Promise<void>;
}

export interface E2eOptions {
  readonly lanes: readonly LaneSpec[];
  /** A real data directory (its lock file names the admin URL the CLI uses); default in memory. */
  readonly dataDir?: string;
  /** More environment for loadConfig (e.g. OPERATOR_TOKENS); overrides the harness's own. */
  readonly env?: Readonly<Record<string, string>>;
  readonly start?: Omit<StartOptions, 'role'>;
}

export async function startE2e(options: E2eOptions): Promise<E2e> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-e2e-'));
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(lanesFile, lanesYaml(options.lanes));
  const jwtSecret = randomBytes(24).toString('hex');
  const adminToken = randomBytes(24).toString('hex');
  const config = loadConfig({
    VIPPS_ENV: 'sandbox',
    DATA_DIR: options.dataDir ?? 'memory://',
    PORT: '0',
    EMULATOR_PORT: '0',
    LANES_FILE: lanesFile,
    CONTROLLER_JWT_KEYS: `hs256:${jwtSecret}`,
    ADMIN_TOKEN: adminToken,
    ...options.env,
  });
  const gateway = await startGateway(config, {
    logger: silentLogger(),
    ...options.start,
    role: 'all',
    sandbox: { controllerAfterMs: 100, ...options.start?.sandbox },
  });
  const emulatorUrl = gateway.emulator?.url ?? '';
  const lanes = new Map(options.lanes.map((l) => [l.id, l]));

  const control: E2e['control'] = async (method, p, body) => {
    const res = await fetch(`${emulatorUrl}${p}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, body: type.includes('json') ? (JSON.parse(text) as unknown) : text };
  };
  const messages = async (laneId: string): Promise<ReceivedMessage[]> =>
    (
      (await control('GET', `/emulator/v1/controllers/${laneId}/messages`)).body as {
        messages: ReceivedMessage[];
      }
    ).messages;
  const payments = async (): Promise<LedgerPayment[]> =>
    ((await control('GET', '/emulator/v1/payments')).body as { payments: LedgerPayment[] }).payments;
  const accessToken = async (): Promise<string> => {
    const res = await fetch(`${emulatorUrl}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: 'e2e', client_secret: 'e2e', 'Ocp-Apim-Subscription-Key': 'e2e' },
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  return {
    gateway,
    emulatorUrl,
    control,
    async scan(laneId, behavior = { action: 'approve' }) {
      const lane = lanes.get(laneId);
      if (!lane) throw new Error(`no lane ${laneId} in this test's lanes file`);
      const res = await control('POST', '/emulator/v1/scans', { msn: MSN, merchantQrId: laneId, behavior });
      if (res.status !== 201) throw new Error(`scan answered ${res.status}`);
      const { customerToken, initiatedAt } = res.body as { customerToken: string; initiatedAt: string };
      const sessionId = sessionIdFor({ msn: MSN, merchantQrId: laneId, initiatedAt, customerToken });
      return { laneId, sessionId, reference: referenceFor(laneId, sessionId) };
    },
    messages,
    async final(s, timeoutMs = 15_000) {
      const found = await waitFor(
        async () =>
          (await messages(s.laneId)).find(
            (r) => r.message.sessionId === s.sessionId && isFinalMessageType(r.message.type),
          ),
        { timeoutMs, intervalMs: 25, what: `the final lane message of ${s.sessionId}` },
      );
      return found.message;
    },
    async payment(reference) {
      const res = await control('GET', `/emulator/v1/payments?reference=${encodeURIComponent(reference)}`);
      return (res.body as { payments: LedgerPayment[] }).payments[0];
    },
    payments,
    controllerApi(method, p, body) {
      // On the gateway's clock, which a test may have moved ahead of real time.
      const nowS = Math.floor((options.start?.clock ?? systemClock).now().getTime() / 1000);
      const token = jwt.sign({ lanes: '*', iat: nowS, exp: nowS + 300 }, jwtSecret, { algorithm: 'HS256' });
      return fetch(`${gateway.url}${p}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async epaymentEvents(reference) {
      const res = await fetch(`${emulatorUrl}/epayment/v1/payments/${reference}/events`, {
        headers: {
          Authorization: `Bearer ${await accessToken()}`,
          'Ocp-Apim-Subscription-Key': 'e2e',
          'Merchant-Serial-Number': MSN,
        },
      });
      if (res.status !== 200) throw new Error(`events answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>[];
    },
    postWebhook(body) {
      const url = gateway.publicWebhookUrl;
      const secret = gateway.webhookSecrets[0] ?? '';
      return sendSigned(url, signedRequest({ url, secret, body, date: new Date() }));
    },
    adminToken,
    admin: (p, init = {}) =>
      fetch(`${gateway.adminUrl ?? ''}${p}`, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          authorization: `Bearer ${adminToken}`,
        },
      }),
    queueIdle() {
      return waitFor(
        async () => {
          const res = await fetch(`${gateway.adminUrl ?? ''}/admin/queue/stats`, {
            headers: { authorization: `Bearer ${adminToken}` },
          });
          const stats = (await res.json()) as {
            ready: number;
            inFlight: number;
            dead: number;
          };
          return stats.ready === 0 && stats.inFlight === 0 ? stats : undefined;
        },
        { what: 'an idle queue' },
      );
    },
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The ePayment event of `reference` named `name`, as its webhook body (`{msn, ...event}`, Vipps's order). */
export async function webhookBody(e2e: E2e, reference: string, name: string): Promise<string> {
  const event = (await e2e.epaymentEvents(reference)).find((e) => e['name'] === name);
  if (!event) throw new Error(`${reference} has no ${name} event`);
  return JSON.stringify({ msn: MSN, ...event });
}
