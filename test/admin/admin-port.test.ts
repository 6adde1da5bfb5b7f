// ADMIN_PORT: a port in use stops the start naming ADMIN_PORT (and nothing is left listening); PORT=0 makes
// the admin port any free one; the `work` role runs no admin listener.
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startGateway } from '../../src/main';
import { PortInUseError } from '../../src/runtime/port-in-use';
import { useHeldPort } from '../support/held-port';
import { loadSandboxConfig } from '../support/sandbox-config';

const heldPort = useHeldPort();

describe('ADMIN_PORT', () => {
  it('defaults to 8081, and to any free port when PORT=0', () => {
    expect(loadConfig({ DATA_DIR: 'memory://' }).adminPort).toBe(8081);
    expect(loadConfig({ DATA_DIR: 'memory://', PORT: '0' }).adminPort).toBe(0);
    expect(loadConfig({ DATA_DIR: 'memory://', PORT: '0', ADMIN_PORT: '9999' }).adminPort).toBe(9999);
    expect(() => loadConfig({ DATA_DIR: 'memory://', ADMIN_PORT: 'x' })).toThrow(/ADMIN_PORT is invalid/);
  });

  it('names ADMIN_PORT when the admin listener cannot bind', async () => {
    const config = loadSandboxConfig('lanes.yaml', { ADMIN_PORT: String(heldPort()) });
    const err = await startGateway(config, { role: 'all', logger: silentLogger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as PortInUseError).message).toBe(
      `ADMIN_PORT=${heldPort()}: 127.0.0.1:${heldPort()} is already in use (another checkin-gateway or sandbox running?); ` +
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
