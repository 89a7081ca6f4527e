// Writes each Jest run's counts into the directory `npm test` names (TESSERA_TEST_RESULTS_DIR),
// so that it can print one "N passed, N failed" line for the whole workspace. Runs outside
// `npm test` (an editor, a single project) write nothing.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { randomUUID } = require('node:crypto');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const dir = process.env.TESSERA_TEST_RESULTS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${randomUUID()}.json`),
      JSON.stringify({
        rootDir: this.rootDir,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}
module.exports = SummaryReporter;
