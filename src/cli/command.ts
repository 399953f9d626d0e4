/** One CLI subcommand: thin glue over the public API, no logic of its own. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full usage text printed by `--help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. Throws with a clear message on bad input. */
  run(args: string[]): Promise<number>;
}
