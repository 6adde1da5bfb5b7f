// Outgoing webhooks (vipps-protocol.md §1, §1.5, §3, §6.5): signed per attempt and verified here by the
// gateway's own verifier, retried with a fresh x-ms-date, ordered per payment, bounded by a timeout.
import { DELIVERY_MAX_AGE_MS, VIPPS_RETRY_DELAYS_MS } from '../../src/emulator/deliveries';
import type { DeliveryRecord } from '../../src/emulator/state';
import {
  createBody,
  MSN,
  paymentEvent,
  register,
  scan,
  startHarness,
  startReceiver,
  type Harness,
  type Receiver,
} from './helpers';

const EPAYMENT_EVENTS = [
  'created',
  'authorized',
  'aborted',
  'expired',
  'cancelled',
  'captured',
  'refunded',
  'terminated',
].map((e) => `epayments.payment.${e}.v1`);

describe('emulator webhook deliveries', () => {
  let h: Harness;
  let receiver: Receiver;
  async function setup(options: Parameters<typeof startHarness>[0] = {}): Promise<void> {
    h = await startHarness({ deliveryRetry: { delaysMs: [10, 10, 10] }, ...options });
    receiver = await startReceiver(h.clock);
  }
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });
  const deliveries = async (): Promise<DeliveryRecord[]> =>
    ((await (await fetch(`${h.url}/emulator/v1/deliveries`)).json()) as { deliveries: DeliveryRecord[] })
      .deliveries;

  it('sends user.checked-in.v1 for a scan, signed over the registered URL and verified by the gateway verifier', async () => {
    await setup();
    await register(h, receiver, ['user.checked-in.v1']);
    const result = await scan(h, { merchantQrId: 'vend-oslo-1' });
    const [d] = await receiver.waitFor(1);
    expect(d?.verification).toEqual({ ok: true, secretIndex: 0 });
    expect(d?.path).toBe('/webhooks/vipps?lane=all');
    expect(d?.json).toEqual({
      customerToken: result.customerToken,
      merchantQrId: 'vend-oslo-1',
      msn: MSN,
      initiatedAt: result.initiatedAt,
    });
    expect(result.initiatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(d?.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Vipps MobilePay/1.0 Webhooks/1.0',
      'x-ms-date': h.clock.now().toUTCString(),
      'webhook-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(d?.headers['x-vipps-authorization']).toBe(d?.headers['authorization']);
  });

  it('fails verification with a wrong secret (the check above is not vacuous)', async () => {
    await setup();
    const res = await h.api('/webhooks/v1/webhooks', {
      body: { url: receiver.url, events: ['user.checked-in.v1'] },
    });
    expect(res.status).toBe(201);
    receiver.setSecret('not-the-secret');
    await scan(h, {});
    const [d] = await receiver.waitFor(1);
    expect(d?.verification).toMatchObject({ ok: false, code: 'signature_mismatch' });
  });

  it('sends an ePayment event per state change with the §6.5 payload, in order', async () => {
    await setup();
    await register(h, receiver, EPAYMENT_EVENTS);
    const { customerToken } = await scan(h, {});
    await h.api('/epayment/v1/payments', {
      body: createBody('deliver-0001', customerToken, 4900),
      headers: { 'Idempotency-Key': 'c' },
    });
    await paymentEvent(h.emulator, 'deliver-0001', 'AUTHORIZED');
    await h.api('/epayment/v1/payments/deliver-0001/capture', {
      body: { modificationAmount: { currency: 'NOK', value: 4900 } },
      headers: { 'Idempotency-Key': 'cap-1' },
    });
    await h.emulator.awaitIdle();
    expect(receiver.received.map((d) => d.json['name'])).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED']);
    expect(receiver.received.every((d) => d.verification.ok)).toBe(true);
    const [created, authorized, captured] = receiver.received.map((d) => d.json);
    expect(created).toEqual({
      msn: MSN,
      reference: 'deliver-0001',
      pspReference: expect.stringMatching(/^\d{10}$/),
      name: 'CREATED',
      amount: { currency: 'NOK', value: 4900 },
      timestamp: h.clock.now().toISOString(),
      idempotencyKey: 'c',
      success: true,
    });
    expect(authorized).not.toHaveProperty('idempotencyKey');
    expect(captured).toMatchObject({
      name: 'CAPTURED',
      idempotencyKey: 'cap-1',
      amount: { currency: 'NOK', value: 4900 },
    });
    expect(new Set([created, authorized, captured].map((e) => e?.['pspReference'])).size).toBe(3);
  });

  it('retries a failed delivery with a fresh x-ms-date and signature and the same Webhook-Id', async () => {
    await setup();
    await register(h, receiver, ['user.checked-in.v1']);
    receiver.respond = (_d, i) => {
      if (i > 0) return 204;
      h.clock.advance(5_000); // Time passes before Vipps retries.
      return 500;
    };
    await scan(h, {});
    await h.emulator.awaitIdle();
    const [first, second] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect(second?.rawBody.equals(first?.rawBody ?? Buffer.alloc(0))).toBe(true);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.headers['x-ms-date']).not.toBe(first?.headers['x-ms-date']);
    expect(second?.headers['authorization']).not.toBe(first?.headers['authorization']);
    expect([first?.verification.ok, second?.verification.ok]).toEqual([true, true]);
    const log = await deliveries();
    expect(log.map((d) => [d.event, d.attempt, d.status])).toEqual([
      ['user.checked-in.v1', 1, 500],
      ['user.checked-in.v1', 2, 204],
    ]);
  });

  it('holds later events of a payment until the failing one succeeds', async () => {
    await setup();
    await register(h, receiver, EPAYMENT_EVENTS);
    receiver.respond = (_d, i) => (i < 2 ? 503 : 200);
    const { customerToken } = await scan(h, {});
    await h.api('/epayment/v1/payments', {
      body: createBody('ordered-0001', customerToken),
      headers: { 'Idempotency-Key': 'c' },
    });
    await paymentEvent(h.emulator, 'ordered-0001', 'AUTHORIZED');
    await h.emulator.awaitIdle();
    expect(receiver.received.map((d) => d.json['name'])).toEqual([
      'CREATED',
      'CREATED',
      'CREATED',
      'AUTHORIZED',
    ]);
  });

  it('treats no answer within the timeout as a failure and retries', async () => {
    await setup({ deliveryTimeoutMs: 200 });
    await register(h, receiver, ['user.checked-in.v1']);
    receiver.respond = (_d, i) => (i === 0 ? 'hang' : 200);
    await scan(h, {});
    await h.emulator.awaitIdle();
    expect((await deliveries()).map((d) => [d.attempt, d.status ?? d.error])).toEqual([
      [1, 'timeout after 200 ms'],
      [2, 200],
    ]);
  });

  it('gives up after the configured delays', async () => {
    await setup({ deliveryRetry: { delaysMs: [5] } });
    await register(h, receiver, ['user.checked-in.v1']);
    receiver.respond = () => 503;
    await scan(h, {});
    await h.emulator.awaitIdle();
    expect((await deliveries()).map((d) => d.status)).toEqual([503, 503]);
  });

  // Three receivers: the MSN's own check-in registration, another MSN's, and a partner-wide one (no MSN).
  async function threeRegistrations(): Promise<{ other: Receiver; partner: Receiver }> {
    const other = await startReceiver(h.clock, '/other');
    const partner = await startReceiver(h.clock, '/partner');
    await register(h, receiver, ['user.checked-in.v1']);
    await register(h, other, ['user.checked-in.v1'], '654321');
    await register(h, partner, ['user.checked-in.v1'], '');
    return { other, partner };
  }

  it('delivers a check-in to the sales unit\u2019s own registration only; partner-wide gets MSNs without one', async () => {
    await setup();
    const { other, partner } = await threeRegistrations();
    try {
      await scan(h, {});
      await h.emulator.awaitIdle();
      // As Vipps: the sales-unit registration wins over the partner-wide one, one receiver per check-in.
      expect([receiver.received.length, other.received.length, partner.received.length]).toEqual([1, 0, 0]);
      await scan(h, { msn: '777777' });
      await h.emulator.awaitIdle();
      expect([receiver.received.length, other.received.length, partner.received.length]).toEqual([1, 0, 1]);
      expect(partner.received[0]?.verification.ok).toBe(true);
      expect(partner.received[0]?.json).toMatchObject({ msn: '777777' });
    } finally {
      await other.close();
      await partner.close();
    }
  });

  it('with checkinToAllRegistrations, delivers a check-in to the MSN\u2019s registration and the partner-wide one', async () => {
    await setup({ checkinToAllRegistrations: true });
    const { other, partner } = await threeRegistrations();
    try {
      await scan(h, {});
      await h.emulator.awaitIdle();
      expect([receiver.received.length, other.received.length, partner.received.length]).toEqual([1, 0, 1]);
      expect(partner.received[0]?.verification.ok).toBe(true);
    } finally {
      await other.close();
      await partner.close();
    }
  });

  it('keeps retrying a failing delivery until 7 days after its first attempt on the emulator\u2019s clock', async () => {
    // Many short delays, so only the age on the emulator's clock can end the retries.
    await setup({ deliveryRetry: { delaysMs: Array<number>(50).fill(5) } });
    await register(h, receiver, ['user.checked-in.v1']);
    // The third attempt happens 7 days after the first on the emulator's clock: it is the last.
    receiver.respond = (_d, index) => {
      if (index === 2) h.clock.advance(7 * 24 * 3_600_000);
      return 500;
    };
    await scan(h, {});
    await h.emulator.awaitIdle();
    const attempts = (await deliveries()).filter((d) => d.event === 'user.checked-in.v1');
    // Stopped by the age, not by running out of delays (51 attempts allowed).
    expect(attempts.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
  });

  it('spans Vipps\u2019s 7 days with its default schedule (2 s ×4, 60 s, 120 s, hourly to attempt 29, then daily)', () => {
    const total = VIPPS_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(DELIVERY_MAX_AGE_MS);
    expect(DELIVERY_MAX_AGE_MS).toBe(7 * 24 * 3_600_000);
    expect(VIPPS_RETRY_DELAYS_MS.slice(0, 7)).toEqual([2000, 2000, 2000, 2000, 60_000, 120_000, 3_600_000]);
    expect(VIPPS_RETRY_DELAYS_MS[28]).toBe(24 * 3_600_000);
  });
});
