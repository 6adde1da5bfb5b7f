// A known path asked with a method it does not serve answers 405 with Allow (issue 13), across the app's real
// routers: controller API, admin, health, metrics. The webhook route answers its own 405
// (test/intake/webhook-router-auth.test.ts).
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { adminRouter } from '../../src/http/admin';
import { createMetrics } from '../../src/http/metrics';
import { silentLogger } from '../../src/log';
import { FakeClock } from '../../src/clock';
import { parseControllerKeys } from '../../src/controller-api/auth';
import { createControllerRouter } from '../../src/controller-api/routes';
import { FakeControllerService } from '../support/fake-controller-service';
import { keyEntries, laneRegistry, lanes } from '../controller-api/harness';
import { createMemoryQueue } from '../support/memory-queue';

function app() {
  const clock = new FakeClock();
  const service = new FakeControllerService(clock);
  const controller = createControllerRouter({
    service,
    refund: (sessionId, ask, by) => service.refund(sessionId, ask, by),
    lanes: () => laneRegistry(lanes),
    auth: { keys: parseControllerKeys(keyEntries), clock },
  });
  return createApp({
    logger: silentLogger(),
    metrics: createMetrics({ defaultMetrics: false }),
    trustProxy: false,
    readiness: [],
    routers: [adminRouter({ queue: createMemoryQueue() }), controller],
  });
}

const problem = (allow: string, method: string) => ({
  type: 'https://checkin-gateway.dev/problems/method_not_allowed',
  title: 'Method not allowed',
  status: 405,
  code: 'method_not_allowed',
  detail: `${method} is not served at this path; use ${allow}`,
});

describe('405 for a known path with the wrong method', () => {
  it.each([
    ['put', '/v1/lanes/shop-bergen-3/sale', 'DELETE, POST'],
    ['get', '/v1/sessions/ses_1/dispense', 'POST'],
    ['delete', '/v1/sessions/ses_1/refund', 'POST'],
    ['post', '/v1/lanes/shop-bergen-3', 'GET, HEAD'],
    ['post', '/healthz', 'GET, HEAD'],
    ['delete', '/readyz', 'GET, HEAD'],
    ['post', '/metrics', 'GET, HEAD'],
    ['post', '/admin/queue/stats', 'GET, HEAD'],
  ] as const)('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const res = await request(app())[method](path);
    expect({ status: res.status, allow: res.headers['allow'], type: res.headers['content-type'] }).toEqual({
      status: 405,
      allow,
      type: 'application/problem+json; charset=utf-8',
    });
    expect(res.body).toEqual(problem(allow, method.toUpperCase()));
  });

  it('still answers 404 not_found for a path nothing serves', async () => {
    const res = await request(app()).post('/v1/nothing-here');
    expect([res.status, res.body.code]).toEqual([404, 'not_found']);
  });

  it('leaves the right method to its route (a controller route without a token is 401, not 405)', async () => {
    const res = await request(app()).get('/v1/lanes/shop-bergen-3');
    expect([res.status, res.body.code]).toEqual([401, 'missing_token']);
  });

  it('treats a trailing slash as the same path', async () => {
    const res = await request(app()).post('/healthz/');
    expect([res.status, res.headers['allow']]).toEqual([405, 'GET, HEAD']);
  });
});
