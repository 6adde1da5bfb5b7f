// A real HTTP receiver on 127.0.0.1:0 for webhook-channel tests: records every request and answers with
// whatever the test's responder decides (which may wait on a promise the test resolves later).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Most requests being handled at the same time so far. */
  readonly maxInFlight: number;
  /** Resolves once `count` requests have arrived (immediately if they already have). */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(
  respond: (request: Received, index: number) => Reply | Promise<Reply>,
): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = received.push(request) - 1;
      for (const w of waiters.filter((x) => received.length >= x.count)) w.resolve();
      void Promise.resolve(respond(request, index)).then((reply) => {
        inFlight -= 1;
        res.writeHead(reply.status, reply.headers ?? {}).end();
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lane-hook`,
    received,
    get maxInFlight() {
      return maxInFlight;
    },
    waitForRequests(count) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port nothing listens on (bound, then released), for connection-refused cases. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}/lane-hook`;
}
