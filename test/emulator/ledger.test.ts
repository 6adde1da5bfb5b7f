// The emulator's ledger in the control API: refunds in `GET /emulator/v1/payments` and per reference, and the
// `adjust` test aid that makes Vipps's aggregate differ from what the gateway did (as a merchant-portal action
// would), seen by the ePayment API's GET payment that a reconciliation reads.
import { createBody, MSN, OTHER_MSN, scan, startHarness, type Harness } from './helpers';
import { authorizedPayment, control, invalidRequest, modify } from './payment-helpers';

describe('emulator ledger', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const nok = (value: number): { currency: string; value: number } => ({ currency: 'NOK', value });

  it('lists each refund with amount, key and time beside the refunded aggregate', async () => {
    await authorizedPayment(h, 'refunds-0001', 10_000);
    const authorizedAt = h.clock.now().toISOString();
    await modify(h, 'refunds-0001', 'capture', { value: 8_000, key: 'cap' });
    h.clock.advance(60_000);
    await modify(h, 'refunds-0001', 'refund', { value: 1_500, key: 'refund-a' });
    const firstAt = h.clock.now().toISOString();
    h.clock.advance(60_000);
    await modify(h, 'refunds-0001', 'refund', { value: 500, key: 'refund-b' });
    await modify(h, 'refunds-0001', 'refund', { value: 500, key: 'refund-b' }); // a replay, not a refund

    const { body } = await control(h, 'GET', '/payments?reference=refunds-0001');
    const [payment] = body['payments'] as Array<Record<string, unknown>>;
    expect(payment).toMatchObject({
      aggregate: {
        authorizedAmount: nok(10_000),
        capturedAmount: nok(8_000),
        cancelledAmount: nok(0),
        refundedAmount: nok(2_000),
      },
      refunds: [
        { amount: nok(1_500), idempotencyKey: 'refund-a', at: firstAt },
        { amount: nok(500), idempotencyKey: 'refund-b', at: h.clock.now().toISOString() },
      ],
      authorizedAt,
    });
    expect(await control(h, 'GET', '/payments/refunds-0001')).toEqual({ status: 200, body: payment });
    expect((await control(h, 'GET', `/payments/refunds-0001?msn=${MSN}`)).body).toEqual(payment);
  });

  it('answers 404 for an unknown reference and 400 when the reference needs its MSN', async () => {
    expect(await control(h, 'GET', '/payments/nowhere-0001')).toEqual({
      status: 404,
      body: {
        type: 'https://checkin-gateway.dev/problems/emulator.payment-not-found',
        title: 'No such payment',
        status: 404,
        code: 'emulator.payment-not-found',
        detail: 'No payment with reference nowhere-0001.',
      },
    });
    await authorizedPayment(h, 'twice-0001');
    h.emulator.state.payments.set(`${OTHER_MSN}/twice-0001`, {
      ...h.emulator.state.payments.get(`${MSN}/twice-0001`)!,
      msn: OTHER_MSN,
    });
    expect(await control(h, 'GET', '/payments/twice-0001')).toEqual({
      status: 400,
      body: invalidRequest('msn is required: reference twice-0001 exists for several MSNs'),
    });
    expect((await control(h, 'GET', `/payments/twice-0001?msn=${OTHER_MSN}`)).body).toMatchObject({
      msn: OTHER_MSN,
    });
    expect(
      (await control(h, 'POST', '/payments/twice-0001/adjust', { msn: '999999', captured: 1 })).status,
    ).toBe(404);
  });

  it('sets aggregate numbers directly with adjust, shown by the ePayment API and nowhere in the event log', async () => {
    await authorizedPayment(h, 'adjust-0001', 10_000);
    await modify(h, 'adjust-0001', 'capture', { value: 10_000, key: 'cap' });
    const adjusted = await control(h, 'POST', '/payments/adjust-0001/adjust', { msn: MSN, captured: 6_000 });
    expect(adjusted.status).toBe(200);
    expect(adjusted.body).toMatchObject({
      reference: 'adjust-0001',
      aggregate: { capturedAmount: nok(6_000), cancelledAmount: nok(0), refundedAmount: nok(0) },
    });
    expect((await control(h, 'POST', '/payments/adjust-0001/adjust', { refunded: 500 })).body).toMatchObject({
      aggregate: { capturedAmount: nok(6_000), refundedAmount: nok(500) },
    });

    const vipps = (await (await h.api('/epayment/v1/payments/adjust-0001')).json()) as Record<
      string,
      unknown
    >;
    expect(vipps['aggregate']).toEqual({
      authorizedAmount: nok(10_000),
      capturedAmount: nok(6_000),
      cancelledAmount: nok(0),
      refundedAmount: nok(500),
    });
    const events = (await (await h.api('/epayment/v1/payments/adjust-0001/events')).json()) as Array<{
      name: string;
    }>;
    expect(events.map((e) => e.name)).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED']);
    // Later operations work on the adjusted numbers: 4 000 is left to cancel.
    const cancel = await modify(h, 'adjust-0001', 'cancel', { key: 'cancel' });
    expect(await cancel.json()).toMatchObject({ aggregate: { cancelledAmount: nok(4_000) } });
  });

  it.each([
    [[1], 'the body must be a JSON object'],
    [{ msn: MSN }, 'give at least one of authorized, captured, cancelled, refunded'],
    [{ captured: -1 }, 'captured must be a non-negative integer (minor units)'],
    [
      { refunded: 1.5, cancelled: '2' },
      'cancelled must be a non-negative integer (minor units); refunded must be a non-negative integer (minor units)',
    ],
    [
      { captured: 1, charged: 2, note: 'x' },
      'unknown fields charged, note; allowed: msn, authorized, captured, cancelled, refunded',
    ],
    [{ msn: '', captured: 1 }, 'msn must be a non-empty string'],
    [
      { captured: 8_000, cancelled: 3_000 },
      'the adjusted aggregate must keep captured + cancelled ≤ authorized ≤ amount and refunded ≤ captured; it would be authorized 10000, captured 8000, cancelled 3000, refunded 0 of amount 10000',
    ],
    [
      { refunded: 1 },
      'the adjusted aggregate must keep captured + cancelled ≤ authorized ≤ amount and refunded ≤ captured; it would be authorized 10000, captured 0, cancelled 0, refunded 1 of amount 10000',
    ],
    [
      { authorized: 10_001 },
      'the adjusted aggregate must keep captured + cancelled ≤ authorized ≤ amount and refunded ≤ captured; it would be authorized 10001, captured 0, cancelled 0, refunded 0 of amount 10000',
    ],
  ])('answers 400 for adjust %j and leaves the aggregate', async (body, detail) => {
    await authorizedPayment(h, 'adjust-0002', 10_000);
    expect(await control(h, 'POST', '/payments/adjust-0002/adjust', body)).toEqual({
      status: 400,
      body: invalidRequest(detail),
    });
    const { body: payment } = await control(h, 'GET', '/payments/adjust-0002');
    expect(payment['aggregate']).toMatchObject({ authorizedAmount: nok(10_000), capturedAmount: nok(0) });
  });

  it('answers 409 for adjusting a payment that was never authorized', async () => {
    const { customerToken } = await scan(h, { behavior: { action: 'ignore' } });
    await h.api('/epayment/v1/payments', {
      body: createBody('created-0001', customerToken),
      headers: { 'Idempotency-Key': 'k' },
    });
    expect(await control(h, 'POST', '/payments/created-0001/adjust', { captured: 1 })).toEqual({
      status: 409,
      body: {
        type: 'https://checkin-gateway.dev/problems/emulator.payment-not-authorized',
        title: 'Only an AUTHORIZED payment has an aggregate to adjust',
        status: 409,
        code: 'emulator.payment-not-authorized',
        detail: 'The payment is CREATED.',
      },
    });
  });
});
