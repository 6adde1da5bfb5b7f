// The fleet page with 5,000 lanes (issue 14: "usable with 5,000 lanes — paginated server-side"): a page holds
// only its 50 rows, the pager walks to the last page, search and the state filter narrow the count, and a page
// answers quickly (the time is printed for docs; the bound is loose for a busy CI machine).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import { loadSandboxConfig } from '../support/sandbox-config';
import { ConsoleClient } from './console-client';

const LANES = 5000;
const id = (i: number) => `vend-${String(i).padStart(4, '0')}`;

let dir: string;
let gateway: Gateway;
let client: ConsoleClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-console-fleet-'));
  const lines = ['lanes:'];
  for (let i = 1; i <= LANES; i++)
    lines.push(
      `  - id: ${id(i)}`,
      '    kind: vending',
      "    msn: '123456'",
      `    description: Machine ${i}${i % 1000 === 0 ? ' Bergen' : ''}`,
      '    currency: NOK',
      '    maxAmount: 2500',
      ...(i % 500 === 0 ? ['    enabled: false'] : []),
    );
  const lanesFile = path.join(dir, 'lanes.yaml');
  await writeFile(lanesFile, `${lines.join('\n')}\n`);
  const token = randomBytes(24).toString('hex');
  gateway = await startGateway(loadSandboxConfig(lanesFile, { OPERATOR_TOKENS: `ops:${token}` }), {
    logger: silentLogger(),
    role: 'all',
  });
  client = new ConsoleClient(gateway.adminUrl ?? '');
  expect((await client.login(token)).status).toBe(303);
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

jest.setTimeout(60_000);

function rows(html: string): string[] {
  return [...html.matchAll(/<tr id="lane-([^"]+)"/g)].map((m) => m[1]!);
}

it('shows 50 of 5,000 lanes per page, and the last page', async () => {
  const started = Date.now();
  const first = await client.get('/console');
  const firstMs = Date.now() - started;
  expect(first.status).toBe(200);
  expect(rows(first.text)).toEqual(Array.from({ length: 50 }, (_, i) => id(i + 1)));
  expect(first.text).toContain(`Lanes 1–50 of ${LANES}`);
  expect(first.text).toContain('page 1 of 100');
  const t = Date.now();
  const last = await client.get('/console?page=100');
  const lastMs = Date.now() - t;
  expect(rows(last.text)).toEqual(Array.from({ length: 50 }, (_, i) => id(4951 + i)));
  expect(last.text).not.toContain('rel="next"');
  process.stderr.write(`fleet page of 50 out of ${LANES} lanes: first ${firstMs} ms, last ${lastMs} ms\n`);
  expect(Math.max(firstMs, lastMs)).toBeLessThan(5000);
});

it('searches and filters on the server', async () => {
  const bergen = await client.get('/console?q=bergen');
  expect(rows(bergen.text)).toEqual([id(1000), id(2000), id(3000), id(4000), id(5000)]);
  const disabled = await client.get('/console?state=disabled&pageSize=500');
  expect(rows(disabled.text)).toHaveLength(10);
  expect(disabled.text).toContain('Lanes 1–10 of 10');
  const big = await client.get('/console?pageSize=500&page=10');
  expect(rows(big.text)).toHaveLength(500);
  expect(rows(big.text)[0]).toBe(id(4501));
});
