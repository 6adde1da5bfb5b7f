// "The implementation matches the document": every documented (path, method, status) is exercised against
// the real router and its answer checked against the documented media type, headers and schema; every route
// the router serves must be documented, and every scenario here must be documented.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import YAML from 'yaml';
import { createControllerRouter } from '../../src/controller-api/routes';
import { validate } from '../channels/json-schema-subset';
import { bearer, createHarness, type Harness } from './harness';

type Json = Record<string, unknown>;
const doc = YAML.parse(
  readFileSync(join(__dirname, '../../docs/controller-api.openapi.yaml'), 'utf8'),
) as Json;
const paths = doc.paths as Record<string, Record<string, Json>>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const sale = { amount: 4900, currency: 'NOK', description: 'Groceries', orderId: 'pos-3:1001' };
const SALE = '/v1/lanes/shop-bergen-3/sale';
const boom = async (): Promise<never> => {
  throw new Error('something unexpected');
};
// What the Postgres driver throws when the server is not there.
const down = async (): Promise<never> => {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
};

type Scenario = (h: Harness, auth: string) => Promise<Response>;
const authed = (h: Harness, auth: string) => ({
  get: (p: string) => request(h.app).get(p).set('Authorization', auth),
  post: (p: string, body: unknown) =>
    request(h.app)
      .post(p)
      .set('Authorization', auth)
      .send(body as object),
  del: (p: string) => request(h.app).delete(p).set('Authorization', auth),
  raw: (p: string, text: string) =>
    request(h.app).post(p).set('Authorization', auth).type('application/json').send(text),
});
/** The failed-auth limit the contract harness runs with: the request after this many failures is a 429. */
const FAILED_AUTH_LIMIT = 2;
const rateLimited = async (h: Harness, send: (auth: string) => request.Test): Promise<Response> => {
  for (let i = 0; i < FAILED_AUTH_LIMIT; i++) await send('Bearer not-a-jwt');
  return send('Bearer not-a-jwt');
};
const fleet = (h: Harness) => bearer({ exp: h.nowS() + 300, lanes: '*' });
const dispensePath = (id: string) => `/v1/sessions/${id}/dispense`;
const authorizedSession = (h: Harness, laneId = 'vend-oslo-1') =>
  h.service.addSession({ sessionId: 'ses_1', laneId, state: 'authorized', maxAmount: 10000 });

const LANE_SESSIONS = '/v1/lanes/vend-oslo-1/sessions';
const screen = { attemptId: 'screen-1', pairing: 'screen-qr' };

const refundPath = (id: string) => `/v1/sessions/${id}/refund`;
const refund = { refundId: 'vend-fail-1', amount: 500, reason: 'coil jammed' };
const paidSession = (h: Harness) => h.service.addPaidSession('ses_9', 'vend-oslo-1', 2500);

const scenarios: Record<string, Record<string, Scenario>> = {
  'post /v1/lanes/{laneId}/sale': {
    '200': async (h, a) => (await authed(h, a).post(SALE, sale), authed(h, a).post(SALE, sale)),
    '201': (h, a) => authed(h, a).post(SALE, sale),
    '400': (h, a) => authed(h, a).raw(SALE, '{"amount":'),
    '401': (h) => request(h.app).post(SALE).send(sale),
    '429': (h) => rateLimited(h, (a) => request(h.app).post(SALE).set('Authorization', a).send(sale)),
    '403': (h, a) => authed(h, a).post('/v1/lanes/shop-aarhus-1/sale', sale),
    '404': (h) => authed(h, fleet(h)).post('/v1/lanes/nope/sale', sale),
    '409': async (h, a) => (
      await authed(h, a).post(SALE, sale),
      authed(h, a).post(SALE, { ...sale, orderId: 'pos-3:2' })
    ),
    '413': (h, a) => authed(h, a).post(SALE, { ...sale, description: 'x'.repeat(20_000) }),
    '422': (h, a) => authed(h, a).post(SALE, { ...sale, amount: 65_000_001 }),
    '500': (h, a) => ((h.service.openSale = boom), authed(h, a).post(SALE, sale)),
    '503': (h, a) => ((h.service.openSale = down), authed(h, a).post(SALE, sale)),
  },
  'delete /v1/lanes/{laneId}/sale': {
    '204': async (h, a) => (await authed(h, a).post(SALE, sale), authed(h, a).del(SALE)),
    '401': (h) => request(h.app).delete(SALE),
    '429': (h) => rateLimited(h, (a) => request(h.app).delete(SALE).set('Authorization', a)),
    '403': (h, a) => authed(h, a).del('/v1/lanes/shop-aarhus-1/sale'),
    '404': (h) => authed(h, fleet(h)).del('/v1/lanes/nope/sale'),
    '409': (h, a) => authed(h, a).del('/v1/lanes/vend-oslo-1/sale'),
    '500': (h, a) => ((h.service.cancelSale = boom), authed(h, a).del(SALE)),
    '503': (h, a) => ((h.service.cancelSale = down), authed(h, a).del(SALE)),
  },
  'post /v1/lanes/{laneId}/sessions': {
    '200': async (h, a) => (
      await authed(h, a).post(LANE_SESSIONS, screen),
      authed(h, a).post(LANE_SESSIONS, screen)
    ),
    '201': (h, a) => authed(h, a).post(LANE_SESSIONS, screen),
    '400': (h, a) => authed(h, a).raw(LANE_SESSIONS, '{"attemptId":'),
    '401': (h) => request(h.app).post(LANE_SESSIONS).send(screen),
    '429': (h) =>
      rateLimited(h, (a) => request(h.app).post(LANE_SESSIONS).set('Authorization', a).send(screen)),
    '403': (h, a) => authed(h, a).post('/v1/lanes/shop-aarhus-1/sessions', screen),
    '404': (h) => authed(h, fleet(h)).post('/v1/lanes/nope/sessions', screen),
    '409': (h, a) => (authorizedSession(h), authed(h, a).post(LANE_SESSIONS, screen)),
    '413': (h, a) =>
      authed(h, a).post(LANE_SESSIONS, { ...screen, pairing: 'personal-qr', personalQr: 'x'.repeat(20_000) }),
    '422': (h, a) => authed(h, a).post(LANE_SESSIONS, { ...screen, attemptId: 'has space' }),
    '500': (h, a) => ((h.service.startSession = boom), authed(h, a).post(LANE_SESSIONS, screen)),
    '503': (h, a) => ((h.service.startSession = down), authed(h, a).post(LANE_SESSIONS, screen)),
  },
  'post /v1/sessions/{sessionId}/dispense': {
    '202': (h, a) => (
      authorizedSession(h),
      authed(h, a).post(dispensePath('ses_1'), { result: 'dispensed', amount: 2500 })
    ),
    '400': (h, a) => (authorizedSession(h), authed(h, a).raw(dispensePath('ses_1'), '{result')),
    '401': (h) => request(h.app).post(dispensePath('ses_1')).send({ result: 'failed' }),
    '429': (h) =>
      rateLimited(h, (a) =>
        request(h.app).post(dispensePath('ses_1')).set('Authorization', a).send({ result: 'failed' }),
      ),
    // Another lane's session: answered as a session that does not exist.
    '404': (h, a) => (
      authorizedSession(h, 'shop-aarhus-1'),
      authed(h, a).post(dispensePath('ses_1'), { result: 'failed' })
    ),
    '409': async (h, a) => {
      authorizedSession(h);
      await authed(h, a).post(dispensePath('ses_1'), { result: 'dispensed', amount: 2500 });
      return authed(h, a).post(dispensePath('ses_1'), { result: 'failed' });
    },
    '413': (h, a) => (
      authorizedSession(h),
      authed(h, a).post(dispensePath('ses_1'), { result: 'x'.repeat(20_000) })
    ),
    '422': (h, a) => (
      authorizedSession(h),
      authed(h, a).post(dispensePath('ses_1'), { result: 'dispensed' })
    ),
    '500': (h, a) => (
      (h.service.sessionLane = boom),
      authed(h, a).post(dispensePath('ses_1'), { result: 'failed' })
    ),
    '503': (h, a) => (
      (h.service.sessionLane = down),
      authed(h, a).post(dispensePath('ses_1'), { result: 'failed' })
    ),
  },
  'post /v1/sessions/{sessionId}/refund': {
    '200': async (h, a) => {
      paidSession(h);
      await authed(h, a).post(refundPath('ses_9'), refund);
      return authed(h, a).post(refundPath('ses_9'), refund);
    },
    '202': (h, a) => (paidSession(h), authed(h, a).post(refundPath('ses_9'), refund)),
    '400': (h, a) => (paidSession(h), authed(h, a).raw(refundPath('ses_9'), '{"amount":')),
    '401': (h) => request(h.app).post(refundPath('ses_9')).send(refund),
    '429': (h) =>
      rateLimited(h, (a) => request(h.app).post(refundPath('ses_9')).set('Authorization', a).send(refund)),
    '404': (h, a) => (
      h.service.addPaidSession('ses_8', 'shop-aarhus-1', 2500),
      authed(h, a).post(refundPath('ses_8'), refund)
    ),
    '409': async (h, a) => {
      paidSession(h);
      await authed(h, a).post(refundPath('ses_9'), refund);
      return authed(h, a).post(refundPath('ses_9'), { ...refund, amount: 600 });
    },
    '413': (h, a) => (
      paidSession(h),
      authed(h, a).post(refundPath('ses_9'), { ...refund, reason: 'x'.repeat(20_000) })
    ),
    '422': (h, a) => (paidSession(h), authed(h, a).post(refundPath('ses_9'), { ...refund, amount: 2501 })),
    '500': (h, a) => ((h.service.sessionLane = boom), authed(h, a).post(refundPath('ses_9'), refund)),
    '503': (h, a) => ((h.service.sessionLane = down), authed(h, a).post(refundPath('ses_9'), refund)),
  },
  'get /v1/lanes/{laneId}': {
    '200': async (h, a) => {
      h.service.addSession({ sessionId: 'ses_1', laneId: 'shop-bergen-3', state: 'payment-requested' });
      h.service.outcomes.set('shop-bergen-3', [
        { sessionId: 'ses_0', outcome: 'dropped', at: h.clock.now().toISOString(), reason: 'lane-busy' },
      ]);
      await authed(h, a).post(SALE, sale);
      return authed(h, a).get('/v1/lanes/shop-bergen-3');
    },
    '401': (h) => request(h.app).get('/v1/lanes/shop-bergen-3'),
    '429': (h) =>
      rateLimited(h, (a) => request(h.app).get('/v1/lanes/shop-bergen-3').set('Authorization', a)),
    '403': (h, a) => authed(h, a).get('/v1/lanes/shop-aarhus-1'),
    '404': (h) => authed(h, fleet(h)).get('/v1/lanes/nope'),
    '500': (h, a) => ((h.service.laneStatus = boom), authed(h, a).get('/v1/lanes/shop-bergen-3')),
    '503': (h, a) => ((h.service.laneStatus = down), authed(h, a).get('/v1/lanes/shop-bergen-3')),
  },
};

function deref(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  let target: unknown = doc;
  for (const key of ref.slice(2).split('/')) target = (target as Json)[key];
  return deref(target as Json);
}

const documented: [string, string, Json][] = Object.entries(paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .flatMap(([method, op]) =>
      Object.entries(op.responses as Json).map(([status, response]): [string, string, Json] => [
        `${method} ${path}`,
        status,
        deref(response as Json),
      ]),
    ),
);

describe('docs/controller-api.openapi.yaml', () => {
  it('is OpenAPI 3.1 and requires the bearer JWT scheme on every operation', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.security).toEqual([{ controllerJwt: [] }]);
    const scheme = (doc.components as Json).securitySchemes as Json;
    expect(scheme.controllerJwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('documents exactly the responses exercised here', () => {
    const fromDoc = documented.map(([op, status]) => `${op} ${status}`).sort();
    const fromScenarios = Object.entries(scenarios)
      .flatMap(([op, byStatus]) => Object.keys(byStatus).map((status) => `${op} ${status}`))
      .sort();
    expect(fromScenarios).toEqual(fromDoc);
  });

  it('documents every route the router serves', () => {
    const h = createHarness();
    const router = createControllerRouter({
      service: h.service,
      lanes: () => ({ byId: () => undefined, byQr: () => undefined, all: () => [], size: 0 }),
      auth: { keys: [], clock: h.clock },
    }) as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    const served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route?.methods ?? {})
          .filter((m) => m !== '_all')
          .map((m) => `${m} ${(layer.route?.path ?? '').replace(/:(\w+)/g, '{$1}')}`),
      );
    expect(served.length).toBe(5);
    for (const route of served) {
      const [method = '', path = ''] = route.split(' ');
      expect({ route, documented: paths[path]?.[method] !== undefined }).toEqual({ route, documented: true });
    }
  });

  it.each(documented)('%s answers %s as documented', async (op, status, response) => {
    const h = createHarness({ failedAuthLimitPerMin: FAILED_AUTH_LIMIT });
    const auth = bearer({ exp: h.nowS() + 300, lanes: ['shop-bergen-3', 'vend-oslo-1'] });
    const scenario = scenarios[op]?.[status];
    if (!scenario) throw new Error(`no scenario for ${op} ${status}`);
    const res = await scenario(h, auth);

    expect(res.status).toBe(Number(status));
    const content = response.content as Record<string, { schema: Json }> | undefined;
    if (!content) {
      expect(res.text).toBe('');
      return;
    }
    const [mediaType, { schema }] = Object.entries(content)[0] ?? ['', { schema: {} }];
    expect(res.headers['content-type']).toBe(`${mediaType}; charset=utf-8`);
    expect(validate(schema, res.body, doc)).toEqual([]);
    for (const header of Object.keys((response.headers as Json | undefined) ?? {})) {
      expect(res.headers[header.toLowerCase()]).toEqual(expect.any(String));
    }
  });

  it('its request schemas accept what the API accepts and reject what it rejects', () => {
    const schemas = (doc.components as Json).schemas as Record<string, Json>;
    const ok = (name: string, body: unknown) => validate(schemas[name] ?? {}, body, doc).length === 0;
    expect(ok('SaleRequest', sale)).toBe(true);
    expect(ok('SaleRequest', { ...sale, amount: 49.5 })).toBe(false);
    expect(ok('SaleRequest', { ...sale, amount: 65_000_000 })).toBe(true);
    expect(ok('SaleRequest', { ...sale, amount: 65_000_001 })).toBe(false);
    expect(ok('SaleRequest', { ...sale, orderId: 'has space' })).toBe(false);
    expect(ok('SaleRequest', { ...sale, tip: 1 })).toBe(false);
    expect(ok('DispenseReport', { result: 'dispensed', amount: 2500 })).toBe(true);
    expect(ok('DispenseReport', { result: 'failed' })).toBe(true);
    expect(ok('DispenseReport', { result: 'partial' })).toBe(false);
  });
});
