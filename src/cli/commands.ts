import type { Command } from './command';
import { gatewayCommand } from './run-gateway';
import { queueStatsCommand } from './queue-stats';
import { lanesCheckCommand } from './lanes-check';

export const commands: readonly Command[] = [
  gatewayCommand('all', 'Run intake, controller API and worker in one process (the embedded default)'),
  gatewayCommand('serve', 'Run the HTTP side: webhook intake and controller API'),
  queueStatsCommand,
  lanesCheckCommand,
];
