// The HTTP server is bound before the app is built, so the sandbox knows its real port (PORT=0) before it
// registers the webhook URL with the emulator.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { explainListenError } from './port-in-use';

export interface BoundServer {
  readonly server: Server;
  readonly port: number;
  /** Attach the request handler once the app exists; requests before that get 503. */
  attach(handler: RequestListener): void;
  /** Stop accepting, let in-flight requests finish, close idle keep-alive sockets. */
  close(): Promise<void>;
}

/** `variable` names the setting the port came from, for the EADDRINUSE message (default PORT). */
export function bindServer(port: number, host: string, variable = 'PORT'): Promise<BoundServer> {
  let handler: RequestListener | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.setHeader('Retry-After', '1');
    res.end();
  });
  // Vipps gives up after 10 s; keep sockets from lingering far beyond that.
  server.headersTimeout = 15_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    const failed = (err: Error): void => reject(explainListenError(err, variable, host, port));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        attach: (h) => {
          handler = h;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
