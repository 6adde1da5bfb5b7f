// The fast path (src/intake/webhook-fast-path.ts) answers the common case itself and leaves the rest to the
// Express route; these tests pin which requests it takes, that its answers equal the route's, and what happens
// when something goes wrong inside it. The event and auth suites run through it as well.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Database } from '../../src/store/sql';
import { checkinPayload, type SignedRequest } from '../support/signed-request';
import { waitFor } from '../support/wait-for';
import { buildHarness, counter, type Harness, harnessPerTest } from './router-harness';

let db: Database;
let h: Harness;
harnessPerTest((d, x) => {
  db = d;
  h = x;
});

async function listen(handler: Harness['handler']): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** Sends the delivery with Transfer-Encoding: chunked (no Content-Length) and resolves with status and body. */
function sendChunked(port: number, req: SignedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: req.path, headers: req.headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    r.on('error', reject);
    r.write(req.body.subarray(0, 10));
    r.end(req.body.subarray(10));
  });
}

describe('webhook fast path', () => {
  it('answers a verified delivery itself, exactly as the Express route does', async () => {
    const express = buildHarness(db, {}, 1, 'express route');
    const viaFast = await h.send(h.sign(checkinPayload({ customerToken: 'token-fast' })));
    const viaRoute = await express.send(express.sign(checkinPayload({ customerToken: 'token-route' })));
    expect(h.leftToExpress()).toBe(0);
    expect([viaFast.status, viaFast.headers['content-type'], viaFast.text]).toEqual([
      viaRoute.status,
      viaRoute.headers['content-type'],
      viaRoute.text,
    ]);
    expect([viaFast.status, viaFast.body]).toEqual([202, { status: 'accepted' }]);
    expect(viaFast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await h.queue.jobs()).toHaveLength(1);
  });

  it("echoes the caller's X-Request-Id and logs under it", async () => {
    const res = await h.send(h.sign(checkinPayload()), { 'x-request-id': 'vipps-retry-7' });
    expect(res.headers['x-request-id']).toBe('vipps-retry-7');
    expect(h.logs()).toContain('"requestId":"vipps-retry-7"');
  });

  it('leaves a delivery that fails verification to the Express route, which answers it 401 and counts it', async () => {
    const res = await h.send(h.sign(checkinPayload(), { secret: 'not-the-secret' }));
    expect([res.status, res.headers['content-type'], res.body.code]).toEqual([
      401,
      'application/problem+json; charset=utf-8',
      'signature_mismatch',
    ]);
    expect(h.leftToExpress()).toBe(1);
    expect(await counter(h.metrics.authFailures, { code: 'signature_mismatch' })).toBe(1);
    expect(await h.queue.jobs()).toHaveLength(0);
  });

  it('leaves a chunked body (no Content-Length) to the Express route, which accepts it', async () => {
    const { server, port } = await listen(h.handler);
    try {
      const res = await sendChunked(port, h.sign(checkinPayload()));
      expect([res.status, JSON.parse(res.body)]).toEqual([202, { status: 'accepted' }]);
    } finally {
      await close(server);
    }
    expect(h.leftToExpress()).toBe(1);
    expect(await h.queue.jobs()).toHaveLength(1);
  });

  it('leaves other methods, paths and content types to Express', async () => {
    expect((await request(h.handler).get('/webhooks/vipps')).status).toBe(405);
    expect((await h.send(h.sign(checkinPayload()), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await h.send(h.sign(checkinPayload(), { path: '/webhooks/vipps/x' }))).status).toBe(404);
    expect(h.leftToExpress()).toBe(3);
    expect(await h.queue.jobs()).toHaveLength(0);
  });

  it('answers 500 internal_error without internals when answering fails unexpectedly, and queues nothing', async () => {
    const b = buildHarness(db, {
      trace: () => {
        throw new Error('trace hook broke: secret-ish detail');
      },
    });
    const res = await b.send(b.sign(checkinPayload()));
    expect([res.status, res.body.code]).toEqual([500, 'internal_error']);
    expect(res.text).not.toContain('secret-ish');
    expect(b.logs()).toContain('unhandled request error');
    expect(await counter(b.metrics.webhookRequests, { outcome: 'error' })).toBe(1);
    expect(await b.queue.jobs()).toHaveLength(0);
  });

  it('counts a delivery whose client went away mid-body as rejected, and queues nothing', async () => {
    // Destroy only once the server has the request: a connection closed before its headers were parsed is no
    // request at all (a race a loaded machine loses).
    let arrived = false;
    const { server, port } = await listen((req, res) => {
      arrived = true;
      h.handler(req, res);
    });
    try {
      const req = h.sign(checkinPayload());
      const r = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: req.path,
        headers: { ...req.headers, 'content-length': String(req.body.length) },
      });
      r.on('error', () => undefined);
      r.write(req.body.subarray(0, 10));
      await waitFor(() => arrived, { what: 'the request at the server' });
      r.destroy();
      await waitFor(async () => (await counter(h.metrics.webhookRequests, { outcome: 'rejected' })) === 1, {
        what: 'the aborted request counted',
      });
    } finally {
      await close(server);
    }
    expect(h.leftToExpress()).toBe(0);
    expect(await h.queue.jobs()).toHaveLength(0);
  });
});
