// `serve`, `work`, `all`: run until SIGTERM/SIGINT, then drain and exit 0.
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { startGateway, type Role } from '../main';
import { EXIT_OK, type Command } from './command';

export function gatewayCommand(role: Role, summary: string): Command {
  return {
    name: role,
    summary,
    usage: `${role}`,
    async run(_args, io) {
      const config = loadConfig(io.env, { servesControllerApi: role !== 'work' });
      const logger = createLogger({ level: config.logLevel });
      const gateway = await startGateway(config, { role, logger });
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          logger.info('shutting down', { signal });
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          resolve();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      await gateway.close();
      logger.info('stopped');
      return EXIT_OK;
    },
  };
}
