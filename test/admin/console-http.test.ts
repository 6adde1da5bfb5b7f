// The console over HTTP against the real sandbox gateway: login (form and one-time link), cookie flags, CSRF
// refusals that change nothing, the security headers, escaping, and no secret on any page.
import { problemBody } from '../../src/http/problem';
import { waitFor } from '../support/wait-for';
import { ConsoleClient, csrfOf } from './console-client';
import { HOSTILE, startConsoleGateway, type ConsoleGateway } from './console-harness';

const CSRF_403 = JSON.parse(
  problemBody({
    status: 403,
    code: 'csrf_token_invalid',
    title: 'Missing or wrong CSRF token',
    detail: 'the form was not sent by this console session; reload the page and try again',
  }),
) as unknown;

/** Markup without the whitespace between tags (the templates are formatted by prettier). */
function flat(html: string): string {
  return html.replace(/>\s+</g, '><').replace(/\s+</g, '<').replace(/>\s+/g, '>');
}

let g: ConsoleGateway;
let client: ConsoleClient;

beforeAll(async () => {
  g = await startConsoleGateway();
  client = new ConsoleClient(g.adminUrl);
  expect((await client.login(g.operatorToken)).status).toBe(303);
  // Starting PGlite and the emulator takes seconds, more on a busy machine.
}, 120_000);
afterAll(() => g?.close());
jest.setTimeout(60_000);

/** The refunds asked for on a payment, from the admin API. */
async function refundsOf(reference: string): Promise<unknown[]> {
  const r = await fetch(`${g.adminUrl}/admin/v1/payments/${reference}`, {
    headers: { authorization: `Bearer ${g.adminToken}` },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { settlement: { refunds: unknown[] } }).settlement.refunds;
}

async function queueIdle(): Promise<void> {
  await waitFor(
    async () => {
      const r = await fetch(`${g.adminUrl}/admin/queue/stats`, {
        headers: { authorization: `Bearer ${g.adminToken}` },
      });
      const s = (await r.json()) as { ready: number; inFlight: number };
      return s.ready === 0 && s.inFlight === 0;
    },
    { what: 'an idle queue', timeoutMs: 10_000 },
  );
}

describe('login', () => {
  it('sends a page without a login to the login form', async () => {
    const res = await new ConsoleClient(g.adminUrl).get('/console');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login');
  });

  it('logs in with an operator token: an HttpOnly, SameSite=Strict session cookie scoped to /console', async () => {
    const c = new ConsoleClient(g.adminUrl);
    const res = await c.login(g.operatorToken);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const session = res.setCookies.find((s) => s.startsWith('cg_console='));
    expect(session).toMatch(
      /^cg_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    // Plain http on loopback: not Secure (it would never be sent back).
    expect(session).not.toMatch(/Secure/);
    const fleet = await c.get('/console');
    expect(fleet.status).toBe(200);
    expect(fleet.text).toContain('vend-1');
    expect(fleet.text).toContain('alice');
  });

  it('refuses a wrong token with 401 and starts no session', async () => {
    const c = new ConsoleClient(g.adminUrl);
    const res = await c.login('not-the-token-at-all');
    expect(res.status).toBe(401);
    expect(res.text).toContain('not an operator token');
    expect(res.setCookies.some((s) => /^cg_console=[^;]/.test(s))).toBe(false);
    expect((await c.get('/console')).status).toBe(303);
  });

  it('refuses a login POST without the form token (403 csrf_token_invalid)', async () => {
    const c = new ConsoleClient(g.adminUrl);
    const res = await c.post('/console/login', { token: g.operatorToken });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual(CSRF_403);
    expect((await c.get('/console')).status).toBe(303);
  });

  it('a one-time link logs in once, then says it was used', async () => {
    const link = await g.gateway.operatorConsole!.loginLink(g.adminUrl);
    const path = link.slice(g.adminUrl.length);
    expect(path).toMatch(/^\/console\/login\/once\?t=[A-Za-z0-9_-]{43}$/);
    const first = new ConsoleClient(g.adminUrl);
    expect((await first.get(path)).status).toBe(303);
    expect((await first.get('/console')).status).toBe(200);
    const second = new ConsoleClient(g.adminUrl);
    const again = await second.get(path);
    expect(again.status).toBe(401);
    expect(again.text).toContain('used already or has expired');
    expect((await second.get('/console')).status).toBe(303);
  });

  it('logs out (with the CSRF token); the old cookie no longer works', async () => {
    const c = new ConsoleClient(g.adminUrl);
    await c.login(g.operatorToken);
    const cookie = c.cookieHeader();
    const page = await c.get('/console');
    expect((await c.post('/console/logout', { _csrf: csrfOf(page.text) })).status).toBe(303);
    const res = await fetch(`${g.adminUrl}/console`, { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(303);
  });

  it('audits logins and refusals with the operator label', async () => {
    const res = { text: flat((await client.get('/console/audit')).text) };
    expect(res.text).toMatch(/alice<\/td><td>console\.login<\/td><td>—<\/td><td>ok/);
    expect(res.text).toMatch(/unknown<\/td><td>console\.login<\/td><td>—<\/td><td>refused/);
  });
});

describe('headers', () => {
  it.each(['/console/login', '/console', '/console/activity', '/console/assets/console.css'])(
    '%s has a strict CSP, nosniff and no referrer',
    async (p) => {
      const res = await client.get(p);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    },
  );

  it('pages carry no inline script or style', async () => {
    const res = await client.get('/console');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/<style/);
    expect(res.text).not.toMatch(/\sstyle="/);
  });
});

describe('escaping', () => {
  it('shows a lane description of markup as text on the fleet and lane pages', async () => {
    for (const p of ['/console', '/console/lanes/vend-1']) {
      const res = await client.get(p);
      expect(res.text).not.toContain(HOSTILE);
      expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('escapes a search term and an unknown lane id reflected in the page', async () => {
    const search = await client.get(`/console?q=${encodeURIComponent('"><script>x</script>')}`);
    expect(search.status).toBe(200);
    expect(search.text).not.toContain('<script>x</script>');
    expect(search.text).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    const lane = await client.get(`/console/lanes/${encodeURIComponent('<b>nope</b>')}`);
    expect(lane.status).toBe(404);
    expect(lane.text).toContain('no lane &lt;b&gt;nope&lt;/b&gt;');
  });

  it('answers a bad filter with a 400 page naming the parameter', async () => {
    const res = await client.get('/console?state=broken');
    expect(res.status).toBe(400);
    expect(res.text).toContain('state must be one of idle, busy, disabled');
  });
});

describe('actions need the CSRF token', () => {
  it('refuses a refund without the token (403) and asks Vipps for nothing', async () => {
    const s = await g.scan('vend-1');
    await waitFor(async () => (await client.get(`/console/payments/${s.reference}`)).status === 200, {
      what: 'the payment',
      timeoutMs: 15_000,
    });
    const res = await client.post(`/console/payments/${s.reference}/refund`, {
      amount: '100',
      refundId: 'console-test-1',
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual(CSRF_403);
    const wrong = await client.post(`/console/payments/${s.reference}/refund`, {
      _csrf: 'x'.repeat(43),
      amount: '100',
      refundId: 'console-test-1',
    });
    expect(wrong.status).toBe(403);
    expect(await refundsOf(s.reference)).toEqual([]);
  });

  it('refunds with the token after the confirmation page, once however often it is sent', async () => {
    const s = await g.scan('vend-1');
    await waitFor(
      async () => (await client.get(`/console/payments/${s.reference}`)).text.includes('settled'),
      {
        what: 'a settled payment',
        timeoutMs: 15_000,
      },
    );
    const confirm = await client.get(
      `/console/payments/${s.reference}/refund?amount=1.50&reason=${encodeURIComponent('wrong item')}`,
    );
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('1.50 NOK');
    const form = {
      _csrf: csrfOf(confirm.text),
      amount: /name="amount"\s+value="(\d+)"/.exec(confirm.text)![1]!,
      reason: 'wrong item',
      refundId: /name="refundId"\s+value="([^"]+)"/.exec(confirm.text)![1]!,
    };
    expect(form.amount).toBe('150');
    const first = await client.post(`/console/payments/${s.reference}/refund`, form);
    expect(first.status).toBe(200);
    expect(first.text).toContain('The refund was accepted');
    const again = await client.post(`/console/payments/${s.reference}/refund`, form);
    expect(again.text).toContain('asked for already');
    const refunds = await refundsOf(s.reference);
    expect(refunds).toEqual([expect.objectContaining({ id: form.refundId, amount: 150 })]);
    const audit = flat((await client.get('/console/audit')).text);
    expect(audit).toContain(`alice</td><td>payment.refund</td><td>${s.reference}</td><td>accepted`);
    expect(audit).toContain(`alice</td><td>payment.refund</td><td>${s.reference}</td><td>duplicate`);
  });

  it('refuses a dead-letter replay without the token (403); the letter stays open', async () => {
    await g.scan('no-such-lane');
    await queueIdle();
    const list = await waitFor(
      async () => {
        const r = await client.get('/console/dead-letters');
        return /name="ids"\s+value="(intake-\d+)"/.exec(r.text)?.[1];
      },
      { what: 'an intake dead letter' },
    );
    const res = await client.post('/console/dead-letters/replay', { ids: list });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual(CSRF_403);
    const page = await client.get('/console/dead-letters');
    expect(page.text).toContain(`value="${list}"`);
    const audit = { text: flat((await client.get('/console/audit')).text) };
    expect(audit.text).not.toContain(`dead-letter.replay</td><td>${list}`);
  });

  it('replays with the token after the confirmation page, audited once', async () => {
    await g.scan('another-unknown');
    await queueIdle();
    const id = await waitFor(
      async () => {
        const r = await client.get('/console/dead-letters');
        return /name="ids"\s+value="(intake-\d+)"/.exec(r.text)?.[1];
      },
      { what: 'an intake dead letter' },
    );
    const confirm = await client.get(`/console/dead-letters/confirm?action=replay&ids=${id}`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`<code>${id}</code>`);
    const done = await client.post('/console/dead-letters/replay', { _csrf: csrfOf(confirm.text), ids: id });
    expect(done.status).toBe(200);
    // The lane is still unknown: intake drops it again and the letter stays open.
    expect(flat(done.text)).toMatch(new RegExp(`${id}</code></th><td>still_dropped`));
    const audit = { text: flat((await client.get('/console/audit')).text) };
    expect(audit.text).toContain(`dead-letter.replay</td><td>${id}</td><td>still_dropped`);
  });
});

describe('live feed', () => {
  it('streams a new session of the lane as rows, and stops polling when the last page closes', async () => {
    const feed = g.gateway.operatorConsole!.feed;
    const abort = new AbortController();
    const res = await fetch(`${g.adminUrl}/console/events?view=lane&lane=vend-1`, {
      headers: { cookie: client.cookieHeader() },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(feed.polling).toBe(true);
    const reader = res.body!.getReader();
    const s = await g.scan('vend-1');
    let text = '';
    await waitFor(
      async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return text.includes(`"id":"session-${s.sessionId}"`) && /"id":"lanefacts-vend-1"/.test(text);
      },
      { what: 'the new session row on the stream', timeoutMs: 20_000 },
    );
    const event = text.split('\n\n').find((e) => e.includes(`"id":"session-${s.sessionId}"`))!;
    expect(event).toMatch(/^event: row\ndata: /);
    const data = JSON.parse(event.slice(event.indexOf('data: ') + 6)) as { into: string; html: string };
    expect(data.into).toBe('lanesessions-vend-1');
    expect(data.html).toContain(`<code>${s.sessionId}</code>`);
    expect(text).not.toContain(s.customerToken);
    abort.abort();
    await waitFor(() => feed.listeners === 0 && !feed.polling, { what: 'the feed to stop polling' });
  });

  it('refuses a stream without a login or with an unknown view', async () => {
    const anonymous = await new ConsoleClient(g.adminUrl).get('/console/events?view=fleet');
    expect(anonymous.status).toBe(303);
    const bad = await client.get('/console/events?view=nothing');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'invalid_query' });
  });
});

describe('no secret on any page', () => {
  it('renders every page without a token, key or secret in it', async () => {
    const s = await g.scan('vend-1');
    await waitFor(
      async () => (await client.get(`/console/sessions/${s.sessionId}`)).text.includes('completed'),
      {
        what: 'a completed session',
        timeoutMs: 15_000,
      },
    );
    await queueIdle();
    const letter =
      /name="ids"\s+value="(intake-\d+)"/.exec((await client.get('/console/dead-letters')).text)?.[1] ??
      'intake-1';
    const pages = [
      '/console/login',
      '/console',
      '/console?state=idle',
      '/console/lanes/vend-1',
      '/console/lanes/shop-1',
      `/console/sessions/${s.sessionId}`,
      '/console/activity',
      '/console/dead-letters?state=all',
      `/console/dead-letters/confirm?action=replay&ids=${letter}`,
      '/console/payments',
      `/console/payments/${s.reference}`,
      `/console/payments/${s.reference}/refund?amount=1.00`,
      '/console/webhooks',
      '/console/audit',
    ];
    const cfg = g.gateway;
    const secrets = [
      g.operatorToken,
      g.adminToken,
      ...cfg.webhookSecrets,
      ...(cfg.sandboxControllerKey
        ? [cfg.sandboxControllerKey, cfg.sandboxControllerKey.replace(/^hs256:/, '')]
        : []),
      ...g.customerTokens,
    ].filter((v) => v.length >= 8);
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const p of pages) {
      const res = await client.get(p);
      expect([p, res.status]).toEqual([p, 200]);
      for (const secret of secrets) {
        expect([p, res.text.includes(secret)]).toEqual([p, false]);
        expect([p, res.text.includes(encodeURIComponent(secret))]).toEqual([p, false]);
      }
    }
  });
});

describe('guessing tokens', () => {
  // Last but one: it blocks logins from this address for a minute.
  it('answers 429 after 10 failed logins a minute from one address, even to the right token', async () => {
    const c = new ConsoleClient(g.adminUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await c.login(`wrong-${i}`)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((st) => st === 401).length).toBeLessThanOrEqual(10);
    const right = await c.login(g.operatorToken);
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many failed logins');
    expect((await c.get('/console')).status).toBe(303);
  });
});

describe('shutdown', () => {
  it('closes the gateway while a live page is open (the stream ends, nothing holds the listener)', async () => {
    const res = await fetch(`${g.adminUrl}/console/events?view=fleet`, {
      headers: { cookie: client.cookieHeader() },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect(g.gateway.operatorConsole!.feed.listeners).toBe(1);
    await g.gateway.close();
    // The stream was ended by the server: reading reaches its end.
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(g.gateway.operatorConsole!.feed.listeners).toBe(0);
    expect(g.gateway.operatorConsole!.feed.polling).toBe(false);
  });
});
