// Prints vitest's JSON report (written when CI is set, see vitest.config.ts) as one plain closing line.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync('.tmp/vitest-report.json', 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
    (skipped ? `, ${skipped} skipped` : ''),
);
