// /readyz at work: a lane whose webhook controller is down (a closed port) is named as degraded once its lane
// message has waited longer than CHANNEL_DEGRADED_AFTER_S, while readiness stays 200 (issue 13).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import { closedPortUrl } from '../channels/webhook-receiver';
import { loadSandboxConfig } from '../support/sandbox-config';
import { waitFor } from '../support/wait-for';

// Each start opens PGlite and the embedded emulator: seconds on a shared 2-core machine.
jest.setTimeout(120_000);

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

let dir: string;
let gateway: Gateway;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-readyz-'));
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(
    lanesFile,
    `lanes:
  - id: vend-hook
    kind: vending
    msn: '123456'
    description: controller down
    currency: NOK
    maxAmount: 1000
    controller: { type: webhook, url: "${await closedPortUrl()}", secretEnv: POS_SECRET }
`,
  );
  const config = loadSandboxConfig(lanesFile, { POS_SECRET: SECRET, CHANNEL_DEGRADED_AFTER_S: '1' });
  gateway = await startGateway(config, { role: 'all', logger: silentLogger() });
});
afterAll(async () => {
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

async function readyz(): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gateway.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it('names the lane whose controller has not taken its message, and stays 200', async () => {
  expect(await readyz()).toEqual({
    status: 200,
    body: {
      status: 'ready',
      checks: { lanes: 'ok', queue: 'ok', channels: 'ok', webhookRegistrations: 'ok' },
    },
  });
  const scan = await fetch(`${gateway.emulator?.url}/emulator/v1/scans`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ msn: '123456', merchantQrId: 'vend-hook', behavior: { action: 'approve' } }),
  });
  expect(scan.status).toBe(201);

  // The session's first lane message cannot be delivered; once it is older than 1 s the lane is named.
  const { status, body } = await waitFor(
    async () => {
      const r = await readyz();
      return r.body.status === 'degraded' ? r : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: '/readyz to name vend-hook' },
  );
  expect(status).toBe(200);
  expect(body.checks).toEqual({
    lanes: 'ok',
    queue: 'ok',
    channels: 'degraded: 1 lane with a lane message undelivered for more than 1 s',
    webhookRegistrations: 'ok',
  });
  expect(body.degraded).toEqual({
    channels: { afterS: 1, lanes: [{ laneId: 'vend-hook', undeliveredForS: expect.any(Number) }] },
  });
});
