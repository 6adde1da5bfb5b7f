// Vipps's time limits on the emulator's injected clock (payment-rules.ts): capture and cancel 180 days after the
// reservation in NOK and 14 days in DKK and EUR (6100, 6030), refund 365 days (6220); months run in milliseconds
// on a FakeClock, and the limits can be shortened through the emulator's options.
import { DAY_MS } from '../../src/emulator/payment-rules';
import { errorCode, problem, scan, createBody, startHarness, type Harness } from './helpers';
import { authorizedPayment, modify } from './payment-helpers';

describe('emulator payment deadlines', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('captures a NOK payment 180 days after the reservation and refuses capture and cancel at 181 days', async () => {
    await authorizedPayment(h, 'nok-0001', 10_000);
    const reservedAt = h.clock.now().toISOString();
    h.clock.advance(180 * DAY_MS);
    expect((await modify(h, 'nok-0001', 'capture', { value: 1_000, key: 'day-180' })).status).toBe(200);

    h.clock.advance(DAY_MS);
    const capture = await modify(h, 'nok-0001', 'capture', { value: 1_000, key: 'day-181' });
    expect(capture.status).toBe(400);
    expect(await problem(capture)).toEqual({
      type: 'https://httpstatuses.io/400',
      title: 'Capture period expired',
      status: 400,
      detail: `A payment in NOK can be captured for 180 days after the reservation; this one was reserved at ${reservedAt}.`,
      instance: '/epayment/v1/payments/nok-0001/capture',
      extraDetails: [{ name: 'ErrorCode', reason: '6100' }],
    });
    const cancel = await modify(h, 'nok-0001', 'cancel', { key: 'cancel-181' });
    expect(cancel.status).toBe(400);
    expect(await problem(cancel)).toMatchObject({
      title: 'Cancel period expired',
      extraDetails: [{ name: 'ErrorCode', reason: '6030' }],
    });
    // The capture made in time can still be refunded, and its key still replays its first answer.
    expect((await modify(h, 'nok-0001', 'refund', { value: 1_000, key: 'refund' })).status).toBe(200);
    expect((await modify(h, 'nok-0001', 'capture', { value: 1_000, key: 'day-180' })).status).toBe(200);
  });

  it.each(['DKK', 'EUR'])('allows capture and cancel of a %s payment for 14 days only', async (currency) => {
    await authorizedPayment(h, `${currency}-0001`, 10_000, currency);
    await authorizedPayment(h, `${currency}-0002`, 10_000, currency);
    h.clock.advance(14 * DAY_MS);
    const inTime = await modify(h, `${currency}-0001`, 'capture', { value: 500, currency, key: 'a' });
    expect(inTime.status).toBe(200);

    h.clock.advance(1);
    const late = await modify(h, `${currency}-0001`, 'capture', { value: 500, currency, key: 'b' });
    expect(errorCode(await problem(late))).toBe('6100');
    const lateCancel = await modify(h, `${currency}-0002`, 'cancel', { key: 'c' });
    expect(lateCancel.status).toBe(400);
    expect(errorCode(await problem(lateCancel))).toBe('6030');
  });

  it('refunds for 365 days after the reservation and refuses at 366 days with 6220', async () => {
    await authorizedPayment(h, 'refund-0001', 10_000);
    const reservedAt = h.clock.now().toISOString();
    expect((await modify(h, 'refund-0001', 'capture', { value: 10_000, key: 'cap' })).status).toBe(200);
    h.clock.advance(365 * DAY_MS);
    expect((await modify(h, 'refund-0001', 'refund', { value: 1_000, key: 'day-365' })).status).toBe(200);

    h.clock.advance(DAY_MS);
    const late = await modify(h, 'refund-0001', 'refund', { value: 1_000, key: 'day-366' });
    expect(late.status).toBe(400);
    expect(await problem(late)).toEqual({
      type: 'https://httpstatuses.io/400',
      title: 'Refund period expired',
      status: 400,
      detail: `A payment in NOK can be refunded for 365 days after the reservation; this one was reserved at ${reservedAt}.`,
      instance: '/epayment/v1/payments/refund-0001/refund',
      extraDetails: [{ name: 'ErrorCode', reason: '6220' }],
    });
  });

  it('counts from the reservation, not from the creation', async () => {
    const { customerToken } = await scan(h, { behavior: { action: 'approve', afterMs: 5 * 60_000 } });
    await h.api('/epayment/v1/payments', {
      body: createBody('late-approve-1', customerToken, 10_000, 'DKK'),
      headers: { 'Idempotency-Key': 'create' },
    });
    h.clock.advance(5 * 60_000);
    expect(
      ((await (await h.api('/epayment/v1/payments/late-approve-1')).json()) as { state: string }).state,
    ).toBe('AUTHORIZED');
    h.clock.advance(14 * DAY_MS); // 14 days and 5 minutes after the creation
    const capture = await modify(h, 'late-approve-1', 'capture', {
      value: 10_000,
      currency: 'DKK',
      key: 'c',
    });
    expect(capture.status).toBe(200);
  });

  it('takes shorter limits from the emulator options', async () => {
    const short = await startHarness({ deadlines: { captureMs: { NOK: 60_000 }, refundMs: 120_000 } });
    try {
      await authorizedPayment(short, 'short-0001', 10_000);
      await authorizedPayment(short, 'short-0002', 10_000, 'DKK');
      expect((await modify(short, 'short-0001', 'capture', { value: 5_000, key: 'a' })).status).toBe(200);
      short.clock.advance(60_001);
      const capture = await modify(short, 'short-0001', 'capture', { value: 1_000, key: 'b' });
      expect(await problem(capture)).toMatchObject({
        detail: expect.stringContaining('can be captured for 60000 ms after the reservation') as unknown,
        extraDetails: [{ name: 'ErrorCode', reason: '6100' }],
      });
      // DKK keeps Vipps's 14 days.
      const dkk = await modify(short, 'short-0002', 'capture', { value: 1, currency: 'DKK', key: 'c' });
      expect(dkk.status).toBe(200);
      expect((await modify(short, 'short-0001', 'refund', { value: 1_000, key: 'd' })).status).toBe(200);
      short.clock.advance(60_000);
      const refund = await modify(short, 'short-0001', 'refund', { value: 1_000, key: 'e' });
      expect(errorCode(await problem(refund))).toBe('6220');
    } finally {
      await short.close();
    }
  });
});
