// A port another listener holds on 127.0.0.1, taken before each test and freed after it, for the tests of
// what a start does when its port is in use.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

/** Registers the hooks; the returned function gives the port held for the current test. */
export function useHeldPort(): () => number {
  const holder = { server: createServer(), port: 0 };
  beforeEach(async () => {
    holder.server = createServer();
    holder.server.listen(0, '127.0.0.1');
    await once(holder.server, 'listening');
    holder.port = (holder.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    holder.server.close();
    await once(holder.server, 'close');
  });
  return () => holder.port;
}
