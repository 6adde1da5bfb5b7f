// Store target (b): PGlite served over the Postgres wire protocol (@electric-sql/pglite-socket), reached
// through the `pg` adapter with a pool of ONE connection: the socket server serves one at a time.
import { describeStore, pgliteSocketTarget } from '../../support/store-targets';
import { defineStoreSuites } from './store-suites';

describeStore(pgliteSocketTarget, (db) => defineStoreSuites(db));
