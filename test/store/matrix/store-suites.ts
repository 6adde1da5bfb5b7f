// Every SQL suite that must hold on each store target: the Sql port itself, the postgres queue (claims,
// consumers, group commit) and the repositories' core cases.
import type { Database } from '../../../src/store/sql';
import { defineEnqueueBatchSuite } from '../../queue/enqueue-batch-suite';
import { defineJobStoreSuite } from '../../queue/postgres-job-store-suite';
import { definePostgresQueueSuite } from '../../queue/postgres-queue-suite';
import { defineOutboxRepoSuite } from '../outbox-repo-suite';
import { defineSessionsRepoSuite } from '../sessions-repo-suite';
import { defineSqlPortSuite } from './sql-port-suite';

export function defineStoreSuites(db: () => Database): void {
  defineSqlPortSuite(db);
  defineJobStoreSuite(db);
  definePostgresQueueSuite(db);
  defineEnqueueBatchSuite(db);
  defineSessionsRepoSuite(db);
  defineOutboxRepoSuite(db);
}
