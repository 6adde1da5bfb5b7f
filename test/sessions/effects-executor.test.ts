// ePayment effects through the real Vipps client (scripted fetch: the real Vipps cannot run here) and how
// every outcome becomes the input the state machine expects. Effects come from the real state machine.
import { FakeClock } from '../../src/clock';
import {
  executePaymentEffect,
  isPaymentEffect,
  operationFailure,
  type PaymentEffect,
} from '../../src/sessions/effects-executor';
import { idempotencyKey } from '../../src/sessions/ids';
import type { Input } from '../../src/sessions/types';
import { createVippsClient } from '../../src/vipps/client';
import { capturingLogger } from '../queue/queue-test-helpers';
import { modificationBody, paymentBody } from '../vipps/support/fixtures';
import { connectionRefused, FakeVipps, json, problem, type Reply } from '../vipps/support/fake-vipps';
import { checkinFor, LaneSim, T0, TOKEN, vendingLane } from './harness';

function client(vipps: FakeVipps) {
  return createVippsClient({
    env: 'sandbox',
    baseUrl: 'http://127.0.0.1:7070',
    systemName: 'checkin-gateway',
    systemVersion: '0.1.0',
    fetch: vipps.fetch,
    clock: new FakeClock(T0),
    retry: { maxAttempts: 1 },
  });
}

/** The effects the machine emits for a vending check-in, then after authorization and a 2500 report. */
function machineEffects(): {
  create: PaymentEffect;
  capture: PaymentEffect;
  get: PaymentEffect;
  cancel: PaymentEffect;
} {
  const sim = new LaneSim(vendingLane, T0);
  const find = (effects: readonly unknown[], type: string): PaymentEffect => {
    const e = (effects as PaymentEffect[]).find((x) => isPaymentEffect(x) && x.type === type);
    if (!e) throw new Error(`no ${type} effect`);
    return e;
  };
  const create = find(sim.apply(checkinFor(vendingLane, T0)).effects, 'create-payment');
  sim.apply(sim.by('payment-created'));
  const get = find(sim.fire('poll').effects, 'get-payment');
  sim.apply(sim.poll('AUTHORIZED', 10000));
  const report: Input = {
    type: 'dispense-report',
    sessionId: sim.session.id,
    result: 'dispensed',
    amount: { currency: 'NOK', value: 2500 },
  };
  const capture = find(sim.apply(report).effects, 'capture');
  const cancel = find(sim.apply(sim.by('capture-done')).effects, 'cancel');
  return { create, capture, get, cancel };
}

const fx = machineEffects();
const sessionId = fx.create.sessionId;
const vippsProblem = (status: number, code: string, headers: Record<string, string> = {}): Reply =>
  problem(
    status,
    { title: 'Error', status, traceId: 't', extraDetails: [{ name: 'ErrorCode', reason: code }] },
    headers,
  );

async function run(effect: PaymentEffect, ...replies: Reply[]) {
  const vipps = new FakeVipps(...replies);
  const { logger, lines } = capturingLogger();
  const result = await executePaymentEffect(effect, { epayment: client(vipps).epayment, logger });
  return { result, vipps, lines };
}

describe('create-payment', () => {
  it('sends the push with the derived reference and Idempotency-Key ⇒ payment-created', async () => {
    const { result, vipps } = await run(fx.create, json(201, { reference: fx.create.reference }));
    expect(result).toEqual({ type: 'payment-created', sessionId });
    const [req] = vipps.apiRequests;
    expect(req?.headers['idempotency-key']).toBe(idempotencyKey(sessionId, 'create'));
    expect(JSON.parse(req?.body ?? '{}')).toMatchObject({
      reference: fx.create.reference,
      amount: { currency: 'NOK', value: 10000 },
      customer: { customerToken: TOKEN },
      userFlow: 'PUSH_MESSAGE',
    });
  });

  it.each([
    ['4050 invalid token', 400, '4050'],
    ['5080 push not allowed', 403, '5080'],
  ])('%s ⇒ payment-create-failed, not retryable, with the code', async (_name, status, code) => {
    const { result } = await run(fx.create, vippsProblem(status, code));
    expect(result).toMatchObject({
      type: 'payment-create-failed',
      sessionId,
      code,
      status,
      retryable: false,
    });
  });

  it('429 ⇒ retryable, with Retry-After in seconds', async () => {
    const { result } = await run(fx.create, vippsProblem(429, '429', { 'Retry-After': '3' }));
    expect(result).toMatchObject({
      type: 'payment-create-failed',
      status: 429,
      retryable: true,
      retryAfterS: 3,
    });
  });

  it('500 ⇒ retryable', async () => {
    const { result } = await run(fx.create, problem(500, { title: 'Internal Server Error', status: 500 }));
    expect(result).toMatchObject({ type: 'payment-create-failed', status: 500, retryable: true });
  });

  it('a network error ⇒ retryable, without a status', async () => {
    const { result } = await run(fx.create, connectionRefused());
    expect(result).toMatchObject({ type: 'payment-create-failed', retryable: true });
    expect(result).not.toHaveProperty('status');
  });

  it('a 201 whose body cannot be read ⇒ retryable (it may well exist: the same key returns it)', async () => {
    const { result } = await run(fx.create, json(201, { unexpected: true }));
    expect(result).toMatchObject({ type: 'payment-create-failed', sessionId, retryable: true });
    expect(result).not.toHaveProperty('code');
  });

  it('never puts the token in the failure message', async () => {
    const echo = problem(400, { title: `Bad ${TOKEN}`, status: 400, detail: `token ${TOKEN}` });
    const { result } = await run(fx.create, echo);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});

describe('failures classified by Vipps error code, not status alone', () => {
  it.each([
    ['6280 capture failed, try again later', 400, '6280'],
    ['6160 order processing', 400, '6160'],
    ['3010 internal error', 400, '3010'],
  ])('capture answered %s with a 4xx ⇒ capture-failed, retryable', async (_name, status, code) => {
    const { result } = await run(fx.capture, vippsProblem(status, code));
    expect(result).toMatchObject({ type: 'capture-failed', sessionId, status, code, retryable: true });
  });

  it('an unknown code with a 400 ⇒ not retryable (the machine reads or gives up, never repeats)', async () => {
    const { result } = await run(fx.capture, vippsProblem(400, '99999'));
    expect(result).toMatchObject({ type: 'capture-failed', status: 400, code: '99999', retryable: false });
  });

  it('403 without a code ⇒ not retryable: a configuration problem', async () => {
    const { result } = await run(fx.create, problem(403, { title: 'Forbidden', status: 403 }));
    expect(result).toMatchObject({ type: 'payment-create-failed', status: 403, retryable: false });
  });

  it('carries Vipps traceId for a support case', async () => {
    const { result } = await run(fx.cancel, vippsProblem(400, '6250'));
    expect(result).toMatchObject({ type: 'cancel-failed', code: '6250', retryable: true, traceId: 't' });
  });
});

describe('a payment state newer than the gateway', () => {
  it('capture answered 2xx with state PARTIALLY_SETTLED ⇒ capture-done with its aggregate', async () => {
    const { result, lines } = await run(
      fx.capture,
      json(200, modificationBody({ state: 'PARTIALLY_SETTLED' })),
    );
    expect(result).toMatchObject({
      type: 'capture-done',
      sessionId,
      aggregate: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 2400 } },
    });
    expect(lines.join('\n')).toContain('"value":"PARTIALLY_SETTLED"');
  });

  it('cancel answered 2xx with an unknown state ⇒ cancel-done', async () => {
    const { result } = await run(fx.cancel, json(200, modificationBody({ state: 'RELEASED_LATER' })));
    expect(result).toMatchObject({ type: 'cancel-done', sessionId });
  });

  it('a read showing an unknown state feeds nothing back and is logged once, even when read twice', async () => {
    const body = paymentBody({ reference: fx.get.reference, state: 'ON_HOLD_NEW' });
    const first = await run(fx.get, json(200, body));
    const second = await run(fx.get, json(200, body));
    expect([first.result, second.result]).toEqual([null, null]);
    const logged = [...first.lines, ...second.lines].map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ level: 'warn', kind: 'payment state', value: 'ON_HOLD_NEW' }),
    ]);
  });

  it('logs only the unknown word, cut to a safe alphabet and 40 characters', async () => {
    const state = `WEIRD "state" ${'x'.repeat(60)}`;
    const { result, lines } = await run(
      fx.get,
      json(200, paymentBody({ reference: fx.get.reference, state })),
    );
    expect(result).toBeNull();
    const [line] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line?.['value']).toBe(`WEIRDstate${'x'.repeat(30)}`);
    expect(lines.join('\n')).not.toContain(fx.get.reference);
  });
});

describe('capture, cancel, get', () => {
  it('capture ⇒ capture-done with the aggregate; the amount is the dispensed one', async () => {
    const { result, vipps } = await run(fx.capture, json(200, modificationBody()));
    expect(result).toMatchObject({
      type: 'capture-done',
      sessionId,
      aggregate: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 2400 } },
    });
    expect(JSON.parse(vipps.apiRequests[0]?.body ?? '{}')).toEqual({
      modificationAmount: { currency: 'NOK', value: 2500 },
    });
    expect(vipps.apiRequests[0]?.headers['idempotency-key']).toBe(idempotencyKey(sessionId, 'capture'));
  });

  it('cancel 409 ⇒ cancel-failed, not retryable', async () => {
    const { result } = await run(fx.cancel, vippsProblem(409, '6060'));
    expect(result).toMatchObject({
      type: 'cancel-failed',
      sessionId,
      status: 409,
      code: '6060',
      retryable: false,
    });
  });

  it('get ⇒ poll-result for the session’s reference', async () => {
    const { result } = await run(fx.get, json(200, paymentBody({ reference: fx.get.reference })));
    expect(result).toEqual({
      type: 'poll-result',
      reference: fx.get.reference,
      state: 'AUTHORIZED',
      aggregate: {
        authorizedAmount: { currency: 'NOK', value: 4900 },
        cancelledAmount: { currency: 'NOK', value: 0 },
        capturedAmount: { currency: 'NOK', value: 0 },
        refundedAmount: { currency: 'NOK', value: 0 },
      },
    });
  });

  it('a failed read feeds nothing back and logs a warning', async () => {
    const { result, lines } = await run(fx.get, problem(404, { title: 'Not Found', status: 404 }));
    expect(result).toBeNull();
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'payment read failed',
        status: 404,
        retryable: false,
      }),
    ]);
  });
});

it('an error that is not a Vipps failure is a bug and is rethrown', () => {
  expect(() => operationFailure(new TypeError('undefined is not a function'))).toThrow(TypeError);
});
