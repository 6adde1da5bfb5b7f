// QR API merchant-redirect codes over HTTP (vipps-qr-api swagger @ dd5fa2a): create / read / list / update /
// delete, the Accept and Size headers, ttl, 409 and the validation errors; the image decodes to the code's
// content, and that content answers 302 to the current redirectUrl.
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startHarness, type Harness } from './helpers';

const BASE = '/qr/v1/merchant-redirect';

describe('emulator QR merchant redirect', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const create = (
    body: unknown,
    accept = 'image/png',
    headers: Record<string, string> = {},
  ): Promise<Response> => h.api(BASE, { body, headers: { Accept: accept, ...headers } });
  const json = async (res: Response): Promise<Record<string, unknown>> =>
    (await res.json()) as Record<string, unknown>;

  it('creates a code (200) whose PNG, served without auth, decodes to a URL that redirects to redirectUrl', async () => {
    const res = await create({ id: 'lane-1', redirectUrl: 'https://shop.example/pay/lane-1' }, 'image/png', {
      Size: '300',
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({
      id: 'lane-1',
      url: `${h.url}/qr-images/redirect/123456/lane-1.png?size=300`,
      redirectUrl: 'https://shop.example/pay/lane-1',
      expiresIn: -1,
    });
    const image = await fetch(body['url'] as string);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    expect(png.width).toBe(300);
    const content = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
    expect(content).toBe(`${h.url}/qr-redirect/123456/lane-1`);

    const target = await json(await h.api(`${BASE}/lane-1`, { headers: { Accept: 'text/targetUrl' } }));
    expect(target['url']).toBe(content);
    const opened = await fetch(content as string, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe('https://shop.example/pay/lane-1');
  });

  it('answers SVG for image/* and image/svg+xml, PNG 800 px by default, and 415 without a known Accept', async () => {
    await create({ id: 'a', redirectUrl: 'https://shop.example/a' });
    expect((await json(await h.api(`${BASE}/a`, { headers: { Accept: 'image/*' } })))['url']).toBe(
      `${h.url}/qr-images/redirect/123456/a.svg`,
    );
    expect((await json(await h.api(`${BASE}/a`, { headers: { Accept: 'image/svg+xml' } })))['url']).toBe(
      `${h.url}/qr-images/redirect/123456/a.svg`,
    );
    expect((await json(await h.api(`${BASE}/a`, { headers: { Accept: 'image/png' } })))['url']).toBe(
      `${h.url}/qr-images/redirect/123456/a.png?size=800`,
    );
    const svg = await fetch(`${h.url}/qr-images/redirect/123456/a.svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toContain('<svg');

    const refused = await create({ id: 'b', redirectUrl: 'https://shop.example/b' }, 'application/json');
    expect(refused.status).toBe(415);
    expect(await json(refused)).toEqual({
      type: 'https://httpstatuses.io/415',
      title: 'Unsupported Media Type',
      detail: 'The Accept header must be one of image/*, image/png, image/svg+xml, text/targetUrl.',
      instance: BASE,
    });
    expect(h.emulator.state.redirectQrs.has('123456/b')).toBe(false);
  });

  it('refuses a bad id, a non-https redirectUrl, a short ttl and a bad Size with 400 naming the field; nothing is stored', async () => {
    const cases: Array<[unknown, Record<string, string>, string]> = [
      [{ id: 'bad/id', redirectUrl: 'https://shop.example/x' }, {}, 'Id'],
      [{ id: 'x'.repeat(129), redirectUrl: 'https://shop.example/x' }, {}, 'Id'],
      [{ id: 'x', redirectUrl: 'http://shop.example/x' }, {}, 'RedirectUrl'],
      [{ id: 'x' }, {}, 'RedirectUrl'],
      [{ id: 'x', redirectUrl: 'https://shop.example/x', ttl: 299 }, {}, 'Ttl'],
      [{ id: 'x', redirectUrl: 'https://shop.example/x' }, { Size: '99' }, 'Size'],
    ];
    for (const [body, headers, field] of cases) {
      const res = await create(body, 'image/png', headers);
      expect(res.status).toBe(400);
      const problem = await json(res);
      expect(problem['title']).toBe('One or more validation errors occurred.');
      expect((problem['invalidParams'] as Array<{ name: string }>).map((p) => p.name)).toEqual([field]);
    }
    expect(h.emulator.state.redirectQrs.size).toBe(0);
  });

  it('accepts http:// on a loopback host only (the sandbox gateway), as a documented leniency', async () => {
    const res = await create({ id: 'local', redirectUrl: 'http://127.0.0.1:8080/pay/lane-1' });
    expect(res.status).toBe(200);
  });

  it('answers 409 {id} for an existing id and keeps the first redirectUrl', async () => {
    await create({ id: 'dup', redirectUrl: 'https://shop.example/one' });
    const again = await create({ id: 'dup', redirectUrl: 'https://shop.example/two' });
    expect(again.status).toBe(409);
    expect(await json(again)).toEqual({ id: 'dup' });
    expect(h.emulator.state.redirectQrs.get('123456/dup')?.redirectUrl).toBe('https://shop.example/one');
  });

  it('lists the codes of the caller only, updates redirectUrl without changing the code, deletes', async () => {
    await create({ id: 'one', redirectUrl: 'https://shop.example/one' });
    await create({ id: 'two', redirectUrl: 'https://shop.example/two' });
    await create({ id: 'other', redirectUrl: 'https://shop.example/o' }, 'image/png', {
      'Merchant-Serial-Number': '654321',
    });
    const list = (await (await h.api(BASE, { headers: { Accept: 'text/targetUrl' } })).json()) as Array<
      Record<string, unknown>
    >;
    expect(list.map((q) => q['id']).sort()).toEqual(['one', 'two']);

    const before = h.emulator.state.redirectQrs.get('123456/one')?.qrContent;
    const put = await h.api(`${BASE}/one`, {
      method: 'PUT',
      body: { redirectUrl: 'https://shop.example/moved' },
      headers: { Accept: 'text/targetUrl' },
    });
    expect(put.status).toBe(200);
    expect(await json(put)).toEqual({
      id: 'one',
      url: before,
      redirectUrl: 'https://shop.example/moved',
      expiresIn: -1,
    });
    const opened = await fetch(before as string, { redirect: 'manual' });
    expect(opened.headers.get('location')).toBe('https://shop.example/moved');

    expect((await h.api(`${BASE}/one`, { method: 'DELETE' })).status).toBe(200);
    const gone = await h.api(`${BASE}/one`, { headers: { Accept: 'image/*' } });
    expect(gone.status).toBe(404);
    expect((await json(gone))['title']).toBe('Not Found');
    expect((await fetch(before as string, { redirect: 'manual' })).status).toBe(404);
    const missingPut = await h.api(`${BASE}/nope`, {
      method: 'PUT',
      body: { redirectUrl: 'https://shop.example/x' },
      headers: { Accept: 'image/*' },
    });
    expect(missingPut.status).toBe(404);
  });

  it('deletes a code by itself after its ttl, on the emulator clock, counting expiresIn down', async () => {
    const res = await create({ id: 'short', redirectUrl: 'https://shop.example/s', ttl: 600 }, 'image/*');
    expect((await json(res))['expiresIn']).toBe(600);
    h.clock.advance(100_000);
    expect((await json(await h.api(`${BASE}/short`, { headers: { Accept: 'image/*' } })))['expiresIn']).toBe(
      500,
    );
    h.clock.advance(500_000);
    expect((await h.api(`${BASE}/short`, { headers: { Accept: 'image/*' } })).status).toBe(404);
    expect(h.emulator.state.redirectQrs.size).toBe(0);
  });

  it('needs the access token and subscription key, like every QR API call', async () => {
    const res = await create({ id: 'x', redirectUrl: 'https://shop.example/x' }, 'image/*', {
      Authorization: '',
    });
    expect(res.status).toBe(401);
    expect(h.emulator.state.redirectQrs.size).toBe(0);
  });
});
