// The config of an in-process sandbox gateway for tests: in-memory store, any free ports, the given lanes file.
import { type Config, loadConfig } from '../../src/config';

/** loadConfig for a sandbox gateway on memory:// and port 0 (gateway and emulator); `env` adds or overrides. */
export function loadSandboxConfig(lanesFile: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    VIPPS_ENV: 'sandbox',
    DATA_DIR: 'memory://',
    PORT: '0',
    EMULATOR_PORT: '0',
    LANES_FILE: lanesFile,
    ...env,
  });
}
