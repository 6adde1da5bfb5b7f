import request from 'supertest';
import { bearer, createHarness, type Harness } from './harness';
import { expectProblem } from './problem-assertions';

const SALE = '/v1/lanes/shop-bergen-3/sale';
const sale = { amount: 4900, currency: 'NOK', description: 'Groceries', orderId: 'pos-3:1001' };

describe('controller API routes', () => {
  let h: Harness;
  let auth: string;
  beforeEach(() => {
    h = createHarness();
    auth = bearer({ exp: h.nowS() + 300, lanes: ['shop-bergen-3', 'shop-aarhus-1', 'vend-oslo-1'] });
  });
  const post = (path: string, body: unknown) =>
    request(h.app)
      .post(path)
      .set('Authorization', auth)
      .send(body as object);
  const del = (path: string) => request(h.app).delete(path).set('Authorization', auth);

  describe('POST /v1/lanes/{laneId}/sale', () => {
    it('opens a sale (201), answers the same order again with 200 and the same sale', async () => {
      const expected = {
        laneId: 'shop-bergen-3',
        ...sale,
        openedAt: h.clock.now().toISOString(),
        sessionId: null,
      };
      const first = await post(SALE, sale);
      expect([first.status, first.body]).toEqual([201, expected]);
      h.clock.advance(5000);
      const again = await post(SALE, sale);
      expect([again.status, again.body]).toEqual([200, expected]);
      expect(h.service.sales.size).toBe(1);
    });

    it('answers 409 sale_conflict for another order, or the same order with other details', async () => {
      await post(SALE, sale);
      expectProblem(
        await post(SALE, { ...sale, orderId: 'pos-3:1002' }),
        409,
        'sale_conflict',
        'Another sale is open on this lane',
        {
          detail: 'order pos-3:1001 is open on shop-bergen-3; cancel it first',
        },
      );
      expectProblem(
        await post(SALE, { ...sale, amount: 5900 }),
        409,
        'sale_conflict',
        'Another sale is open on this lane',
        {
          detail: 'order pos-3:1001 is already open on shop-bergen-3 with different details',
        },
      );
    });

    it('answers 422 invalid_body listing every bad field', async () => {
      const res = await post(SALE, {
        amount: 49.5,
        currency: 'SEK',
        description: '',
        orderId: 'has space',
        tip: 10,
      });
      expectProblem(res, 422, 'invalid_body', 'The request body is invalid', {
        detail:
          'tip: is not a known field; amount: must be a positive integer in minor units (øre, cents); ' +
          "currency: must be NOK, the lane's currency; " +
          'description: must be a non-empty string of at most 100 characters; ' +
          'orderId: must be 1-64 characters of A-Z a-z 0-9 . _ : -',
        errors: [
          { field: 'tip', message: 'is not a known field' },
          { field: 'amount', message: 'must be a positive integer in minor units (øre, cents)' },
          { field: 'currency', message: "must be NOK, the lane's currency" },
          { field: 'description', message: 'must be a non-empty string of at most 100 characters' },
          { field: 'orderId', message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' },
        ],
      });
    });

    it("requires the lane's own currency", async () => {
      const res = await post('/v1/lanes/shop-aarhus-1/sale', sale);
      expectProblem(res, 422, 'invalid_body', 'The request body is invalid', {
        detail: "currency: must be DKK, the lane's currency",
        errors: [{ field: 'currency', message: "must be DKK, the lane's currency" }],
      });
    });

    it('answers 422 invalid_body naming the cap for an amount over 65000000, and opens nothing', async () => {
      const res = await post(SALE, { ...sale, amount: 65_000_001 });
      const message = 'expected at most 65000000 minor units (the ePayment maximum), got 65000001';
      expectProblem(res, 422, 'invalid_body', 'The request body is invalid', {
        detail: `amount: ${message}`,
        errors: [{ field: 'amount', message }],
      });
      expect(h.service.sales.size).toBe(0);
      expect((await post(SALE, { ...sale, amount: 65_000_000 })).status).toBe(201);
    });

    it("answers 422 invalid_body for an amount under ePayment's minimum for the currency", async () => {
      const res = await post(SALE, { ...sale, amount: 99 });
      const message = 'expected an integer number of minor units ≥ 100 for NOK, got 99';
      expectProblem(res, 422, 'invalid_body', 'The request body is invalid', {
        detail: `amount: ${message}`,
        errors: [{ field: 'amount', message }],
      });
      expect(h.service.sales.size).toBe(0);
    });

    it('answers 422 for a body that is not a JSON object', async () => {
      const res = await request(h.app)
        .post(SALE)
        .set('Authorization', auth)
        .type('text/plain')
        .send('amount=4900');
      const message = 'the body must be a JSON object (Content-Type: application/json)';
      expectProblem(res, 422, 'invalid_body', 'The request body is invalid', {
        detail: message,
        errors: [{ field: '', message }],
      });
    });

    it('answers 400 invalid_json for malformed JSON and 413 for an oversized body', async () => {
      const malformed = await request(h.app)
        .post(SALE)
        .set('Authorization', auth)
        .type('application/json')
        .send('{"amount":');
      expectProblem(malformed, 400, 'invalid_json', 'The request body is not valid JSON');
      const huge = await post(SALE, { ...sale, description: 'x'.repeat(20_000) });
      expectProblem(huge, 413, 'payload_too_large', 'Request body too large', { detail: 'at most 16 kB' });
    });

    it('answers 409 sale_not_supported on a vending lane', async () => {
      expectProblem(
        await post('/v1/lanes/vend-oslo-1/sale', sale),
        409,
        'sale_not_supported',
        'Sales are for self-checkout lanes',
        {
          detail: 'lane vend-oslo-1 is a vending lane',
        },
      );
    });
  });

  describe('DELETE /v1/lanes/{laneId}/sale', () => {
    it('cancels the open sale (204), is idempotent, and frees the lane for another order', async () => {
      await post(SALE, sale);
      expect((await del(SALE)).status).toBe(204);
      expect(h.service.sales.size).toBe(0);
      expect((await del(SALE)).status).toBe(204);
      expect((await post(SALE, { ...sale, orderId: 'pos-3:1002' })).status).toBe(201);
    });

    it('answers 409 sale_finished for a sale already paid', async () => {
      await post(SALE, sale);
      const open = h.service.sales.get('shop-bergen-3');
      if (open) h.service.sales.set('shop-bergen-3', { ...open, paid: true });
      expectProblem(await del(SALE), 409, 'sale_finished', 'The sale is already paid', {
        detail: 'order pos-3:1001 is already paid',
      });
    });
  });

  describe('POST /v1/sessions/{sessionId}/dispense', () => {
    const dispense = (sessionId: string, body: unknown) => post(`/v1/sessions/${sessionId}/dispense`, body);

    it('accepts a report (202) and recognises the same report again as a duplicate', async () => {
      h.service.addSession({
        sessionId: 'ses_a',
        laneId: 'vend-oslo-1',
        state: 'authorized',
        maxAmount: 10000,
      });
      const first = await dispense('ses_a', { result: 'dispensed', amount: 2500 });
      expect([first.status, first.body]).toEqual([202, { sessionId: 'ses_a', status: 'accepted' }]);
      const again = await dispense('ses_a', { result: 'dispensed', amount: 2500 });
      expect([again.status, again.body]).toEqual([202, { sessionId: 'ses_a', status: 'duplicate' }]);
      expectProblem(
        await dispense('ses_a', { result: 'failed' }),
        409,
        'session_finished',
        'The session has already finished',
        {
          detail: 'a different result was already reported for ses_a',
        },
      );
    });

    it('answers 404 unknown_session for a session that does not exist', async () => {
      expectProblem(
        await dispense('ses_nope', { result: 'failed' }),
        404,
        'unknown_session',
        'No such session',
        {
          detail: "no session ses_nope on the token's lanes",
        },
      );
    });

    it('answers 409 session_finished for a finished session', async () => {
      h.service.addSession({ sessionId: 'ses_done', laneId: 'vend-oslo-1', state: 'cancelled' });
      expectProblem(
        await dispense('ses_done', { result: 'dispensed', amount: 100 }),
        409,
        'session_finished',
        'The session has already finished',
        {
          detail: 'session ses_done is cancelled',
        },
      );
    });

    it('answers a session on another lane exactly as one that does not exist, naming no lane', async () => {
      h.service.addSession({ sessionId: 'ses_b', laneId: 'vend-oslo-1', state: 'authorized' });
      const asOtherLane = (sessionId: string) =>
        request(h.app)
          .post(`/v1/sessions/${sessionId}/dispense`)
          .set('Authorization', bearer({ exp: h.nowS() + 300, lanes: ['shop-bergen-3'] }))
          .send({ result: 'failed' });
      const otherLanes = await asOtherLane('ses_b');
      // Same length id, so the bodies can be compared byte for byte.
      const unknown = await asOtherLane('ses_x');
      expectProblem(otherLanes, 404, 'unknown_session', 'No such session', {
        detail: "no session ses_b on the token's lanes",
      });
      expect(otherLanes.text.replace('ses_b', 'ses_x')).toBe(unknown.text);
      expect(otherLanes.headers['content-type']).toBe(unknown.headers['content-type']);
      expect(otherLanes.text).not.toContain('vend-oslo-1');
      expect(h.service.sessions.get('ses_b')?.report).toBeUndefined();
    });

    it("checks the scope before the body: another lane's session with an invalid body is still a 404", async () => {
      h.service.addSession({ sessionId: 'ses_b', laneId: 'vend-oslo-1', state: 'authorized' });
      const res = await request(h.app)
        .post('/v1/sessions/ses_b/dispense')
        .set('Authorization', bearer({ exp: h.nowS() + 300, lanes: ['shop-bergen-3'] }))
        .send({ result: 'partial' });
      expectProblem(res, 404, 'unknown_session', 'No such session', {
        detail: "no session ses_b on the token's lanes",
      });
    });

    it.each([
      [
        { result: 'dispensed' },
        [{ field: 'amount', message: 'is required with "dispensed": a positive integer in minor units' }],
      ],
      [{ result: 'failed', amount: 0 }, [{ field: 'amount', message: 'must be omitted with "failed"' }]],
      [{ result: 'partial' }, [{ field: 'result', message: 'must be "dispensed" or "failed"' }]],
    ])('answers 422 invalid_body for %j', async (body, errors) => {
      h.service.addSession({ sessionId: 'ses_c', laneId: 'vend-oslo-1', state: 'authorized' });
      expectProblem(await dispense('ses_c', body), 422, 'invalid_body', 'The request body is invalid', {
        detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      });
      expect(h.service.sessions.get('ses_c')?.report).toBeUndefined();
    });

    it('answers 422 amount_exceeds_authorized above the reserved amount', async () => {
      h.service.addSession({
        sessionId: 'ses_d',
        laneId: 'vend-oslo-1',
        state: 'authorized',
        maxAmount: 10000,
      });
      const res = await dispense('ses_d', { result: 'dispensed', amount: 10001 });
      expectProblem(res, 422, 'amount_exceeds_authorized', 'The amount exceeds what was authorized', {
        detail: 'at most 10000 was authorized',
        errors: [{ field: 'amount', message: 'at most 10000 was authorized' }],
      });
    });
  });

  describe('GET /v1/lanes/{laneId}', () => {
    it('reports the lane, its current session, open sale, last check-in and recent outcomes', async () => {
      const startedAt = h.clock.now().toISOString();
      h.service.addSession({ sessionId: 'ses_e', laneId: 'shop-bergen-3', state: 'payment-requested' });
      h.service.outcomes.set('shop-bergen-3', [
        { sessionId: 'ses_0', outcome: 'completed', at: startedAt, amount: 4900 },
      ]);
      await post(SALE, sale);
      const res = await request(h.app).get('/v1/lanes/shop-bergen-3').set('Authorization', auth);
      expect([res.status, res.body]).toEqual([
        200,
        {
          laneId: 'shop-bergen-3',
          kind: 'self-checkout',
          enabled: true,
          currency: 'NOK',
          currentSession: { sessionId: 'ses_e', state: 'payment-requested', startedAt },
          openSale: { laneId: 'shop-bergen-3', ...sale, openedAt: startedAt, sessionId: null },
          lastSeenAt: startedAt,
          recentOutcomes: [{ sessionId: 'ses_0', outcome: 'completed', at: startedAt, amount: 4900 }],
        },
      ]);
    });

    it('answers 500 internal_error without the cause when the service fails', async () => {
      h.service.laneStatus = async () => {
        throw new Error('connection to db at postgres://user:pw@db failed');
      };
      const res = await request(h.app).get('/v1/lanes/shop-bergen-3').set('Authorization', auth);
      expectProblem(res, 500, 'internal_error', 'Internal error');
    });
  });
});
