import { processIO, runCli } from './run.js';

// The executable: everything testable lives in run.ts; this file only wires the process to it.
runCli(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
