/**
 * The command-line option parser of the CLI and the examples: `--name value` and `--name=value`, typed options,
 * defaults, required options, and errors ({@link UsageError}) that name the option. No Node module, no tfjs.
 */

/** A bad command-line argument: the CLI prints its message and the usage line, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * What an option holds: `string`; `int` (an integer); `number` (any finite number, e.g. `1e-3`); `flag` (no value,
 * `true` when given, else `false`); `list` (comma-separated strings; giving the option again appends);
 * `int-list` and `number-list` (comma-separated numbers).
 */
export type OptionType = 'string' | 'int' | 'number' | 'flag' | 'list' | 'int-list' | 'number-list';

/** One option of {@link parseOptions}. */
export interface OptionSpec {
  /** The value's type. */
  type: OptionType;
  /** The option must be given (a missing one is a {@link UsageError}). */
  required?: boolean;
  /** The value when the option is not given (of the option's type). */
  default?: string | number | boolean | readonly string[] | readonly number[];
  /** Allowed values of a `string` or `list` option. */
  choices?: readonly string[];
  /** Inclusive bounds of an `int`, `number`, `int-list` or `number-list` option's values. */
  min?: number;
  max?: number;
  /** How messages show the value, e.g. `DIR` in `missing --out DIR`. */
  value?: string;
}

/** The value type of an option of type `T`. */
export type OptionValue<T extends OptionType> = T extends 'string'
  ? string
  : T extends 'int' | 'number'
    ? number
    : T extends 'flag'
      ? boolean
      : T extends 'list'
        ? string[]
        : number[];

/**
 * The result of {@link parseOptions} for a spec: each option's value, typed; `undefined` only for an option that is
 * neither required, nor defaulted, nor a flag.
 */
export type ParsedOptions<S extends Record<string, OptionSpec>> = {
  [K in keyof S]: S[K] extends { required: true }
    ? OptionValue<S[K]['type']>
    : S[K] extends { default: unknown }
      ? OptionValue<S[K]['type']>
      : S[K]['type'] extends 'flag'
        ? boolean
        : OptionValue<S[K]['type']> | undefined;
};

/**
 * Parses command-line options against a spec. `--name value` and `--name=value` both work (a value that starts with
 * `--` must use the `=` form); `--` ends the options (anything after it, like any other bare word, is an error:
 * commands take options only). Errors are {@link UsageError}s naming the option: an unknown option (with the valid
 * ones), a missing value, a value of the wrong type or outside `choices`/`min`/`max`, an option given twice
 * (lists append instead), a required option missing (all missing ones in one message).
 *
 * ```ts
 * const a = parseOptions(process.argv.slice(2), {
 *   data: { type: 'string', required: true, value: 'DIR' },
 *   epochs: { type: 'int', default: 30, min: 1 },
 *   lr: { type: 'number', default: 1e-3 },
 *   backend: { type: 'list', default: ['native', 'wasm'] },
 *   resume: { type: 'flag' },
 * });
 * a.data; // string
 * a.epochs; // number
 * ```
 */
export function parseOptions<const S extends Record<string, OptionSpec>>(
  args: readonly string[],
  spec: S,
): ParsedOptions<S> {
  const out: Record<string, unknown> = {};
  const given = new Set<string>();
  const valid = () =>
    Object.keys(spec)
      .map((k) => `--${k}`)
      .join(', ');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--') || arg === '--') {
      const word = arg === '--' ? args[i + 1] : arg;
      if (word === undefined) break;
      throw new UsageError(`unexpected argument '${word}'`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const option = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!option) throw new UsageError(`unknown option '--${name}'; valid options: ${valid()}`);
    const isList = option.type.endsWith('list');
    if (given.has(name) && !isList) throw new UsageError(`option '--${name}' is given twice`);
    given.add(name);
    if (option.type === 'flag') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value, got '${arg}'`);
      out[name] = true;
      continue;
    }
    let text: string | undefined;
    if (eq >= 0) text = arg.slice(eq + 1);
    else {
      text = args[i + 1];
      if (text !== undefined && text.startsWith('--')) text = undefined;
      else i++;
    }
    if (text === undefined || text === '')
      throw new UsageError(`option '--${name}' needs a value${option.value ? ` (${option.value})` : ''}`);
    const value = convert(name, option, text);
    out[name] = isList ? [...((out[name] as unknown[] | undefined) ?? []), ...(value as unknown[])] : value;
  }
  const missing: string[] = [];
  for (const [name, option] of Object.entries(spec)) {
    if (out[name] !== undefined) continue;
    if (option.required) missing.push(`--${name}${option.value ? ` ${option.value}` : ''}`);
    else if (option.default !== undefined)
      out[name] = Array.isArray(option.default) ? option.default.slice() : option.default;
    else if (option.type === 'flag') out[name] = false;
  }
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`);
  return out as ParsedOptions<S>;
}

/** Converts one option's text to its typed value, checking choices and bounds. */
function convert(name: string, option: OptionSpec, text: string): unknown {
  const list = option.type.endsWith('list');
  const bad = (what: string) => new UsageError(`option '--${name}' expects ${what}, got '${text}'`);
  const number = (s: string, integer: boolean): number => {
    const v = Number(s);
    if (s.trim() === '' || (integer ? !/^\s*[+-]?\d+\s*$/.test(s) : !Number.isFinite(v))) {
      const kind = integer ? 'integer' : 'number';
      throw bad(list ? `comma-separated ${kind}s` : `a${integer ? 'n' : ''} ${kind}`);
    }
    const { min, max } = option;
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
      const range = max === undefined ? `>= ${min}` : min === undefined ? `<= ${max}` : `in ${min}..${max}`;
      throw bad(`${list ? 'values' : 'a value'} ${range}`);
    }
    return v;
  };
  const choose = (s: string): string => {
    if (s === '') throw bad('comma-separated values');
    if (option.choices && !option.choices.includes(s))
      throw new UsageError(
        `option '--${name}': unknown value '${s}'; valid values: ${option.choices.join(', ')}`,
      );
    return s;
  };
  switch (option.type) {
    case 'string':
      return choose(text);
    case 'int':
      return number(text, true);
    case 'number':
      return number(text, false);
    case 'list':
      return text.split(',').map(choose);
    case 'int-list':
      return text.split(',').map((s) => number(s, true));
    default:
      return text.split(',').map((s) => number(s, false));
  }
}
