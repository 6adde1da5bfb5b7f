// `emulator`: the built-in Vipps emulator as its own process (for a gateway started with VIPPS_BASE_URL).
import { once } from 'node:events';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { EMULATOR_USAGE, EmulatorUsageError, runEmulatorCommand } from '../emulator/standalone';
import { EXIT_OK, UsageError, type Command } from './command';

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run the built-in Vipps emulator (sandbox: no real money) until SIGTERM/SIGINT',
  usage: EMULATOR_USAGE.replace(/^Usage: checkin-gateway /, ''),
  rawArgs: true,
  async run({ positionals }, io) {
    const config = loadConfig({ ...io.env, VIPPS_ENV: 'sandbox' });
    const logger = createLogger({ level: config.logLevel });
    let running;
    try {
      running = await runEmulatorCommand(positionals, {
        defaultPort: config.emulatorPort,
        logger,
        handleSignals: false,
      });
    } catch (err) {
      if (err instanceof EmulatorUsageError) throw new UsageError(err.message);
      throw err;
    }
    io.out(`emulator listening on ${running.url} (control API: ${running.url}/emulator/v1/)`);
    await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
    await running.close();
    return EXIT_OK;
  },
};
