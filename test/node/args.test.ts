import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseOptions, UsageError } from '../../src/node/index.js';

const spec = {
  data: { type: 'string', required: true, value: 'DIR' },
  out: { type: 'string', default: 'out' },
  epochs: { type: 'int', default: 30, min: 1 },
  lr: { type: 'number' },
  resume: { type: 'flag' },
  backend: { type: 'list', default: ['native', 'wasm'], choices: ['native', 'wasm', 'cpu'] },
  channels: { type: 'int-list' },
  weights: { type: 'number-list', min: 0, max: 1 },
} as const;

const fails = (args: string[], message: RegExp) => {
  let err: unknown;
  try {
    parseOptions(args, spec);
  } catch (e) {
    err = e;
  }
  expect(err, args.join(' ')).toBeInstanceOf(UsageError);
  expect((err as Error).message).toMatch(message);
};

describe('parseOptions', () => {
  it('reads --opt value and --opt=value alike, typed, with defaults', () => {
    const a = parseOptions(
      ['--data', 'd', '--epochs=5', '--lr', '1e-3', '--resume', '--channels=8,16', '--weights', '0.5,1'],
      spec,
    );
    expect(a).toEqual({
      data: 'd',
      out: 'out',
      epochs: 5,
      lr: 0.001,
      resume: true,
      backend: ['native', 'wasm'],
      channels: [8, 16],
      weights: [0.5, 1],
    });
    expectTypeOf(a.data).toEqualTypeOf<string>();
    expectTypeOf(a.epochs).toEqualTypeOf<number>();
    expectTypeOf(a.lr).toEqualTypeOf<number | undefined>();
    expectTypeOf(a.resume).toEqualTypeOf<boolean>();
    expectTypeOf(a.backend).toEqualTypeOf<string[]>();
    const b = parseOptions(['--data=x=y', '--lr', '-2', '--backend', 'cpu', '--backend=wasm'], spec);
    expect(b.data).toBe('x=y'); // only the first '=' splits
    expect(b.lr).toBe(-2); // a negative number is a value, not an option
    expect(b.resume).toBe(false);
    expect(b.backend).toEqual(['cpu', 'wasm']); // a list given twice appends
    expect(b.channels).toBeUndefined();
    // a default list is a copy: changing one result leaves the spec alone
    b.backend.push('x');
    expect(parseOptions(['--data', 'd'], spec).backend).toEqual(['native', 'wasm']);
  });

  it('names the option in every error', () => {
    fails(
      ['--data', 'd', '--bogus', '1'],
      /unknown option '--bogus'; valid options: --data, --out, --epochs/,
    );
    fails(['--out', 'o'], /^missing --data DIR$/);
    fails(['--data'], /option '--data' needs a value \(DIR\)/);
    fails(['--data', '--resume'], /option '--data' needs a value/);
    fails(['--data='], /option '--data' needs a value/);
    fails(['--data', 'd', '--epochs', 'x'], /option '--epochs' expects an integer, got 'x'/);
    fails(['--data', 'd', '--epochs', '2.5'], /option '--epochs' expects an integer, got '2.5'/);
    fails(['--data', 'd', '--epochs', '0'], /option '--epochs' expects a value >= 1, got '0'/);
    fails(['--data', 'd', '--lr', 'fast'], /option '--lr' expects a number, got 'fast'/);
    fails(['--data', 'd', '--resume=yes'], /option '--resume' takes no value, got '--resume=yes'/);
    fails(['--data', 'd', '--data', 'e'], /option '--data' is given twice/);
    fails(['--data', 'd', 'extra'], /unexpected argument 'extra'/);
    fails(['--data', 'd', '--', 'extra'], /unexpected argument 'extra'/);
    fails(
      ['--data', 'd', '--backend', 'gpu'],
      /option '--backend': unknown value 'gpu'; valid values: native/,
    );
    fails(['--data', 'd', '--backend', 'cpu,'], /option '--backend' expects comma-separated values/);
    fails(
      ['--data', 'd', '--channels', '8,x'],
      /option '--channels' expects comma-separated integers, got '8,x'/,
    );
    fails(['--data', 'd', '--weights', '0.5,2'], /option '--weights' expects values in 0..1, got '0.5,2'/);
  });

  it('lists every missing required option at once', () => {
    expect(() =>
      parseOptions([], {
        gt: { type: 'string', required: true },
        pred: { type: 'string', required: true },
      }),
    ).toThrow(/^missing --gt, --pred$/);
  });
});
