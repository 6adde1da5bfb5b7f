// The session repositories (sessions-repo-suite.ts) on embedded PGlite in-process;
// test/store/matrix/ runs the same suite on the other store targets.
import { describeStore, pgliteTarget } from '../support/store-targets';
import { defineSessionsRepoSuite } from './sessions-repo-suite';

describeStore(pgliteTarget, (db) => defineSessionsRepoSuite(db));
