// The control API under /emulator/v1/: scans, payments, deliveries, reset; and the in-process scan.
import { createEmulator } from '../../src/emulator/emulator';
import { createBody, register, scan, startHarness, startReceiver, type Harness } from './helpers';

describe('emulator control API', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${h.url}/emulator/v1/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers 400 with the exact problem for a scan without msn', async () => {
    const res = await post('scans', { merchantQrId: 'lane-1' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/emulator.invalid-request',
      title: 'Invalid request',
      status: 400,
      code: 'emulator.invalid-request',
      detail: 'msn must be a non-empty string',
    });
  });

  it.each([
    [{ msn: '123456' }, 'merchantQrId must be a non-empty string'],
    [
      { msn: '123456', merchantQrId: 'x', behavior: { action: 'dance' } },
      'behavior.action must be one of approve, reject, ignore',
    ],
    [
      { msn: '123456', merchantQrId: 'x', behavior: { action: 'approve', afterMs: -1 } },
      'behavior.afterMs must be a non-negative integer',
    ],
  ])('answers 400 for scan %j', async (body, detail) => {
    const res = await post('scans', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toBe(detail);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await fetch(`${h.url}/emulator/v1/scans`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'emulator.invalid-json' });
  });

  it('honours afterMs for the simulated approval (an unset one approves at once in this harness)', async () => {
    const { customerToken } = await scan(h, { behavior: { action: 'approve', afterMs: 60_000 } });
    await h.api('/epayment/v1/payments', {
      body: createBody('after-ms-001', customerToken),
      headers: { 'Idempotency-Key': 'k' },
    });
    const state = async (): Promise<unknown> =>
      (
        (await (await fetch(`${h.url}/emulator/v1/payments?reference=after-ms-001`)).json()) as {
          payments: Array<{ state: string }>;
        }
      ).payments[0]?.state;
    expect(await state()).toBe('CREATED');
    h.clock.advance(60_000);
    expect(await state()).toBe('AUTHORIZED');
  });

  it('lists payments with amounts, aggregate and create calls, and clears everything on reset', async () => {
    const receiver = await startReceiver(h.clock);
    try {
      await register(h, receiver, ['user.checked-in.v1']);
      const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
      await h.api('/epayment/v1/payments', {
        body: createBody('control-0001', customerToken, 2500),
        headers: { 'Idempotency-Key': 'k' },
      });
      await h.emulator.awaitIdle();
      const { payments } = (await (await fetch(`${h.url}/emulator/v1/payments`)).json()) as {
        payments: unknown[];
      };
      expect(payments).toEqual([
        {
          msn: '123456',
          reference: 'control-0001',
          state: 'CREATED',
          amount: { currency: 'NOK', value: 2500 },
          aggregate: {
            authorizedAmount: { currency: 'NOK', value: 0 },
            cancelledAmount: { currency: 'NOK', value: 0 },
            capturedAmount: { currency: 'NOK', value: 0 },
            refundedAmount: { currency: 'NOK', value: 0 },
          },
          refunds: [],
          createCalls: 1,
          userFlow: 'PUSH_MESSAGE',
          customer: 'customerToken',
          createdAt: h.clock.now().toISOString(),
          authorizedAt: null,
          events: ['CREATED'],
        },
      ]);
      const { deliveries } = (await (
        await fetch(`${h.url}/emulator/v1/deliveries?event=user.checked-in.v1`)
      ).json()) as {
        deliveries: Array<Record<string, unknown>>;
      };
      expect(deliveries).toEqual([
        expect.objectContaining({ event: 'user.checked-in.v1', attempt: 1, status: 200, url: receiver.url }),
      ]);
      expect((await post('reset', {})).status).toBe(204);
      expect(await (await fetch(`${h.url}/emulator/v1/payments`)).json()).toEqual({ payments: [] });
      expect(await (await fetch(`${h.url}/emulator/v1/deliveries`)).json()).toEqual({ deliveries: [] });
      expect(h.emulator.state.webhooks.size).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('with strictQr, answers 404 for a scan of a QR that was never created', async () => {
    const strict = createEmulator({ strictQr: true });
    const running = await strict.listen(0);
    try {
      const res = await fetch(`${running.url}/emulator/v1/scans`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ msn: '123456', merchantQrId: 'nowhere' }),
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'emulator.qr-not-found', status: 404 });
      strict.state.qrs.set('123456/lane-1', {
        msn: '123456',
        merchantQrId: 'lane-1',
        locationDescription: 'x',
        qrContent: 'q',
      });
      expect(strict.scan({ msn: '123456', merchantQrId: 'lane-1' }).customerToken).toMatch(
        /^[A-Za-z0-9+/]{62}[A-Za-z0-9+/=]{2}$/,
      );
    } finally {
      await strict.close();
    }
  });

  it('gives two scans in the same millisecond different initiatedAt values', async () => {
    const a = h.emulator.scan({ msn: '123456', merchantQrId: 'lane-1' });
    const b = h.emulator.scan({ msn: '123456', merchantQrId: 'lane-1' });
    expect(a.initiatedAt).not.toBe(b.initiatedAt);
    expect(Date.parse(a.initiatedAt)).toBe(Date.parse(b.initiatedAt));
  });
});
