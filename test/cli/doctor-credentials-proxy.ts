// The emulator accepts any credentials (it has no merchant portal), so "wrong credentials" needs something that
// knows the right ones: a small HTTP proxy in front of the emulator that answers `POST /accesstoken/get` with
// Vipps's 401 (Azure AD's invalid_client, vipps-protocol.md §5) unless client_secret matches, and forwards
// everything else. Not a test file: used by doctor.test.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CredentialsProxy {
  readonly url: string;
  /** Token requests seen, with whether they were let through. */
  readonly tokenRequests: { readonly accepted: boolean }[];
  close(): Promise<void>;
}

async function forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const answer = await fetch(`${target}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body ? { body } : {}),
  });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  res.end(Buffer.from(await answer.arrayBuffer()));
}

export async function startCredentialsProxy(target: string, clientSecret: string): Promise<CredentialsProxy> {
  const tokenRequests: { accepted: boolean }[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/accesstoken/get') {
      const accepted = req.headers['client_secret'] === clientSecret;
      tokenRequests.push({ accepted });
      if (!accepted) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
            error_codes: [7000215],
          }),
        );
        return;
      }
    }
    forward(target, req, res).catch(() => {
      res.writeHead(502).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
