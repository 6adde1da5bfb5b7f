// The postgres Queue adapter (postgres-queue-suite.ts) on embedded PGlite in-process;
// test/store/matrix/ runs the same suite on the other store targets.
import { describeStore, pgliteTarget } from '../support/store-targets';
import { definePostgresQueueSuite } from './postgres-queue-suite';

describeStore(pgliteTarget, (db) => definePostgresQueueSuite(db));
