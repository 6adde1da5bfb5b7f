// The redirect-qr pairing in a real browser (chromium via playwright-core), end to end on the sandbox gateway and
// its embedded emulator: `qr sync` makes the lane's merchant-redirect code; the code's PNG is decoded and its URL
// opened (the emulator's 302 leads to /pay/{laneId}); Pay goes to the emulator's landing page; Approve comes
// back to the result page, which follows the session until it reports it completed. Waits on page text only.
import jsQR from 'jsqr';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { describeWithBrowser, launchBrowser, screenshotDir } from '../support/browser';
import { MSN, startPayHarness, type PayHarness } from './pay-harness';

jest.setTimeout(120_000);

describeWithBrowser('pay page in a browser', () => {
  let h: PayHarness;
  let browser: Browser;
  let page: Page;
  const shots = screenshotDir('pay');
  beforeAll(async () => {
    h = await startPayHarness();
    browser = await launchBrowser();
    // A phone-sized window, as the customer's.
    page = await browser.newPage({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 1 });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function qrSync(): Promise<number> {
    const err: string[] = [];
    const io: Io = {
      out: () => undefined,
      err: (t) => err.push(t),
      env: {
        VIPPS_ENV: 'sandbox',
        VIPPS_BASE_URL: h.emulatorUrl,
        LANES_FILE: h.lanesFile,
        PUBLIC_BASE_URL: h.url,
        PUBLIC_WEBHOOK_URL: `${h.url}/webhooks/vipps`,
      },
    };
    const code = await runCli(['qr', 'sync'], io);
    if (code !== 0) throw new Error(`qr sync failed: ${err.join('\n')}`);
    return code;
  }

  it('opens the page from the redirect QR, pays, approves on the landing page and sees the session completed', async () => {
    expect(await qrSync()).toBe(0);
    // The sticker as printed: its PNG, decoded as a phone camera would.
    const qr = await h.gateway.vipps.qr.redirect.get({
      msn: MSN,
      id: 'vend-pay',
      accept: 'image/png',
      size: 400,
    });
    expect(qr.redirectUrl).toBe(`${h.url}/pay/vend-pay`);
    const png = PNG.sync.read(Buffer.from(await (await fetch(qr.url)).arrayBuffer()));
    const scanned = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
    expect(scanned).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/qr-redirect\//);
    // The simulated machine dispenses the whole amount, so the whole reservation is captured.
    const machine = await fetch(`${h.emulatorUrl}/emulator/v1/controllers/vend-pay`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ dispense: { result: 'dispensed', amount: 2500, afterMs: 10 } }),
    });
    expect(machine.status).toBe(200);

    await page.goto(scanned as string);
    expect(page.url()).toBe(`${h.url}/pay/vend-pay`);
    await page.getByRole('heading', { name: 'Snack machine <Oslo> & "S"' }).waitFor();
    await page.getByText('25.00 NOK').waitFor();
    await page.screenshot({ path: join(shots, '1-pay-page.png'), fullPage: true });

    await page.getByRole('button', { name: 'Pay with Vipps MobilePay' }).click();
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    expect(page.url().startsWith(`${h.emulatorUrl}/emulator/v1/landing/${MSN}/`)).toBe(true);
    await page.screenshot({ path: join(shots, '2-vipps-landing.png'), fullPage: true });

    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(new RegExp(`^${h.url}/pay/vend-pay/result/`));
    await page.getByRole('heading', { name: 'Payment completed' }).waitFor({ timeout: 30_000 });
    await page.getByText('You paid 25.00 NOK. Thank you!').waitFor();
    await page.screenshot({ path: join(shots, '3-result-completed.png'), fullPage: true });

    // The money: one WEB_REDIRECT payment, authorized and captured in full.
    const payments = [...(h.gateway.emulator?.state.payments.values() ?? [])];
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ userFlow: 'WEB_REDIRECT', state: 'AUTHORIZED' });
    expect(payments[0]?.aggregate).toEqual({ authorized: 2500, captured: 2500, cancelled: 0, refunded: 0 });

    // The lane is free again: its page offers Pay once more.
    await page.goto(`${h.url}/pay/vend-pay`);
    await page.getByRole('button', { name: 'Pay with Vipps MobilePay' }).waitFor();
  });
});
