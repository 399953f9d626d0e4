/** Where a command writes: stdout for results, stderr for errors and progress. Swappable for tests. */
export interface CliIO {
  /** Writes text to standard output as is (add the newline yourself). */
  stdout(text: string): void;
  /** Writes text to standard error as is. */
  stderr(text: string): void;
  /** Whether stderr is a terminal: only then may a command draw a progress line there. */
  readonly stderrIsTTY: boolean;
}

/** One CLI subcommand: thin glue over the public API, no logic of its own. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full usage text printed by `--help`. */
  usage: string;
  /**
   * Runs with the arguments after the command name; resolves to the exit code. Throws with a clear message
   * on bad input (the CLI prints it as one line and exits 1).
   */
  run(args: string[], io: CliIO): Promise<number>;
}

// A bad argument: the CLI prints its message and the usage hint, and exits 2. Thrown by the one option parser.
export { UsageError } from '../node/args.js';
