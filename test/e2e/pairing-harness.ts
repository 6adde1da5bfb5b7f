// The sandbox gateway (memory store, port 0, its embedded emulator and simulated lane controllers) with lanes
// offering the controller-started pairings (issue 16), driven over HTTP only: the controller API with a signed
// JWT, the emulator's control API. Not a test file.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { ReceivedMessage } from '../../src/emulator/simulated-controller';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import { isFinalMessageType } from '../../src/sessions/lane-message';
import { loadSandboxConfig } from '../support/sandbox-config';
import { waitFor } from '../support/wait-for';

export const MSN = '123456';

export interface PairingHarness {
  readonly gateway: Gateway;
  /** The controller API with a token for `lanes` (default every lane). */
  controller(method: string, p: string, body?: unknown, lanes?: string | string[]): Promise<Response>;
  /** The emulator's control API: `{status, body}` (body parsed when JSON). */
  control(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  messages(laneId: string): Promise<ReceivedMessage['message'][]>;
  /** The session's final lane message. */
  final(laneId: string, sessionId: string): Promise<ReceivedMessage['message']>;
  /** The emulator's ledger entry of `reference`. */
  payment(reference: string): Promise<unknown>;
  /** Every ePayment payment of the emulator (all lanes). */
  paymentCount(): number;
  close(): Promise<void>;
}

export async function startPairingHarness(lanesYaml: string): Promise<PairingHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-pairing-'));
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(lanesFile, lanesYaml);
  const secret = randomBytes(24).toString('hex');
  const gateway = await startGateway(
    loadSandboxConfig(lanesFile, { CONTROLLER_JWT_KEYS: `hs256:${secret}` }),
    {
      role: 'all',
      logger: silentLogger(),
      sandbox: { controllerAfterMs: 20 },
    },
  );
  const emulator = gateway.emulator;
  if (!emulator) throw new Error('the sandbox gateway runs no emulator');

  const control: PairingHarness['control'] = async (method, p, body) => {
    const res = await fetch(`${emulator.url}${p}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, body: type.includes('json') ? JSON.parse(text) : text };
  };
  const messages = async (laneId: string) =>
    (
      (await control('GET', `/emulator/v1/controllers/${laneId}/messages`)).body as {
        messages: ReceivedMessage[];
      }
    ).messages.map((r) => r.message);

  return {
    gateway,
    controller(method, p, body, lanes = '*') {
      const nowS = Math.floor(Date.now() / 1000);
      const token = jwt.sign({ lanes, iat: nowS, exp: nowS + 300 }, secret, { algorithm: 'HS256' });
      return fetch(`${gateway.url}${p}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    control,
    messages,
    async final(laneId, sessionId) {
      return waitFor(
        async () =>
          (await messages(laneId)).find((m) => m.sessionId === sessionId && isFinalMessageType(m.type)),
        { timeoutMs: 15_000, intervalMs: 25, what: `the final lane message of ${sessionId}` },
      );
    },
    async payment(reference) {
      const res = await control('GET', `/emulator/v1/payments/${encodeURIComponent(reference)}`);
      return res.status === 200 ? res.body : undefined;
    },
    paymentCount: () => emulator.state.payments.size,
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One lane entry of a lanes file; `extra` lines are indented as fields. */
export function laneYaml(
  id: string,
  kind: 'vending' | 'self-checkout',
  pairings: string,
  extra: readonly string[] = [],
): string {
  return [
    `  - id: ${id}`,
    `    kind: ${kind}`,
    `    msn: '${MSN}'`,
    `    description: Pairing lane ${id}`,
    '    currency: NOK',
    `    pairings: ${pairings}`,
    '    controller: { type: simulated }',
    ...extra.map((line) => `    ${line}`),
  ].join('\n');
}
