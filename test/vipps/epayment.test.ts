import {
  cancelPayment,
  capturePayment,
  createPayment,
  getPayment,
  getPaymentEvents,
  refundPayment,
} from '../../src/vipps/epayment';
import type { CreatePaymentInput } from '../../src/vipps/epayment';
import { VippsInvalidRequestError } from '../../src/vipps/errors';
import { isPaymentEventName, isPaymentState } from '../../src/vipps/epayment-types';
import { ValidationError } from '../../src/vipps/validate';
import { CUSTOMER_TOKEN, MSN, REFERENCE, modificationBody, paymentBody } from './support/fixtures';

const ref = { msn: MSN, reference: REFERENCE };
const createInput: CreatePaymentInput = {
  ...ref,
  amount: { currency: 'NOK', value: 4900 },
  customerToken: CUSTOMER_TOKEN,
  paymentDescription: 'Coffee, Kiosk 1',
  idempotencyKey: 'create-kiosk1-20231006-104540-a1b2',
};

// The request as data, without the parse function.
function data<T extends { parse: unknown }>(req: T): Omit<T, 'parse'> {
  const { parse: _parse, ...rest } = req;
  return rest;
}

describe('ePayment request factories', () => {
  it('createPayment builds a PUSH_MESSAGE wallet payment to the checked-in customer', () => {
    expect(data(createPayment(createInput))).toEqual({
      operation: 'epayment.create',
      method: 'POST',
      path: '/epayment/v1/payments',
      msn: MSN,
      idempotencyKey: 'create-kiosk1-20231006-104540-a1b2',
      auth: 'bearer',
      body: {
        amount: { currency: 'NOK', value: 4900 },
        paymentMethod: { type: 'WALLET' },
        customer: { customerToken: CUSTOMER_TOKEN },
        customerInteraction: 'CUSTOMER_PRESENT',
        reference: REFERENCE,
        userFlow: 'PUSH_MESSAGE',
        paymentDescription: 'Coffee, Kiosk 1',
      },
      secrets: [CUSTOMER_TOKEN],
      expect: [201],
    });
  });

  it('createPayment leaves paymentDescription out when not given', () => {
    const { paymentDescription: _d, ...withoutDescription } = createInput;
    const body = createPayment(withoutDescription).body as Record<string, unknown>;
    expect(Object.keys(body)).not.toContain('paymentDescription');
  });

  it('createPayment parses the 201 body', () => {
    expect(createPayment(createInput).parse(201, { reference: REFERENCE })).toEqual({ reference: REFERENCE });
  });

  it('getPayment reads /payments/{reference} and validates the payment', () => {
    const req = getPayment(ref);
    expect(data(req)).toEqual({
      operation: 'epayment.get',
      method: 'GET',
      path: `/epayment/v1/payments/${REFERENCE}`,
      msn: MSN,
      auth: 'bearer',
      expect: [200],
    });
    expect(req.parse(200, paymentBody())).toEqual({
      aggregate: {
        authorizedAmount: { currency: 'NOK', value: 4900 },
        cancelledAmount: { currency: 'NOK', value: 0 },
        capturedAmount: { currency: 'NOK', value: 0 },
        refundedAmount: { currency: 'NOK', value: 0 },
      },
      amount: { currency: 'NOK', value: 4900 },
      state: 'AUTHORIZED',
      paymentMethod: { type: 'WALLET' },
      pspReference: '53814d87-cd4f-41f0-9bbe-a7a1f7c4b4ac',
      reference: REFERENCE,
    });
  });

  it.each([
    [{ state: 7 }, 'body.state must be one of CREATED | AUTHORIZED | ABORTED | EXPIRED | TERMINATED'],
    [{ state: '' }, 'body.state must be one of CREATED | AUTHORIZED | ABORTED | EXPIRED | TERMINATED'],
    [{ aggregate: undefined }, 'body.aggregate must be an object'],
    [{ amount: { currency: 'NOK', value: 49.5 } }, 'body.amount.value must be an integer'],
    [{ pspReference: 42 }, 'body.pspReference must be a string'],
    [{ reference: '' }, 'body.reference must be a non-empty string'],
  ])('getPayment rejects a payment with %j', (override, message) => {
    expect(() => getPayment(ref).parse(200, paymentBody(override))).toThrow(ValidationError);
    expect(() => getPayment(ref).parse(200, paymentBody(override))).toThrow(message);
  });

  it('getPaymentEvents reads the event log and treats a null idempotencyKey as absent', () => {
    const req = getPaymentEvents(ref);
    expect(req.path).toBe(`/epayment/v1/payments/${REFERENCE}/events`);
    expect(req.method).toBe('GET');
    const event = {
      reference: REFERENCE,
      pspReference: 'e1',
      amount: { currency: 'NOK', value: 4900 },
      timestamp: '2023-10-06T10:45:52.110Z',
      success: true,
    };
    expect(
      req.parse(200, [
        { ...event, name: 'CREATED', idempotencyKey: 'create-1' },
        { ...event, name: 'CANCELLED', idempotencyKey: null },
      ]),
    ).toEqual([
      { ...event, name: 'CREATED', idempotencyKey: 'create-1' },
      { ...event, name: 'CANCELLED' },
    ]);
    expect(() => req.parse(200, [{ ...event, name: 42 }])).toThrow('body[0].name must be one of CREATED');
  });

  it('getPayment keeps a state newer than the gateway instead of failing the answer', () => {
    const p = getPayment(ref).parse(200, paymentBody({ state: 'PARTIALLY_SETTLED' }));
    expect(p.state).toBe('PARTIALLY_SETTLED');
    expect(isPaymentState(p.state)).toBe(false);
    expect(isPaymentState(getPayment(ref).parse(200, paymentBody()).state)).toBe(true);
  });

  it.each([
    ['capture', capturePayment({ ...ref, amount: { currency: 'NOK', value: 2500 }, idempotencyKey: 'c' })],
    ['refund', refundPayment({ ...ref, amount: { currency: 'NOK', value: 2500 }, idempotencyKey: 'r' })],
    ['cancel', cancelPayment({ ...ref, idempotencyKey: 'x' })],
  ])('a %s answer with state "PARTIALLY_SETTLED" parses, aggregate and all', (_op, req) => {
    const r = req.parse(200, modificationBody({ state: 'PARTIALLY_SETTLED' }));
    expect(r.state).toBe('PARTIALLY_SETTLED');
    expect(r.aggregate.capturedAmount).toEqual({ currency: 'NOK', value: 2500 });
  });

  it('getPaymentEvents keeps an event name newer than the gateway', () => {
    const event = {
      reference: REFERENCE,
      pspReference: 'e2',
      name: 'CAPTURE_REVERSED',
      amount: { currency: 'NOK', value: 100 },
      timestamp: '2023-10-06T10:46:00.000Z',
      success: true,
    };
    const [parsed] = getPaymentEvents(ref).parse(200, [event]);
    expect(parsed?.name).toBe('CAPTURE_REVERSED');
    expect(isPaymentEventName(parsed?.name ?? '')).toBe(false);
    expect(isPaymentEventName('CAPTURED')).toBe(true);
  });

  it('capturePayment posts the modificationAmount with the Idempotency-Key', () => {
    const req = capturePayment({
      ...ref,
      amount: { currency: 'NOK', value: 2500 },
      idempotencyKey: 'capture-1',
    });
    expect(data(req)).toEqual({
      operation: 'epayment.capture',
      method: 'POST',
      path: `/epayment/v1/payments/${REFERENCE}/capture`,
      msn: MSN,
      idempotencyKey: 'capture-1',
      auth: 'bearer',
      body: { modificationAmount: { currency: 'NOK', value: 2500 } },
      expect: [200],
    });
    expect(req.parse(200, modificationBody()).aggregate.capturedAmount).toEqual({
      currency: 'NOK',
      value: 2500,
    });
  });

  it('refundPayment posts the modificationAmount to /refund', () => {
    const req = refundPayment({
      ...ref,
      amount: { currency: 'NOK', value: 100 },
      idempotencyKey: 'refund-1',
    });
    expect(req.path).toBe(`/epayment/v1/payments/${REFERENCE}/refund`);
    expect(req.body).toEqual({ modificationAmount: { currency: 'NOK', value: 100 } });
    expect(req.idempotencyKey).toBe('refund-1');
  });

  it('cancelPayment sends no body unless cancelTransactionOnly is set', () => {
    const plain = cancelPayment({ ...ref, idempotencyKey: 'cancel-1' });
    expect(data(plain)).toEqual({
      operation: 'epayment.cancel',
      method: 'POST',
      path: `/epayment/v1/payments/${REFERENCE}/cancel`,
      msn: MSN,
      idempotencyKey: 'cancel-1',
      auth: 'bearer',
      expect: [200],
    });
    const onlyIfNotAuthorized = cancelPayment({
      ...ref,
      idempotencyKey: 'cancel-1',
      cancelTransactionOnly: true,
    });
    expect(onlyIfNotAuthorized.body).toEqual({ cancelTransactionOnly: true });
  });

  it.each<[string, Partial<CreatePaymentInput>, string]>([
    ['a short reference', { reference: 'abc' }, 'reference must be 8-50 characters of a-z, A-Z, 0-9 and -'],
    [
      'a reference with _',
      { reference: 'kiosk_1_20231006' },
      'reference must be 8-50 characters of a-z, A-Z, 0-9 and -',
    ],
    [
      'a 51-char key',
      { idempotencyKey: 'k'.repeat(51) },
      'idempotencyKey must be 1-50 visible ASCII characters',
    ],
    [
      'decimals',
      { amount: { currency: 'NOK', value: 49.5 } },
      'amount.value must be an integer number of minor units from 100 to 65000000',
    ],
    [
      'less than 1 kr',
      { amount: { currency: 'NOK', value: 99 } },
      'amount.value must be an integer number of minor units from 100 to 65000000',
    ],
    ['SEK', { amount: { currency: 'SEK' as 'NOK', value: 4900 } }, 'amount.currency must be NOK, DKK or EUR'],
    ['an empty token', { customerToken: '' }, 'customerToken must be the token from the check-in'],
    ['a 2-char description', { paymentDescription: 'Hi' }, 'paymentDescription must be 3-100 characters'],
    ['a bad msn', { msn: 'MSN-1' }, 'msn must be the merchant serial number (digits)'],
  ])('createPayment refuses %s before anything is sent', (_name, override, message) => {
    let error: unknown;
    try {
      createPayment({ ...createInput, ...override });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VippsInvalidRequestError);
    expect((error as Error).message).toBe(`Vipps epayment.create: ${message}`);
    expect((error as VippsInvalidRequestError).retryable).toBe(false);
    expect((error as Error).message).not.toContain(CUSTOMER_TOKEN);
  });

  it('accepts 1 DKK øre on create and 1 øre on capture', () => {
    expect(() => createPayment({ ...createInput, amount: { currency: 'DKK', value: 1 } })).not.toThrow();
    expect(() =>
      capturePayment({ ...ref, amount: { currency: 'NOK', value: 1 }, idempotencyKey: 'c' }),
    ).not.toThrow();
    expect(() =>
      capturePayment({ ...ref, amount: { currency: 'NOK', value: 0 }, idempotencyKey: 'c' }),
    ).toThrow(
      'Vipps epayment.capture: amount.value must be an integer number of minor units from 1 to 65000000',
    );
  });
});
