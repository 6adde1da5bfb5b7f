// Store target (a): PGlite in-process. The queue and repository suites run on it from their own files
// (test/queue/*.test.ts, test/store/*-repo.test.ts); here the Sql port's contract, which the other targets
// must match value for value.
import { describeStore, pgliteTarget } from '../../support/store-targets';
import { defineSqlPortSuite } from './sql-port-suite';

describeStore(pgliteTarget, (db) => defineSqlPortSuite(db));
