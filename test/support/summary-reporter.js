// Prints one plain closing line ("N passed, N failed, N skipped") that CI tooling can read, and why tests were
// skipped when the reason is the environment: Jest shows no console output of a file whose tests all skip.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const skipped = numPendingTests + numTodoTests;
    const why =
      skipped > 0 && !process.env.TEST_DATABASE_URL
        ? ' (no TEST_DATABASE_URL: the Postgres server target and the multi-instance test did not run)'
        : '';
    process.stdout.write(`\n${numPassedTests} passed, ${numFailedTests} failed, ${skipped} skipped${why}\n`);
  }
}
module.exports = SummaryReporter;
