// Queue claim semantics (postgres-job-store-suite.ts) on embedded PGlite in-process;
// test/store/matrix/ runs the same suite on the other store targets.
import { describeStore, pgliteTarget } from '../support/store-targets';
import { defineJobStoreSuite } from './postgres-job-store-suite';

describeStore(pgliteTarget, (db) => defineJobStoreSuite(db));
