// The pay page over HTTP against the sandbox gateway and its emulator: what the page shows (escaped, strict
// CSP, no cookie), the start (303 to Vipps's page, WEB_REDIRECT with the result page as returnUrl, one payment
// for one page however often it is posted) and each refusal with its exact status, nothing started or charged.
import jwt from 'jsonwebtoken';
import { postPay, startPayHarness, tokenOf, type PayHarness } from './pay-harness';

jest.setTimeout(120_000);

const page = async (res: Response) => ({ status: res.status, html: await res.text(), headers: res.headers });

describe('pay page', () => {
  let h: PayHarness;
  beforeAll(async () => {
    h = await startPayHarness({ startsPerLanePerMin: 6, startsPerClientPerMin: 4 });
  });
  afterAll(() => h.close());

  it('shows the lane, its amount and a Pay form under a strict CSP, escaped, without a cookie', async () => {
    const { status, html, headers } = await page(await fetch(`${h.url}/pay/vend-pay`));
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/html');
    expect(html).toContain('Snack machine &lt;Oslo&gt; &amp; &quot;S&quot;');
    expect(html).not.toContain('<Oslo>');
    expect(html).toContain('25.00 NOK');
    expect(html).toContain('<button class="pay" type="submit">Pay with Vipps MobilePay</button>');
    expect(html).toContain('<html lang="en">');
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`form-action 'self' https: ${h.emulatorUrl}`);
    expect(headers.get('set-cookie')).toBeNull();
    expect(headers.get('cache-control')).toBe('no-store');
    const css = await fetch(`${h.url}/pay/assets/pay.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('says "No sale open" for a self-checkout lane without a sale, with no Pay button', async () => {
    const { status, html } = await page(await fetch(`${h.url}/pay/shop-pay`));
    expect(status).toBe(200);
    expect(html).toContain('<h1>No sale open</h1>');
    expect(html).not.toContain('name="token"');
  });

  it('answers 404 for a lane that does not offer redirect-qr and for an unknown lane; a POST starts nothing', async () => {
    for (const lane of ['vend-sticker', 'no-such-lane']) {
      const got = await page(await fetch(`${h.url}/pay/${lane}`));
      expect(got.status).toBe(404);
      expect(got.html).toContain('<h1>Page not found</h1>');
    }
    const token = tokenOf(await (await fetch(`${h.url}/pay/vend-pay`)).text());
    const posted = await postPay(h.url, 'vend-sticker', token, '203.0.113.1');
    expect(posted.status).toBe(404);
    expect(h.payments()).toHaveLength(0);
  });

  it('answers 503 for a disabled lane and 400 for a forged or another lane\u2019s token; nothing starts', async () => {
    const off = await page(await fetch(`${h.url}/pay/vend-off`));
    expect(off.status).toBe(503);
    expect(off.html).toContain('<h1>Not taking payments</h1>');

    const forged = await page(
      await postPay(h.url, 'vend-pay', 'lz1.000000000000000000000000.AAAA', '203.0.113.2'),
    );
    expect(forged.status).toBe(400);
    expect(forged.html).toContain('<h1>This page is out of date</h1>');
    const otherLane = tokenOf(await (await fetch(`${h.url}/pay/vend-limit`)).text());
    expect((await postPay(h.url, 'vend-pay', otherLane, '203.0.113.2')).status).toBe(400);
    expect(h.payments()).toHaveLength(0);
  });

  it('starts one WEB_REDIRECT payment per page, 303 to Vipps; while it runs the lane is busy (409) and nothing more starts', async () => {
    const first = tokenOf(await (await fetch(`${h.url}/pay/vend-pay`)).text());
    const second = tokenOf(await (await fetch(`${h.url}/pay/vend-pay`)).text());
    const res = await postPay(h.url, 'vend-pay', first, '203.0.113.3');
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith(`${h.emulatorUrl}/emulator/v1/landing/123456/`)).toBe(true);
    const [payment] = h.payments();
    expect(payment).toMatchObject({ userFlow: 'WEB_REDIRECT', state: 'CREATED', createCalls: 1 });
    const stored = h.gateway.emulator?.state.payments.get(`123456/${payment?.reference ?? ''}`);
    expect(stored?.returnUrl).toMatch(new RegExp(`^${h.url}/pay/vend-pay/result/[^/]+$`));
    expect(stored?.amount).toEqual({ currency: 'NOK', value: 2500 });

    // The same page posted again (a double tap): the same session and Vipps page, no second payment.
    const again = await postPay(h.url, 'vend-pay', first, '203.0.113.3');
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(location);

    const busy = await page(await fetch(`${h.url}/pay/vend-pay`));
    expect(busy.status).toBe(409);
    expect(busy.html).toContain('<h1>Checkout busy</h1>');
    expect(busy.html).not.toContain('name="token"');
    const other = await page(await postPay(h.url, 'vend-pay', second, '203.0.113.3'));
    expect(other.status).toBe(409);
    expect(other.html).toContain('Nothing was started');
    expect(h.payments()).toHaveLength(1);
    expect(h.payments()[0]?.createCalls).toBe(1);

    // The result page follows the session; its JSON says it is waiting for the customer.
    const resultUrl = stored?.returnUrl ?? '';
    const result = await page(await fetch(resultUrl));
    expect(result.status).toBe(200);
    expect(result.html).toContain('<h1 id="result-title">Waiting for your approval</h1>');
    const status = (await (await fetch(`${resultUrl}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ state: 'payment-requested', outcome: 'pending', final: false });
    const unknown = await fetch(`${h.url}/pay/vend-pay/result/no-such-session`);
    expect(unknown.status).toBe(404);
  });

  it('shows a self-checkout lane\u2019s open sale and charges its amount', async () => {
    const key = h.gateway.sandboxControllerKey?.replace(/^hs256:/, '') ?? '';
    const nowS = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ lanes: '*', iat: nowS, exp: nowS + 300 }, key, { algorithm: 'HS256' });
    const sale = await fetch(`${h.url}/v1/lanes/shop-pay/sale`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 4200, currency: 'NOK', description: 'Groceries', orderId: 'order-1' }),
    });
    expect(sale.status).toBe(201);
    const shown = await page(await fetch(`${h.url}/pay/shop-pay`));
    expect(shown.status).toBe(200);
    expect(shown.html).toMatch(/Total<\/span> 42\.00 NOK/);
    const res = await postPay(h.url, 'shop-pay', tokenOf(shown.html), '203.0.113.9');
    expect(res.status).toBe(303);
    // Two payments now: vend-pay's (2 500, still waiting) and this sale's.
    expect(h.payments().map((p) => [p.userFlow, p.amount.value])).toEqual([
      ['WEB_REDIRECT', 2500],
      ['WEB_REDIRECT', 4200],
    ]);
  });

  it('limits starts per lane (6 a minute here) whoever sends them: then 429 with Retry-After, nothing started', async () => {
    for (const client of ['203.0.113.4', '203.0.113.5'])
      for (let i = 0; i < 3; i++)
        expect((await postPay(h.url, 'vend-limit', 'x.y.z', client)).status).toBe(400);
    const limited = await page(await postPay(h.url, 'vend-limit', 'x.y.z', '203.0.113.6'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.html).toContain('Too many payment attempts at this checkout');
    expect(h.payments()).toHaveLength(2); // the ones of the tests before
  });

  it('limits starts per client (4 a minute here) across lanes: then 429 from this device, nothing started', async () => {
    for (const lane of ['shop-pay', 'vend-off', 'vend-sticker', 'shop-pay'])
      expect((await postPay(h.url, lane, 'x.y.z', '203.0.113.7')).status).toBeLessThan(429);
    const token = tokenOf(await (await fetch(`${h.url}/pay/vend-limit`)).text());
    const limited = await page(await postPay(h.url, 'vend-limit', token, '203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(limited.html).toContain('Too many payment attempts from this device');
    // Another device is not affected (the lane's own limit aside).
    expect((await postPay(h.url, 'vend-off', 'x.y.z', '203.0.113.8')).status).toBe(400);
    expect(h.payments()).toHaveLength(2);
  });
});
