// EADDRINUSE names the variable to change (issue 13): PORT for the gateway's server, EMULATOR_PORT (or
// --port) for the emulator, embedded or standalone. Each test holds a port of its own (port 0 = any free one).
import { loadConfig } from '../../src/config';
import { runEmulatorCommand } from '../../src/emulator/standalone';
import { silentLogger } from '../../src/log';
import { startGateway } from '../../src/main';
import { bindServer } from '../../src/runtime/http-server';
import { PortInUseError } from '../../src/runtime/port-in-use';
import { useHeldPort } from '../support/held-port';

const heldPort = useHeldPort();

const inUse = (variable: string, port: number) =>
  `${variable}=${port}: 127.0.0.1:${port} is already in use (another checkin-gateway or sandbox running?); ` +
  `stop it, or set ${variable} to a free port (0 picks any free port)`;

describe('a port already in use', () => {
  it('names PORT when the gateway server cannot bind', async () => {
    const err = await bindServer(heldPort(), '127.0.0.1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as PortInUseError).message).toBe(inUse('PORT', heldPort()));
    expect((err as PortInUseError).code).toBe('EADDRINUSE');
  });

  it('names EMULATOR_PORT when the standalone emulator takes its default port from it', async () => {
    await expect(
      runEmulatorCommand([], { defaultPort: heldPort(), logger: silentLogger(), handleSignals: false }),
    ).rejects.toThrow(inUse('EMULATOR_PORT', heldPort()));
  });

  it('names --port when the standalone emulator was given the port as a flag', async () => {
    await expect(
      runEmulatorCommand(['--port', String(heldPort())], { logger: silentLogger(), handleSignals: false }),
    ).rejects.toThrow(inUse('--port', heldPort()));
  });

  it('names EMULATOR_PORT when the sandbox gateway cannot start its embedded emulator', async () => {
    const config = loadConfig({ DATA_DIR: 'memory://', PORT: '0', EMULATOR_PORT: String(heldPort()) });
    await expect(startGateway(config, { role: 'all', logger: silentLogger() })).rejects.toThrow(
      inUse('EMULATOR_PORT', heldPort()),
    );
    // Opening and migrating the in-memory store comes first and takes seconds on a busy machine.
  }, 120_000);

  it('leaves other listen errors as they are', async () => {
    await expect(bindServer(0, '203.0.113.1')).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
  });
});
