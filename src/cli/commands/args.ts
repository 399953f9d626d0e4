import { UsageError } from '../command.js';

/**
 * Minimal `--name value` / `--flag` parsing with integer options; errors name the argument and are
 * {@link UsageError}s, so the CLI exits 2 for them like for the `score` command's node:util parsing.
 */
export function parseArgs(
  command: string,
  args: string[],
  spec: Record<string, 'string' | 'int' | 'flag'>,
): Record<string, string | number | boolean | undefined> {
  const out: Record<string, string | number | boolean | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}'`);
    const name = a.slice(2);
    const kind = spec[name];
    if (!kind)
      throw new UsageError(
        `unknown option '${a}'; valid options: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')}`,
      );
    if (kind === 'flag') {
      out[name] = true;
      continue;
    }
    const v = args[++i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`option '${a}' needs a value`);
    if (kind === 'int') {
      if (!/^-?\d+$/.test(v)) throw new UsageError(`option '${a}' expects an integer, got '${v}'`);
      out[name] = Number(v);
    } else out[name] = v;
  }
  void command;
  return out;
}
