// Enqueue group commit (enqueue-batch-suite.ts) on embedded PGlite in-process;
// test/store/matrix/ runs the same suite on the other store targets.
import { describeStore, pgliteTarget } from '../support/store-targets';
import { defineEnqueueBatchSuite } from './enqueue-batch-suite';

describeStore(pgliteTarget, (db) => defineEnqueueBatchSuite(db));
