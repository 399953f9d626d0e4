import { UsageError, type CliIO } from './command.js';
import { commands } from './commands/index.js';

const USAGE = `Usage: tfjs-restoration <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

Run 'tfjs-restoration <command> --help' for a command's options.`;

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code:
 * 0 success, 1 failure (bad file, bad data), 2 bad usage. Errors print one line to stderr, never a stack
 * trace. It never calls `process.exit`, so tests can run it in-process with their own `io`.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr)(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr(
      `tfjs-restoration: unknown command '${name}'; valid commands: ${Object.keys(commands).join(', ')}\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    const usage = err instanceof UsageError;
    io.stderr(`tfjs-restoration ${name}: ${(err as Error).message}\n`);
    if (usage) io.stderr(`Usage: ${command.usage.split('\n')[0].replace(/^Usage:\s*/, '')}\n`);
    return usage ? 2 : 1;
  }
}

/** The CLI's own I/O: the process's stdout and stderr. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}
