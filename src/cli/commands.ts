import type { Command } from './command';
import { gatewayCommand } from './run-gateway';
import { queueStatsCommand } from './queue-stats';
import { lanesCheckCommand } from './lanes-check';
import { lanesStatusCommand } from './lanes-status';
import { sessionsListCommand } from './sessions-list';
import { sessionsShowCommand } from './sessions-show';
import { controllersTokenCommand } from './controllers-token';
import { emulatorCommand } from './emulator';
import { webhooksRegisterCommand } from './webhooks-register';
import { webhooksListCommand } from './webhooks-list';
import { webhooksDeleteCommand } from './webhooks-delete';
import { webhooksRotateCommand } from './webhooks-rotate';
import { qrSyncCommand } from './qr-sync';
import { qrListCommand } from './qr-list';
import { qrDownloadCommand } from './qr-download';
import { paymentsCommands } from './payments/commands';
import { doctorCommand } from './doctor/command';
import { deadLettersCommands } from './dead-letters';
import { outboxCommands } from './outbox';

export const commands: readonly Command[] = [
  gatewayCommand('all', 'Run intake, controller API and worker in one process (the embedded default)'),
  gatewayCommand('serve', 'Run the HTTP side: webhook intake and controller API'),
  gatewayCommand('work', 'Run the worker (sessions, outbox, sweeper) with health and metrics only'),
  queueStatsCommand,
  lanesCheckCommand,
  lanesStatusCommand,
  sessionsListCommand,
  sessionsShowCommand,
  controllersTokenCommand,
  emulatorCommand,
  webhooksRegisterCommand,
  webhooksListCommand,
  webhooksDeleteCommand,
  webhooksRotateCommand,
  qrSyncCommand,
  qrListCommand,
  qrDownloadCommand,
  ...paymentsCommands,
  doctorCommand,
  ...deadLettersCommands,
  ...outboxCommands,
];
