// Credentials per sales unit in a running sandbox gateway (issue 15): two lanes on two MSNs with a key set each
// in VIPPS_CREDENTIALS_FILE. Every call the gateway sends to the emulator for a lane carries that lane's MSN and
// its MSN's subscription key; one access token is fetched per key set; a reload that adds a lane on an MSN
// without keys keeps the previous lanes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import { loadSandboxConfig } from '../support/sandbox-config';
import { waitFor } from '../support/wait-for';

const A = '123456';
const B = '234567';
const C = '345678';
const env = {
  A_ID: 'client-a',
  A_SECRET: 'secret-a-9f1c',
  A_KEY: 'subkey-a-77d2',
  B_ID: 'client-b',
  B_SECRET: 'secret-b-0b3a',
  B_KEY: 'subkey-b-41e0',
};
const KEY_OF: Record<string, string> = { [A]: 'subkey-a-77d2', [B]: 'subkey-b-41e0' };

interface Call {
  readonly method: string;
  readonly path: string;
  readonly msn: string | null;
  readonly clientId: string | null;
  readonly subKey: string | null;
}

const lanesJson = (lanes: readonly [string, string][]): string =>
  JSON.stringify({
    lanes: lanes.map(([id, msn]) => ({
      id,
      kind: 'vending',
      msn,
      description: `Lane ${id}`,
      currency: 'NOK',
      maxAmount: 5000,
    })),
  });

let dir: string;
let gateway: Gateway;
const calls: Call[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credentials-gw-'));
  const credentials = join(dir, 'credentials.yaml');
  await writeFile(
    credentials,
    [
      'salesUnits:',
      `  "${A}": { clientIdEnv: A_ID, clientSecretEnv: A_SECRET, subscriptionKeyEnv: A_KEY }`,
      `  "${B}": { clientIdEnv: B_ID, clientSecretEnv: B_SECRET, subscriptionKeyEnv: B_KEY }`,
    ].join('\n'),
  );
  const lanesFile = join(dir, 'lanes.json');
  await writeFile(
    lanesFile,
    lanesJson([
      ['lane-a', A],
      ['lane-b', B],
    ]),
  );
  // The gateway's own fetch, recording what goes to the emulator (its simulated controller and control API
  // calls go elsewhere or carry no Vipps headers).
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    calls.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      msn: headers.get('Merchant-Serial-Number'),
      clientId: headers.get('client_id'),
      subKey: headers.get('Ocp-Apim-Subscription-Key'),
    });
    return fetch(input, init);
  };
  gateway = await startGateway(
    loadSandboxConfig(lanesFile, { ...env, VIPPS_CREDENTIALS_FILE: credentials }),
    {
      role: 'all',
      logger: silentLogger(),
      fetch: recording,
      sandbox: { controllerAfterMs: 50 },
    },
  );
}, 90_000);

afterAll(async () => {
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

async function scan(msn: string, laneId: string): Promise<void> {
  const res = await fetch(`${gateway.emulator?.url}/emulator/v1/scans`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ msn, merchantQrId: laneId, behavior: { action: 'approve' } }),
  });
  expect(res.status).toBe(201);
}

it('sends each lane’s payment with its MSN and that MSN’s keys, one token per key set', async () => {
  await scan(A, 'lane-a');
  await scan(B, 'lane-b');
  const creates = await waitFor(
    () => {
      const c = calls.filter((x) => x.method === 'POST' && x.path === '/epayment/v1/payments');
      return c.length >= 2 ? c : undefined;
    },
    { timeoutMs: 15_000, what: 'both payments created' },
  );
  expect(creates.map((c) => [c.msn, c.subKey]).sort()).toEqual([
    [A, KEY_OF[A]],
    [B, KEY_OF[B]],
  ]);

  const vippsCalls = calls.filter((c) => c.subKey !== null);
  // Every Vipps call (webhook registration at start, QR, ePayment) carries an MSN and that MSN's key.
  for (const c of vippsCalls) expect([c.path, c.msn, c.subKey]).toEqual([c.path, c.msn, KEY_OF[c.msn ?? '']]);
  const tokens = vippsCalls.filter((c) => c.path === '/accesstoken/get');
  expect(tokens.map((t) => [t.clientId, t.subKey]).sort()).toEqual([
    ['client-a', KEY_OF[A]],
    ['client-b', KEY_OF[B]],
  ]);
});

it('keeps the previous lanes when a reload adds a lane on an MSN without keys', async () => {
  await writeFile(
    join(dir, 'lanes.json'),
    lanesJson([
      ['lane-a', A],
      ['lane-b', B],
      ['lane-c', C],
    ]),
  );
  const result = await gateway.lanes.reload();
  expect(result).toEqual({
    ok: false,
    errors: [
      `lane "lane-c": MSN ${C} has no credentials in VIPPS_CREDENTIALS_FILE (${join(dir, 'credentials.yaml')}); ` +
        `add salesUnits."${C}" or list it in partner.msns`,
    ],
  });
  expect(
    gateway.lanes
      .current()
      .all()
      .map((l) => l.id),
  ).toEqual(['lane-a', 'lane-b']);
});
