// Every Vipps error code of the one table (error-code-table.ts) through a real HTTP round trip (issue 15): the
// emulator's fault injection answers an ePayment create with the code's problem body, and the client reports
// the classification (retry with the same key / read then decide / permanent, and whether an operator has to
// act). The plain statuses without a code, and the operator alert 5080 raises, go the same way.
import { PassThrough } from 'node:stream';
import { FakeClock } from '../../src/clock';
import { createEmulator, type Emulator } from '../../src/emulator/emulator';
import { ERROR_CODE_STATUS } from '../../src/emulator/fault-body';
import { createLogger } from '../../src/log';
import { createVippsClient, type VippsClient } from '../../src/vipps/client';
import { alertOperatorAction } from '../../src/vipps/error-code-alerts';
import { ERROR_CODE_ROWS } from '../../src/vipps/error-code-table';
import { OPERATOR_ACTION_CODES } from '../../src/vipps/error-codes';
import { VippsApiError } from '../../src/vipps/errors';

const MSN = '123456';
let emulator: Emulator;
let url: string;
let client: VippsClient;
const alerts: { operation: string; code: string }[] = [];
const chunks: string[] = [];

beforeAll(async () => {
  const clock = new FakeClock();
  emulator = createEmulator({ clock, approveAfterMs: 0 });
  url = (await emulator.listen(0)).url;
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({ level: 'info', stream });
  client = createVippsClient({
    env: 'sandbox',
    baseUrl: url,
    systemName: 'checkin-gateway',
    systemVersion: '0.1.0',
    clock,
    // One attempt: the classification of the answer itself, not of what a retry made of it.
    retry: { maxAttempts: 1 },
    onApiError: (err, msn) => alertOperatorAction(logger, (l) => alerts.push(l), err, msn),
  });
});
afterAll(() => emulator.close());

async function inject(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/emulator/v1/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ operation: 'create', count: 1, ...fault }),
  });
  expect(res.status).toBeLessThan(300);
}

async function createFails(reference: string): Promise<VippsApiError> {
  const err: unknown = await client.epayment
    .create({
      msn: MSN,
      reference,
      amount: { currency: 'NOK', value: 4900 },
      customerToken: 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=',
      paymentDescription: 'Coffee, Kiosk 1',
      idempotencyKey: `key-${reference}`,
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(VippsApiError);
  return err as VippsApiError;
}

describe('each Vipps error code, injected by the emulator and classified by the client', () => {
  it.each(ERROR_CODE_ROWS.map(([code, title, action]) => [code, title, action] as const))(
    '%s (%s) ⇒ %s',
    async (code, title, action) => {
      await inject({ errorCode: code });
      const err = await createFails(`code-${code}-0001`);
      expect({
        status: err.status,
        code: err.code,
        title: err.title,
        action: err.action,
        operatorAction: err.operatorAction,
      }).toEqual({
        status: ERROR_CODE_STATUS[code] ?? 400,
        code,
        title,
        action,
        operatorAction: OPERATOR_ACTION_CODES.has(code),
      });
      // The payment was never created: the fault answered instead of the emulator's ePayment route.
      expect(emulator.state.payments.size).toBe(0);
    },
  );

  it.each([
    [423, 'Locked'],
    [429, 'Too Many Requests'],
    [500, 'Injected fault'],
    [503, 'Injected fault'],
  ])('HTTP %s without a code ⇒ retry-same-key, no operator', async (status, title) => {
    await inject({ status });
    const err = await createFails(`status-${status}-0001`);
    expect([err.status, err.code, err.title, err.action, err.operatorAction, err.retryable]).toEqual([
      status,
      undefined,
      title,
      'retry-same-key',
      false,
      true,
    ]);
  });
});

describe('5080 (PUSH_MESSAGE not allowed): an operator alert', () => {
  it('logs an error line naming the MSN and the fix, and counts it; a retryable code does neither', async () => {
    alerts.length = 0;
    chunks.length = 0;
    await inject({ errorCode: '5080' });
    expect((await createFails('push-refused-0001')).operatorAction).toBe(true);
    await inject({ errorCode: '6160' });
    expect((await createFails('push-locked-0001')).operatorAction).toBe(false);

    expect(alerts).toEqual([{ operation: 'epayment.create', code: '5080' }]);
    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      message: 'Vipps refuses until an operator acts',
      operation: 'epayment.create',
      msn: MSN,
      status: 400,
      code: '5080',
      title: 'PUSH_MESSAGE not allowed',
      fix:
        'the sales unit is not approved to skip the landing page (userFlow PUSH_MESSAGE), which every check-in ' +
        'payment uses: ask Vipps MobilePay to enable it for this MSN; until then every check-in on its lanes fails',
    });
  });
});
