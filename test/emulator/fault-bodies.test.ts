// The fault control bodies of issue 12: `operation`, `count`, `errorCode`, `status` and `succeedThenFail` beside
// the original fields; what POST answers and GET lists for each, every invalid input's exact 400, and DELETE by
// API or operation.
import { startHarness, type Harness } from './helpers';
import { control, invalidRequest } from './payment-helpers';

describe('emulator fault bodies', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const view = (fields: Record<string, unknown>): Record<string, unknown> => ({
    api: 'epayment',
    operation: null,
    latencyMs: 0,
    errorRate: 0,
    statuses: [500],
    timeoutRate: 0,
    errorCode: null,
    succeedThenFail: false,
    remaining: null,
    ...fields,
  });

  it.each([
    [
      'an operation with a coded, counted error (6160 defaults to 423)',
      { operation: 'capture', errorCode: '6160', count: 2 },
      { operation: 'capture', errorRate: 1, statuses: [423], errorCode: '6160', remaining: 2 },
    ],
    [
      'a code without a status (400 by default)',
      { api: 'epayment', errorCode: '6140' },
      { errorRate: 1, statuses: [400], errorCode: '6140' },
    ],
    [
      '3010, which defaults to 500',
      { operation: 'get', errorCode: '3010' },
      { operation: 'get', errorRate: 1, errorCode: '3010' },
    ],
    [
      'a code with one explicit status',
      { operation: 'cancel', errorCode: '6280', status: 409 },
      { operation: 'cancel', errorRate: 1, statuses: [409], errorCode: '6280' },
    ],
    [
      'count with a timeout share: the rest are errors',
      { operation: 'refund', count: 1, timeoutRate: 0.25 },
      { operation: 'refund', errorRate: 0.75, timeoutRate: 0.25, remaining: 1 },
    ],
    [
      'succeedThenFail alone: every call is carried out and answered 500',
      { operation: 'create', succeedThenFail: true },
      { operation: 'create', errorRate: 1, succeedThenFail: true },
    ],
    [
      'a bounded latency-only fault',
      { api: 'token', latencyMs: 10, count: 3, errorRate: 0 },
      { api: 'token', latencyMs: 10, remaining: 3 },
    ],
    [
      'the original `times`, whose errorRate still defaults to 0',
      { api: 'qr', times: 2 },
      { api: 'qr', remaining: 2 },
    ],
    [
      'count and times agreeing',
      { api: 'webhooks', times: 2, count: 2, errorRate: 0.5 },
      { api: 'webhooks', errorRate: 0.5, remaining: 2 },
    ],
  ])('accepts %s', async (_name, body, expected) => {
    const res = await control(h, 'POST', '/faults', body);
    expect(res).toEqual({ status: 201, body: { faults: [view(expected)] } });
  });

  it.each([
    [{ operation: 'settle' }, 'operation must be one of create, get, capture, cancel, refund'],
    [{ api: 'qr', operation: 'capture' }, 'operation is for the epayment API: give api epayment or omit it'],
    [{ api: 'epayment', count: 0 }, 'count must be a positive integer'],
    [{ api: 'epayment', count: 1.5 }, 'count must be a positive integer'],
    [{ api: 'epayment', count: 2, times: 3 }, 'count and times are the same setting: give one'],
    [{ api: 'epayment', errorCode: 6160 }, 'errorCode must be a string of 4 or 5 digits, e.g. "6160"'],
    [{ api: 'epayment', errorCode: 'E6160' }, 'errorCode must be a string of 4 or 5 digits, e.g. "6160"'],
    [
      { api: 'epayment', errorCode: '6160', statuses: [418] },
      'statuses must be a non-empty array of 400, 404, 409, 423, 429, 500, 502, 503, 504 when errorCode is given',
    ],
    [
      { api: 'epayment', errorCode: '6160', status: 201 },
      'status must be one of 400, 404, 409, 423, 429, 500, 502, 503, 504 when errorCode is given',
    ],
    [
      { api: 'epayment', statuses: [400] },
      'statuses must be a non-empty array of 423, 429, 500, 502, 503, 504',
    ],
    [{ api: 'epayment', status: 400 }, 'status must be one of 423, 429, 500, 502, 503, 504'],
    [{ api: 'epayment', status: 500, statuses: [500] }, 'give status or statuses, not both'],
    [
      { api: 'qr', succeedThenFail: true },
      'succeedThenFail is for ePayment calls and webhook registrations: give api epayment or webhooks',
    ],
    [{ operation: 'capture', succeedThenFail: 'yes' }, 'succeedThenFail must be a boolean'],
    [
      { operation: 'capture', count: 0, errorCode: '61' },
      'count must be a positive integer; errorCode must be a string of 4 or 5 digits, e.g. "6160"',
    ],
  ])('answers 400 for %j', async (body, detail) => {
    expect(await control(h, 'POST', '/faults', body)).toEqual({ status: 400, body: invalidRequest(detail) });
    expect((await control(h, 'GET', '/faults')).body).toEqual({ faults: [] });
  });

  it('keeps one fault per API and operation, lists them all, and deletes by operation or API', async () => {
    await control(h, 'POST', '/faults', { api: '*', errorRate: 0.1 });
    await control(h, 'POST', '/faults', { api: 'epayment', errorRate: 0.2 });
    await control(h, 'POST', '/faults', { operation: 'capture', errorCode: '6160' });
    await control(h, 'POST', '/faults', { operation: 'refund', errorCode: '6150' });
    await control(h, 'POST', '/faults', { operation: 'capture', errorCode: '3010' }); // replaces the first
    const listed = async (): Promise<unknown[]> =>
      ((await control(h, 'GET', '/faults')).body['faults'] as Array<Record<string, unknown>>).map((f) => [
        f['api'],
        f['operation'],
        f['errorCode'],
      ]);
    expect(await listed()).toEqual([
      ['*', null, null],
      ['epayment', null, null],
      ['epayment', 'capture', '3010'],
      ['epayment', 'refund', '6150'],
    ]);

    expect((await control(h, 'DELETE', '/faults?operation=capture')).status).toBe(204);
    expect(await listed()).toEqual([
      ['*', null, null],
      ['epayment', null, null],
      ['epayment', 'refund', '6150'],
    ]);
    expect((await control(h, 'DELETE', '/faults?api=epayment')).status).toBe(204);
    expect(await listed()).toEqual([['*', null, null]]);
    expect((await control(h, 'DELETE', '/faults')).status).toBe(204);
    expect(await listed()).toEqual([]);
  });

  it.each([
    ['/faults?operation=settle', 'operation must be one of create, get, capture, cancel, refund'],
    ['/faults?api=qr&operation=capture', 'operation is for the epayment API: give api epayment or omit it'],
  ])('answers 400 for DELETE %s and keeps the faults', async (path, detail) => {
    await control(h, 'POST', '/faults', { operation: 'capture', errorCode: '6160' });
    expect(await control(h, 'DELETE', path)).toEqual({ status: 400, body: invalidRequest(detail) });
    expect((await control(h, 'GET', '/faults')).body['faults']).toHaveLength(1);
  });
});
