// Every migration, in order. Each feature owns its file; ids never change once released.
import type { Migration } from '../migrate';
import { queueMigration } from './001-queue';
import { intakeMigration } from './002-intake';
import { sessionsMigration } from './003-sessions';
import { queueJsonPayloadMigration } from './004-queue-json-payload';
import { queueDueIndexesMigration } from './005-queue-due-indexes';
import { settlementsMigration } from './006-settlements';
import { eraseDeadLetterTokensMigration } from './007-erase-dead-letter-tokens';
import { dispenseReportsMigration } from './008-dispense-reports';
import { adminAuditMigration } from './009-admin-audit';
import { deadLetterReplayMigration } from './010-dead-letter-replay';
import { consoleLoginsMigration } from './011-console-logins';

export const migrations: readonly Migration[] = [
  queueMigration,
  intakeMigration,
  sessionsMigration,
  queueJsonPayloadMigration,
  queueDueIndexesMigration,
  settlementsMigration,
  eraseDeadLetterTokensMigration,
  dispenseReportsMigration,
  adminAuditMigration,
  deadLetterReplayMigration,
  consoleLoginsMigration,
];
