// Every migration, in order. Each feature owns its file; ids never change once released.
import type { Migration } from '../migrate';
import { queueMigration } from './001-queue';
import { intakeMigration } from './002-intake';
import { sessionsMigration } from './003-sessions';
import { queueJsonPayloadMigration } from './004-queue-json-payload';
import { queueDueIndexesMigration } from './005-queue-due-indexes';

export const migrations: readonly Migration[] = [
  queueMigration,
  intakeMigration,
  sessionsMigration,
  queueJsonPayloadMigration,
  queueDueIndexesMigration,
];
