// QR API merchant callback codes (vipps-protocol.md §4), and a served image that decodes to qrContent.
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startHarness, type Harness } from './helpers';

describe('emulator QR merchant callback', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const put = (id: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    h.api(`/qr/v1/merchant-callback/${id}`, { method: 'PUT', body, headers });

  it('creates with PUT (200, no body), reads it back and keeps qrContent stable on a re-PUT', async () => {
    const res = await put('lane-1', { locationDescription: 'Kiosk 1' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const first = (await (
      await h.api('/qr/v1/merchant-callback/lane-1?QrImageFormat=PNG&QrImageSize=300')
    ).json()) as Record<string, string>;
    expect(first).toEqual({
      merchantSerialNumber: '123456',
      merchantQrId: 'lane-1',
      locationDescription: 'Kiosk 1',
      qrImageUrl: `${h.url}/qr-images/123456/lane-1.png?size=300`,
      qrContent: 'https://qr.vipps.no/28/2/05/031/123456-lane-1',
    });
    await put('lane-1', { locationDescription: 'Kiosk 1 (moved)', category: 'VENDING' });
    const second = (await (await h.api('/qr/v1/merchant-callback/lane-1')).json()) as Record<string, string>;
    expect(second).toMatchObject({
      locationDescription: 'Kiosk 1 (moved)',
      category: 'VENDING',
      qrContent: first['qrContent'],
    });
    expect(second['qrImageUrl']).toBe(`${h.url}/qr-images/123456/lane-1.svg?size=600`); // SVG is the default
  });

  it('serves a PNG without auth that decodes to qrContent', async () => {
    await put('lane-png', { locationDescription: 'Vending 7' });
    const qr = (await (
      await h.api('/qr/v1/merchant-callback/lane-png?QrImageFormat=PNG&QrImageSize=400')
    ).json()) as Record<string, string>;
    const image = await fetch(qr['qrImageUrl'] as string);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    expect(png.width).toBe(400);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height, {
      inversionAttempts: 'dontInvert',
    });
    expect(decoded?.data).toBe(qr['qrContent']);
  });

  it('serves an SVG QR code', async () => {
    await put('lane-svg', { locationDescription: 'Vending 8' });
    const qr = (await (await h.api('/qr/v1/merchant-callback/lane-svg')).json()) as Record<string, string>;
    const image = await fetch(qr['qrImageUrl'] as string);
    expect(image.headers.get('content-type')).toContain('image/svg+xml');
    expect(await image.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<path/s);
  });

  it('lists only the calling MSN\u2019s codes and deletes one (200), then 404s it', async () => {
    await put('a-lane', { locationDescription: 'A' });
    await put('b-lane', { locationDescription: 'B' });
    await put('c-lane', { locationDescription: 'C' }, { 'Merchant-Serial-Number': '654321' });
    const list = (await (await h.api('/qr/v1/merchant-callback?QrImageFormat=PNG')).json()) as Array<{
      merchantQrId: string;
    }>;
    expect(list.map((q) => q.merchantQrId).sort()).toEqual(['a-lane', 'b-lane']);
    expect((await h.api('/qr/v1/merchant-callback/a-lane', { method: 'DELETE' })).status).toBe(200);
    const gone = await h.api('/qr/v1/merchant-callback/a-lane');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({
      type: 'https://httpstatuses.io/404',
      title: 'Not Found',
      detail: "No merchant callback QR 'a-lane' for this MSN.",
      instance: '/qr/v1/merchant-callback/a-lane',
    });
    expect((await fetch(`${h.url}/qr-images/123456/a-lane.png`)).status).toBe(404);
    expect((await h.api('/qr/v1/merchant-callback/a-lane', { method: 'DELETE' })).status).toBe(404);
  });

  it('answers a QrErrorResponse naming locationDescription when it is missing or longer than 36', async () => {
    for (const body of [{}, { locationDescription: 'x'.repeat(37) }]) {
      const res = await put('lane-bad', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        type: 'https://httpstatuses.io/400',
        title: 'Invalid request',
        detail: 'locationDescription is required, at most 36 characters.',
        instance: '/qr/v1/merchant-callback/lane-bad',
        invalidParams: [
          { name: 'locationDescription', reason: 'locationDescription is required, at most 36 characters.' },
        ],
      });
    }
  });

  it.each([
    ['QrImageFormat=GIF', 'QrImageFormat', 'QrImageFormat must be PNG or SVG.'],
    ['QrImageSize=99', 'QrImageSize', 'QrImageSize must be an integer from 100 to 2000.'],
    ['QrImageSize=2001', 'QrImageSize', 'QrImageSize must be an integer from 100 to 2000.'],
  ])('answers 400 for %s', async (query, name, reason) => {
    await put('lane-q', { locationDescription: 'Q' });
    const res = await h.api(`/qr/v1/merchant-callback/lane-q?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, unknown>)['invalidParams']).toEqual([{ name, reason }]);
  });

  it('requires Merchant-Serial-Number', async () => {
    const res = await put('lane-1', { locationDescription: 'x' }, { 'Merchant-Serial-Number': '' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, unknown>)['invalidParams']).toEqual([
      { name: 'Merchant-Serial-Number', reason: 'The Merchant-Serial-Number header is required.' },
    ]);
  });
});
