// The outbox repository (outbox-repo-suite.ts) on embedded PGlite in-process;
// test/store/matrix/ runs the same suite on the other store targets.
import { describeStore, pgliteTarget } from '../support/store-targets';
import { defineOutboxRepoSuite } from './outbox-repo-suite';

describeStore(pgliteTarget, (db) => defineOutboxRepoSuite(db));
