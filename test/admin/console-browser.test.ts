// The console in a real browser (Debian's chromium through playwright-core) against the real sandbox gateway
// with the example lanes file: log in through the form, see the lanes, watch a scan's session appear and
// complete live (server-sent events, no reload), replay a dead letter once its lane exists, see an action
// without the CSRF token refused, and write a screenshot of each page. Skipped, saying why, without chromium.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { silentLogger } from '../../src/log';
import { startGateway, type Gateway } from '../../src/main';
import { describeWithBrowser, launchBrowser, screenshotDir } from '../support/browser';
import { loadSandboxConfig } from '../support/sandbox-config';
import { waitFor } from '../support/wait-for';

const MSN = '123456';
const NEW_LANE = 'vend-trondheim-2';

describeWithBrowser('operator console in chromium', () => {
  let dir: string;
  let lanesFile: string;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  const token = randomBytes(24).toString('hex');
  const shots = screenshotDir('console');
  const cspErrors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cg-console-browser-'));
    lanesFile = path.join(dir, 'lanes.yaml');
    await copyFile(path.join(__dirname, '..', '..', 'lanes.yaml'), lanesFile);
    gateway = await startGateway(loadSandboxConfig(lanesFile, { OPERATOR_TOKENS: `operator:${token}` }), {
      logger: silentLogger(),
      role: 'all',
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
    page.on('pageerror', (e) => cspErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  jest.setTimeout(60_000);

  const url = (p: string) => `${gateway.adminUrl ?? ''}${p}`;
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  async function scan(merchantQrId: string): Promise<void> {
    const res = await fetch(`${gateway.emulator?.url ?? ''}/emulator/v1/scans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msn: MSN, merchantQrId, behavior: { action: 'approve' } }),
    });
    expect(res.status).toBe(201);
  }

  it('logs in through the form with the keyboard and shows the example lanes', async () => {
    await page.goto(url('/console'));
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shot('login');
    await page.getByLabel('Operator token').fill(token);
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/console'));
    await page.locator('#lane-vend-oslo-1').waitFor();
    await page.locator('#lane-shop-bergen-3', { hasText: 'Self-checkout 3, Bergen store' }).waitFor();
    expect(await page.locator('h1').textContent()).toBe('Fleet');
  });

  it('shows a scan on the fleet page live: the lane turns busy, then the session completes', async () => {
    await page.locator('#live', { hasText: 'Live' }).waitFor();
    await scan('vend-oslo-1');
    await page.locator('#lane-vend-oslo-1 .state-busy').waitFor({ timeout: 20_000 });
    await shot('fleet-busy');
    await page.locator('#lane-vend-oslo-1', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    await page.locator('#lane-vend-oslo-1 .state-idle').waitFor({ timeout: 20_000 });
    await shot('fleet');
  });

  it('shows a new session on the lane page live, and its timeline', async () => {
    await page.goto(url('/console/lanes/vend-oslo-1'));
    await page.locator('#live', { hasText: 'Live' }).waitFor();
    const before = await page.locator('#lanesessions-vend-oslo-1 tr[id^="session-"]').count();
    await scan('vend-oslo-1');
    await waitFor(
      async () => (await page.locator('#lanesessions-vend-oslo-1 tr[id^="session-"]').count()) > before,
      { what: 'a new session row', timeoutMs: 20_000, intervalMs: 100 },
    );
    const newest = page.locator('#lanesessions-vend-oslo-1 tr[id^="session-"]').first();
    await page
      .locator('#lanesessions-vend-oslo-1 tr[id^="session-"]', { hasText: 'completed' })
      .first()
      .waitFor();
    await waitFor(async () => (await newest.textContent())?.includes('completed'), {
      what: 'the newest session row to show completed',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await shot('lane');
    await newest.locator('a').first().click();
    await page.locator('h1', { hasText: 'Session s_' }).waitFor();
    await page.locator('table', { hasText: 'session create ok' }).waitFor();
    await shot('session');
  });

  it('draws the activity charts', async () => {
    await page.goto(url('/console/activity'));
    expect(await page.locator('svg[role="img"]').count()).toBe(4);
    await page.locator('figcaption', { hasText: /Check-ins per minute \([1-9]\d* in the hour\)/ }).waitFor();
    await page.locator('figcaption', { hasText: /p50 \d+ ms/ }).waitFor();
    await shot('activity');
  });

  it('replays a dead letter once its lane exists, through the confirmation page', async () => {
    await scan(NEW_LANE);
    await page.goto(url('/console/dead-letters'));
    const box = page.locator('input[name="ids"]').first();
    await waitFor(
      async () => {
        await page.reload();
        return (await page.locator('td', { hasText: NEW_LANE }).count()) > 0;
      },
      { what: 'the unknown QR as a dead letter', timeoutMs: 20_000, intervalMs: 250 },
    );
    await shot('dead-letters');
    const id = await box.getAttribute('value');
    expect(id).toMatch(/^intake-\d+$/);
    // The operator adds the lane to the lanes file and reloads, within the customer token's 15 minutes.
    const lanes = await readFile(lanesFile, 'utf8');
    await writeFile(
      lanesFile,
      `${lanes}  - id: ${NEW_LANE}\n    kind: vending\n    msn: '${MSN}'\n    description: Snack machine, Trondheim 2\n    currency: NOK\n    maxAmount: 5000\n`,
    );
    await gateway.lanes.reload();
    await page.getByLabel(`select ${id}`).check();
    await page.getByRole('button', { name: 'Replay selected…' }).click();
    await page.locator('h1', { hasText: 'Confirm: replay 1 dead letter' }).waitFor();
    await shot('dead-letters-confirm');
    await page.getByRole('button', { name: 'Yes, replay 1' }).click();
    await page
      .locator('tr', { hasText: `${id}` })
      .locator('td', { hasText: 'replayed' })
      .waitFor();
    await shot('dead-letters-replayed');
    // The replayed check-in is a session on the new lane that completes.
    await page.goto(url(`/console/lanes/${NEW_LANE}`));
    await page.locator(`#lanesessions-${NEW_LANE} tr`, { hasText: 'completed' }).waitFor({ timeout: 30_000 });
  });

  it('refuses an action without the CSRF token and replays nothing', async () => {
    await scan('vend-unknown-3');
    const id = await waitFor(
      async () => {
        await page.goto(url('/console/dead-letters'));
        return page.locator('input[name="ids"]').first().getAttribute('value', { timeout: 1000 });
      },
      { what: 'a second dead letter', timeoutMs: 20_000, intervalMs: 250 },
    );
    const answer = await page.evaluate(async (letter) => {
      const res = await fetch('/console/dead-letters/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `ids=${encodeURIComponent(letter)}`,
      });
      return { status: res.status, body: (await res.json()) as { code: string } };
    }, id);
    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ code: 'csrf_token_invalid' }) });
    await page.reload();
    expect(await page.locator(`input[name="ids"][value="${id}"]`).count()).toBe(1);
  });

  it('shows payments, webhooks and the audit log', async () => {
    await page.goto(url('/console/payments'));
    await page.locator('table tbody tr').first().waitFor();
    await shot('payments');
    await page.locator('table tbody tr a').first().click();
    await page.locator('h1', { hasText: 'Payment' }).waitFor();
    await shot('payment');
    await page.goto(url('/console/webhooks'));
    await page.locator('h2', { hasText: 'Registrations at Vipps' }).waitFor();
    await shot('webhooks');
    await page.goto(url('/console/audit'));
    await page.locator('td', { hasText: 'dead-letter.replay' }).first().waitFor();
    await shot('audit');
  });

  it('logs out with the keyboard-reachable button', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(url('/console/login'));
    await page.goto(url('/console'));
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });

  it('met no Content-Security-Policy refusal or script error on any page', () => {
    expect(cspErrors).toEqual([]);
  });
});
