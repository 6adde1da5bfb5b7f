// The console tests' gateway: the real sandbox gateway in-process (embedded Vipps emulator, simulated lane
// controller, in-memory store, ports 0), with an operator token of the test's own and a lanes file whose
// description is hostile markup, so every page shows it escaped or the escaping test fails.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import { loadSandboxConfig } from '../support/sandbox-config';

export const MSN = '123456';
export const HOSTILE = '<img src=x onerror=alert(1)>';

export interface ConsoleGateway {
  readonly gateway: Gateway;
  readonly adminUrl: string;
  readonly operatorToken: string;
  readonly adminToken: string;
  /** Every customer token the emulator issued for this test's scans. */
  readonly customerTokens: string[];
  scan(merchantQrId: string): Promise<{ sessionId: string; reference: string; customerToken: string }>;
  close(): Promise<void>;
}

export async function startConsoleGateway(logger: Logger = silentLogger()): Promise<ConsoleGateway> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-console-'));
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(
    lanesFile,
    [
      'lanes:',
      '  - id: vend-1',
      '    kind: vending',
      `    msn: '${MSN}'`,
      `    description: '${HOSTILE}'`,
      '    currency: NOK',
      '    maxAmount: 2500',
      '  - id: shop-1',
      '    kind: self-checkout',
      `    msn: '${MSN}'`,
      '    description: Self-checkout 1',
      '    currency: NOK',
      '    fixedAmount: 4900',
      '',
    ].join('\n'),
  );
  const operatorToken = randomBytes(24).toString('hex');
  const adminToken = randomBytes(24).toString('hex');
  const config = loadSandboxConfig(lanesFile, {
    OPERATOR_TOKENS: `alice:${operatorToken}`,
    ADMIN_TOKEN: adminToken,
  });
  const gateway = await startGateway(config, { logger, role: 'all', sandbox: { controllerAfterMs: 100 } });
  const emulatorUrl = gateway.emulator?.url ?? '';
  const customerTokens: string[] = [];
  return {
    gateway,
    adminUrl: gateway.adminUrl ?? '',
    operatorToken,
    adminToken,
    customerTokens,
    async scan(merchantQrId) {
      const res = await fetch(`${emulatorUrl}/emulator/v1/scans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msn: MSN, merchantQrId, behavior: { action: 'approve' } }),
      });
      if (res.status !== 201) throw new Error(`scan answered ${res.status}`);
      const { customerToken, initiatedAt } = (await res.json()) as {
        customerToken: string;
        initiatedAt: string;
      };
      customerTokens.push(customerToken);
      const sessionId = sessionIdFor({ msn: MSN, merchantQrId, initiatedAt, customerToken });
      return { sessionId, reference: referenceFor(merchantQrId, sessionId), customerToken };
    },
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
