// An in-process sandbox gateway (memory store, port 0, its embedded emulator) with redirect-qr lanes, for the
// pay page's HTTP and browser tests. Not a test file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import type { PayPageLimits } from '../../src/pay/routes';
import { loadSandboxConfig } from '../support/sandbox-config';

export const MSN = '123456';

export const PAY_LANES = `lanes:
  - id: vend-pay
    kind: vending
    pairings: [callback-qr, redirect-qr]
    msn: '${MSN}'
    description: Snack machine <Oslo> & "S"
    currency: NOK
    maxAmount: 2500
    controller: { type: simulated }
  - id: vend-limit
    kind: vending
    pairings: [redirect-qr]
    msn: '${MSN}'
    description: Rate-limited machine
    currency: NOK
    maxAmount: 1500
    controller: { type: simulated }
  - id: shop-pay
    kind: self-checkout
    pairings: [redirect-qr]
    msn: '${MSN}'
    description: Self-checkout 2
    currency: NOK
    controller: { type: simulated }
  - id: vend-sticker
    kind: vending
    msn: '${MSN}'
    description: Sticker-only machine
    currency: NOK
    maxAmount: 1000
    controller: { type: simulated }
  - id: vend-off
    kind: vending
    pairings: [redirect-qr]
    msn: '${MSN}'
    description: Switched-off machine
    currency: NOK
    maxAmount: 1000
    enabled: false
    controller: { type: simulated }
`;

export interface PayHarness {
  readonly gateway: Gateway;
  readonly url: string;
  /** The embedded emulator's URL. */
  readonly emulatorUrl: string;
  readonly lanesFile: string;
  /** The emulator's ePayment payments (all MSNs). */
  payments(): Array<{
    reference: string;
    userFlow: string;
    state: string;
    createCalls: number;
    amount: { currency: string; value: number };
  }>;
  close(): Promise<void>;
}

/** `limits` lowers the pay page's rate limits; clients are told apart by X-Forwarded-For (TRUST_PROXY loopback). */
export async function startPayHarness(limits?: PayPageLimits): Promise<PayHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-pay-'));
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(lanesFile, PAY_LANES);
  const gateway = await startGateway(loadSandboxConfig(lanesFile, { TRUST_PROXY: 'loopback' }), {
    role: 'all',
    logger: silentLogger(),
    sandbox: { controllerAfterMs: 10 },
    ...(limits ? { pay: { limits } } : {}),
  });
  const emulator = gateway.emulator;
  if (!emulator) throw new Error('the sandbox gateway runs no emulator');
  return {
    gateway,
    url: gateway.url,
    emulatorUrl: emulator.url,
    lanesFile,
    payments: () => [...emulator.state.payments.values()],
    close: async () => {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The form's token on a pay page's HTML. */
export function tokenOf(page: string): string {
  const match = /name="token" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error(`no pay form on the page:\n${page}`);
  return match[1];
}

/** POSTs the pay form as a browser would (no redirect following), from `client` (X-Forwarded-For). */
export function postPay(
  url: string,
  laneId: string,
  token: string,
  client = '198.51.100.1',
): Promise<Response> {
  return fetch(`${url}/pay/${laneId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': client },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
}
