// Webhooks API registration (vipps-protocol.md §2), scoped by Merchant-Serial-Number.
import { startHarness, type Harness } from './helpers';

describe('emulator Webhooks registration', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const registerAt = (body: unknown, msn = '123456'): Promise<Response> =>
    h.api('/webhooks/v1/webhooks', { body, headers: { 'Merchant-Serial-Number': msn } });

  it('registers (201 {id, secret}), lists per MSN and deletes (204)', async () => {
    const res = await registerAt({ url: 'http://127.0.0.1:9/hook', events: ['user.checked-in.v1'] });
    expect(res.status).toBe(201);
    const { id, secret } = (await res.json()) as { id: string; secret: string };
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await registerAt(
      { url: 'https://other.example/hook', events: ['epayments.payment.captured.v1'] },
      '654321',
    );
    const list = (await (await h.api('/webhooks/v1/webhooks')).json()) as { webhooks: unknown[] };
    expect(list).toEqual({
      webhooks: [{ id, url: 'http://127.0.0.1:9/hook', events: ['user.checked-in.v1'] }],
    });
    const del = await h.api(`/webhooks/v1/webhooks/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(
      ((await (await h.api('/webhooks/v1/webhooks')).json()) as { webhooks: unknown[] }).webhooks,
    ).toEqual([]);
  });

  it('returns a different secret for every registration', async () => {
    const a = (await (
      await registerAt({ url: 'http://127.0.0.1:9/a', events: ['user.checked-in.v1'] })
    ).json()) as { secret: string };
    const b = (await (
      await registerAt({ url: 'http://127.0.0.1:9/b', events: ['epayments.payment.captured.v1'] })
    ).json()) as { secret: string };
    expect(a.secret).not.toBe(b.secret);
  });

  it.each([
    [
      'a non-URL',
      { url: 'not a url', events: ['user.checked-in.v1'] },
      'url',
      'url must be an absolute http(s) URL.',
    ],
    [
      'an ftp URL',
      { url: 'ftp://example.com/x', events: ['user.checked-in.v1'] },
      'url',
      'url must be an absolute http(s) URL.',
    ],
    [
      'no events',
      { url: 'https://example.com/x', events: [] },
      'events',
      'events must be a non-empty array of event names.',
    ],
  ])('answers 400 for %s', async (_name, body, name, reason) => {
    const res = await registerAt(body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 400, title: 'Bad Request', extraDetails: [{ name, reason }] });
  });

  it('answers 400 for an unknown event name', async () => {
    const res = await registerAt({ url: 'https://example.com/x', events: ['user.checked-out.v1'] });
    expect(res.status).toBe(400);
    const { extraDetails } = (await res.json()) as { extraDetails: Array<{ name: string; reason: string }> };
    expect(extraDetails[0]?.reason).toMatch(
      /^Unknown event 'user\.checked-out\.v1'\. Known: user\.checked-in\.v1, /,
    );
  });

  it('answers 404 when deleting an id of another MSN', async () => {
    const { id } = (await (
      await registerAt({ url: 'http://127.0.0.1:9/a', events: ['user.checked-in.v1'] })
    ).json()) as { id: string };
    const res = await h.api(`/webhooks/v1/webhooks/${id}`, {
      method: 'DELETE',
      headers: { 'Merchant-Serial-Number': '654321' },
    });
    expect(res.status).toBe(404);
  });

  it('allows one user.checked-in.v1 registration per sales unit by default (as Vipps); partner-wide counts apart', async () => {
    const first = await registerAt({ url: 'https://a.example/hook', events: ['user.checked-in.v1'] });
    expect(first.status).toBe(201);
    const second = await registerAt({
      url: 'https://b.example/hook',
      events: ['user.checked-in.v1', 'epayments.payment.captured.v1'],
    });
    expect(second.status).toBe(400);
    expect(((await second.json()) as { extraDetails: unknown }).extraDetails).toEqual([
      { name: 'events', reason: "At most 1 registrations for 'user.checked-in.v1' per sales unit." },
    ]);
    // Nothing half-stored by the refusal.
    const list = (await (await h.api('/webhooks/v1/webhooks')).json()) as { webhooks: unknown[] };
    expect(list.webhooks).toHaveLength(1);
    // Another sales unit and the partner-wide scope each have their own one.
    expect(
      (await registerAt({ url: 'https://a.example/hook', events: ['user.checked-in.v1'] }, '654321')).status,
    ).toBe(201);
    expect(
      (await registerAt({ url: 'https://a.example/hook', events: ['user.checked-in.v1'] }, '')).status,
    ).toBe(201);
  });

  it('with webhookLimits.checkedIn, allows more check-in registrations per sales unit', async () => {
    const relaxed = await startHarness({ webhookLimits: { checkedIn: 2 } });
    try {
      const post = (url: string): Promise<Response> =>
        relaxed.api('/webhooks/v1/webhooks', { body: { url, events: ['user.checked-in.v1'] } });
      expect((await post('https://a.example/1')).status).toBe(201);
      expect((await post('https://a.example/2')).status).toBe(201);
      const third = await post('https://a.example/3');
      expect(third.status).toBe(400);
      expect(((await third.json()) as { extraDetails: unknown }).extraDetails).toEqual([
        { name: 'events', reason: "At most 2 registrations for 'user.checked-in.v1' per sales unit." },
      ]);
    } finally {
      await relaxed.close();
    }
  });

  it('refuses an http registration URL unless allowHttp (the sandbox and tests pass it)', async () => {
    const strict = await startHarness({ allowHttp: false });
    try {
      const res = await strict.api('/webhooks/v1/webhooks', {
        body: { url: 'http://127.0.0.1:9/hook', events: ['user.checked-in.v1'] },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { extraDetails: unknown }).extraDetails).toEqual([
        { name: 'url', reason: 'url must be an absolute https URL.' },
      ]);
      expect(strict.emulator.state.webhooks.size).toBe(0);
      const https = await strict.api('/webhooks/v1/webhooks', {
        body: { url: 'https://gateway.example/hook', events: ['user.checked-in.v1'] },
      });
      expect(https.status).toBe(201);
    } finally {
      await strict.close();
    }
    // The harness passes allowHttp: true, so the registration at the top of this file was accepted.
  });
});
