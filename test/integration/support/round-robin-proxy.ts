// The "load balancer" of the multi-instance test: a tiny HTTP proxy on 127.0.0.1:0 that forwards each request
// to the next of its targets in turn (body, method, path and headers as received), so Vipps deliveries are
// spread over several `serve` processes. Signatures survive: Vipps signs PUBLIC_WEBHOOK_URL (this proxy's
// URL), not the Host a backend sees.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  /** http://127.0.0.1:port */
  readonly url: string;
  /** Backend origins (http://127.0.0.1:port), settable once they have started. */
  targets: readonly string[];
  /** Requests forwarded per target origin, and answered 502 (no target or the target did not answer). */
  readonly forwarded: Map<string, number>;
  failed: number;
  close(): Promise<void>;
}

// Hop-by-hop headers and the ones fetch sets itself.
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let next = 0;
  const proxy: RoundRobinProxy = {
    url: '',
    targets: [],
    forwarded: new Map(),
    failed: 0,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = proxy.targets[next++ % Math.max(1, proxy.targets.length)];
    if (target === undefined) {
      proxy.failed++;
      res.writeHead(502).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (DROPPED.has(name) || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    try {
      const upstream = await fetch(new URL(req.url ?? '/', target), {
        method: req.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      proxy.forwarded.set(target, (proxy.forwarded.get(target) ?? 0) + 1);
      const out: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (!DROPPED.has(name) && name !== 'content-encoding') out[name] = value;
      });
      res.writeHead(upstream.status, out).end(answer);
    } catch {
      proxy.failed++;
      res.writeHead(502).end();
    }
  };

  const server = createServer((req, res) => void forward(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}` });
}
