// ADMIN_PORT: a port in use stops the start naming ADMIN_PORT (and nothing is left listening); PORT=0 makes
// the admin port any free one; the `work` role runs no admin listener.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startGateway } from '../../src/main';
import { PortInUseError } from '../../src/runtime/port-in-use';
import { loadSandboxConfig } from '../support/sandbox-config';

let holder: Server;
let held: number;
beforeEach(async () => {
  holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  held = (holder.address() as AddressInfo).port;
});
afterEach(async () => {
  holder.close();
  await once(holder, 'close');
});

describe('ADMIN_PORT', () => {
  it('defaults to 8081, and to any free port when PORT=0', () => {
    expect(loadConfig({ DATA_DIR: 'memory://' }).adminPort).toBe(8081);
    expect(loadConfig({ DATA_DIR: 'memory://', PORT: '0' }).adminPort).toBe(0);
    expect(loadConfig({ DATA_DIR: 'memory://', PORT: '0', ADMIN_PORT: '9999' }).adminPort).toBe(9999);
    expect(() => loadConfig({ DATA_DIR: 'memory://', ADMIN_PORT: 'x' })).toThrow(/ADMIN_PORT is invalid/);
  });

  it('names ADMIN_PORT when the admin listener cannot bind', async () => {
    const config = loadSandboxConfig('lanes.yaml', { ADMIN_PORT: String(held) });
    const err = await startGateway(config, { role: 'all', logger: silentLogger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as PortInUseError).message).toBe(
      `ADMIN_PORT=${held}: 127.0.0.1:${held} is already in use (another checkin-gateway or sandbox running?); ` +
        'stop it, or set ADMIN_PORT to a free port (0 picks any free port)',
    );
  });

  it('is not run by the work role', async () => {
    const gateway = await startGateway(loadSandboxConfig('lanes.yaml'), {
      role: 'work',
      logger: silentLogger(),
    });
    try {
      expect({ adminUrl: gateway.adminUrl, adminPort: gateway.adminPort }).toEqual({
        adminUrl: undefined,
        adminPort: undefined,
      });
    } finally {
      await gateway.close();
    }
  });
});
