// Mocha reporter: the spec reporter's output, plus the run's counts written as JSON to the file named by
// CERTHOST_TEST_SUMMARY, so hack/run-tests.ts can add up several mocha runs into one closing line.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.CERTHOST_TEST_SUMMARY;
      if (!file) return;
      const s = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0 }));
    });
  }
}
module.exports = SummaryReporter;
