import express from 'express';
import request from 'supertest';
import { healthRouter, type ReadinessCheck } from '../../src/http/health';

function app(checks: ReadinessCheck[], draining = false): express.Express {
  const a = express();
  a.use(healthRouter(checks, () => draining));
  return a;
}

const ok: ReadinessCheck = { name: 'queue', check: async () => undefined };

describe('/readyz', () => {
  it('answers 200 ready when every check passes', async () => {
    const res = await request(app([ok])).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { queue: 'ok' } });
  });

  it('stays 200 but says degraded, and names what is behind, when a check answers degraded', async () => {
    const channels: ReadinessCheck = {
      name: 'channels',
      check: async () => ({ degraded: '1 lane behind', detail: { lanes: [{ laneId: 'vend-1' }] } }),
    };
    const res = await request(app([ok, channels])).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'degraded',
      checks: { queue: 'ok', channels: 'degraded: 1 lane behind' },
      degraded: { channels: { lanes: [{ laneId: 'vend-1' }] } },
    });
  });

  it('answers 503 not_ready when a check throws, even if another is degraded', async () => {
    const down: ReadinessCheck = {
      name: 'queue',
      check: async () => {
        throw new Error('connection refused');
      },
    };
    const behind: ReadinessCheck = { name: 'channels', check: async () => ({ degraded: 'behind' }) };
    const res = await request(app([down, behind])).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'not_ready',
      checks: { queue: 'connection refused', channels: 'degraded: behind' },
      degraded: { channels: 'behind' },
    });
  });

  it('answers 503 while draining', async () => {
    const res = await request(app([ok], true)).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not_ready', checks: { draining: 'shutting down', queue: 'ok' } });
  });
});
