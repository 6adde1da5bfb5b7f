// The landing page of redirect flows over HTTP: HTML with the amount, merchant and Approve / Reject forms for a
// browser; approve authorizes and 303s to the payment's returnUrl, reject aborts; API clients keep the text.
import { MSN, paymentEvent, startHarness, type Harness } from './helpers';

describe('emulator landing page (WEB_REDIRECT)', () => {
  let h: Harness;
  let n = 0;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  async function redirectPayment(value = 2500): Promise<{ reference: string; redirectUrl: string }> {
    const reference = `landing-${++n}`;
    const res = await h.api('/epayment/v1/payments', {
      body: {
        amount: { currency: 'NOK', value },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl: `https://shop.example/pay/lane-1/result/${reference}`,
      },
      headers: { 'Idempotency-Key': `k-${reference}` },
    });
    expect(res.status).toBe(201);
    return { reference, redirectUrl: ((await res.json()) as { redirectUrl: string }).redirectUrl };
  }
  const browserGet = (url: string): Promise<Response> =>
    fetch(url, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  const press = (url: string, action: string): Promise<Response> =>
    fetch(`${url}/${action}`, { method: 'POST', redirect: 'manual' });

  it('shows a browser the amount, the merchant and Approve / Reject, under a strict CSP', async () => {
    const { reference, redirectUrl } = await redirectPayment(2500);
    const res = await browserGet(redirectUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('25.00 NOK');
    expect(page).toContain(`Sales unit ${MSN}`);
    expect(page).toContain(reference);
    expect(page).toContain(`action="/emulator/v1/landing/${MSN}/${reference}/approve"`);
    expect(page).toContain(`action="/emulator/v1/landing/${MSN}/${reference}/reject"`);
    // A plain API client still reads the one-line state.
    expect(await (await fetch(redirectUrl)).text()).toBe(
      `Emulated Vipps MobilePay: payment ${reference} is CREATED.\n`,
    );
  });

  it('approve authorizes the payment and sends the browser to returnUrl (303); pressing it again only redirects', async () => {
    const { reference, redirectUrl } = await redirectPayment();
    const res = await press(redirectUrl, 'approve');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://shop.example/pay/lane-1/result/${reference}`);
    const p = await paymentEvent(h.emulator, reference, 'AUTHORIZED');
    expect(p.state).toBe('AUTHORIZED');
    expect(p.aggregate.authorized).toBe(2500);

    const again = await press(redirectUrl, 'approve');
    expect(again.status).toBe(303);
    expect(p.events.filter((e) => e.name === 'AUTHORIZED')).toHaveLength(1);
  });

  it('reject aborts the payment and goes back to the merchant; approve after that is refused with 409', async () => {
    const { reference, redirectUrl } = await redirectPayment();
    const res = await press(redirectUrl, 'reject');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://shop.example/pay/lane-1/result/${reference}`);
    const p = await paymentEvent(h.emulator, reference, 'ABORTED');
    expect(p.aggregate.authorized).toBe(0);

    const late = await press(redirectUrl, 'approve');
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('This payment can no longer be approved');
    expect(p.state).toBe('ABORTED');
    const shown = await (await browserGet(redirectUrl)).text();
    expect(shown).not.toContain('/approve"');
    expect(shown).toContain('href="https://shop.example/pay/lane-1/result/');
  });

  it('answers 404 for an unknown payment and changes nothing', async () => {
    const res = await press(`${h.url}/emulator/v1/landing/${MSN}/no-such`, 'approve');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('emulator.payment-not-found');
    expect(h.emulator.state.payments.size).toBe(0);
  });
});
