// Sales-unit settings in the control API and the rule they drive: with partial capture off for an MSN, a
// capture of less than the remaining reservation answers 400 with error code 6140; the whole remainder is fine.
import { errorCode, MSN, problem, startHarness, type Harness } from './helpers';
import { authorizedPayment, control, invalidRequest, modify } from './payment-helpers';

describe('emulator merchant settings', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('shows the defaults for an MSN never set, stores a PUT, and forgets it on reset', async () => {
    expect(await control(h, 'GET', `/merchants/${MSN}`)).toEqual({
      status: 200,
      body: { msn: MSN, partialCapture: true },
    });
    expect(await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: false })).toEqual({
      status: 200,
      body: { msn: MSN, partialCapture: false },
    });
    expect((await control(h, 'GET', `/merchants/${MSN}`)).body).toEqual({ msn: MSN, partialCapture: false });
    expect((await control(h, 'GET', '/merchants/654321')).body).toEqual({
      msn: '654321',
      partialCapture: true,
    });
    expect((await control(h, 'PUT', `/merchants/${MSN}`, {})).body).toEqual({
      msn: MSN,
      partialCapture: true,
    });
    await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: false });
    expect((await control(h, 'POST', '/reset')).status).toBe(204);
    expect((await control(h, 'GET', `/merchants/${MSN}`)).body).toEqual({ msn: MSN, partialCapture: true });
  });

  it.each([
    [{ partialCapture: 'no' }, 'partialCapture must be a boolean'],
    [[false], 'the body must be a JSON object'],
    [{ partialCaptures: false }, 'unknown field partialCaptures; allowed: partialCapture'],
    [
      { a: 1, partialCapture: null },
      'unknown field a; allowed: partialCapture; partialCapture must be a boolean',
    ],
  ])('answers 400 for PUT %j and keeps the settings', async (body, detail) => {
    expect(await control(h, 'PUT', `/merchants/${MSN}`, body)).toEqual({
      status: 400,
      body: invalidRequest(detail),
    });
    expect((await control(h, 'GET', `/merchants/${MSN}`)).body).toEqual({ msn: MSN, partialCapture: true });
  });

  it('answers 400 for an MSN that cannot be one', async () => {
    expect(await control(h, 'PUT', '/merchants/12%2034', { partialCapture: false })).toEqual({
      status: 400,
      body: invalidRequest('msn must be 1-64 characters of A-Z a-z 0-9 _ -'),
    });
  });

  it('refuses a partial capture with 6140 when partial capture is off, and takes the whole remainder', async () => {
    await authorizedPayment(h, 'partial-0001', 10_000);
    await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: false });
    const partial = await modify(h, 'partial-0001', 'capture', { value: 4_000, key: 'part' });
    expect(partial.status).toBe(400);
    expect(await problem(partial)).toEqual({
      type: 'https://httpstatuses.io/400',
      title: 'Must capture full amount',
      status: 400,
      detail: 'Partial capture is not allowed for this sales unit; capture the remaining 10000.',
      instance: '/epayment/v1/payments/partial-0001/capture',
      extraDetails: [{ name: 'ErrorCode', reason: '6140' }],
    });
    // A 4xx stays 4xx for its key, even once the setting changes (vipps-protocol.md §6.6).
    await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: true });
    expect((await modify(h, 'partial-0001', 'capture', { value: 4_000, key: 'part' })).status).toBe(400);
    await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: false });

    const full = await modify(h, 'partial-0001', 'capture', { value: 10_000, key: 'full' });
    expect(full.status).toBe(200);
    expect(await full.json()).toMatchObject({ aggregate: { capturedAmount: { value: 10_000 } } });
  });

  it('allows partial captures by default and on other MSNs, then only the whole remainder of a partly captured one', async () => {
    await authorizedPayment(h, 'partial-0002', 10_000);
    expect((await modify(h, 'partial-0002', 'capture', { value: 4_000, key: 'a' })).status).toBe(200);
    await control(h, 'PUT', '/merchants/654321', { partialCapture: false });
    expect((await modify(h, 'partial-0002', 'capture', { value: 1_000, key: 'b' })).status).toBe(200);

    await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: false });
    const short = await modify(h, 'partial-0002', 'capture', { value: 4_000, key: 'c' });
    expect(errorCode(await problem(short))).toBe('6140');
    expect((await modify(h, 'partial-0002', 'capture', { value: 5_000, key: 'd' })).status).toBe(200);
  });

  it('answers 6090, not 6140, for a capture above the remainder', async () => {
    await authorizedPayment(h, 'partial-0003', 10_000);
    await control(h, 'PUT', `/merchants/${MSN}`, { partialCapture: false });
    const res = await modify(h, 'partial-0003', 'capture', { value: 10_001, key: 'big' });
    expect(res.status).toBe(400);
    expect(errorCode(await problem(res))).toBe('6090');
  });
});
