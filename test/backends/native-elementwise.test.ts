import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, registerNativeBackend, NATIVE_BACKEND } from '../../src/backends/native/index.js';
import {
  NATIVE_BINARY_OPS,
  NATIVE_UNARY_OPS,
  type ElementwiseAddon,
} from '../../src/backends/native/elementwise-kernels.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { randomValues, relativeError, tinyNetStep } from '../helpers/backends.js';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs f on the cpu backend, then on the native one; the float data of what it returns on each. */
async function onBoth(f: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; native: Float32Array[] }> {
  const run = async (backend: string): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    return tf.tidy(f).map((t) => {
      const data = t.dataSync() as Float32Array;
      t.dispose();
      return data;
    });
  };
  return { cpu: await run('cpu'), native: await run(NATIVE_BACKEND) };
}

/**
 * The first element where `actual` differs from `expected`, as text; undefined when they agree. tol 0: bit-exact
 * (NaN matches NaN, -0 must stay -0); otherwise a relative tolerance per element.
 */
function mismatch(actual: Float32Array, expected: Float32Array, tol = 0): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (tol > 0 && Math.abs(a - e) <= tol * Math.abs(e)) continue;
    return `[${i}]: ${a} vs ${e}`;
  }
  return undefined;
}

/** Seeded values in [-scale, scale) with the awkward ones (NaN, ±Inf, ±0, ...) mixed in. */
function values(n: number, seed: number, scale = 3): Float32Array {
  const v = randomValues(n, seed).map((x) => x * scale);
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 6, 7, -1, 1];
  if (n > 40) for (let k = 0; k < special.length; k++) v[(k * 37 + seed) % n] = special[k];
  return v;
}

describe.skipIf(SKIP_NATIVE)('native backend: element-wise kernels', () => {
  let addon: ElementwiseAddon;

  beforeAll(async () => {
    await registerNativeBackend();
    addon = loadNativeAddon() as unknown as ElementwiseAddon;
  });

  it('registers its own kernels for every op', () => {
    for (const name of [...NATIVE_BINARY_OPS, ...NATIVE_UNARY_OPS, 'AddN']) {
      expect(tf.getKernel(name, NATIVE_BACKEND)?.kernelFunc, name).not.toBe(
        tf.getKernel(name, 'cpu')?.kernelFunc,
      );
    }
  });

  const binaryCases: [number[], number[]][] = [
    // same shape, incl. one above a thread chunk with odd sizes
    [[7], [7]],
    [
      [2, 3, 4, 5],
      [2, 3, 4, 5],
    ],
    [
      [3, 67, 71, 5],
      [3, 67, 71, 5],
    ],
    // one side a single value
    [[], [3, 4]],
    [[3, 4], []],
    [[1], [5]],
    [
      [1, 1],
      [2, 3],
    ],
    [[70001], [1, 1]],
    [[], []],
    [[1], [1, 1, 1]],
    // per-channel (batch norm): [.., C] with [C] or [1, 1, 1, C], either side, incl. period 3 and big tensors
    [[2, 5, 6, 7], [7]],
    [[7], [2, 5, 6, 7]],
    [
      [2, 5, 6, 7],
      [1, 1, 1, 7],
    ],
    [[4, 17, 19, 64], [64]],
    [[3], [4, 80, 80, 3]],
    [[4, 80, 80, 3], [3]],
    [[3000, 5000], [5000]],
    // general broadcasting
    [
      [2, 1, 4],
      [3, 1],
    ],
    [
      [2, 3, 1],
      [1, 4],
    ],
    [
      [4, 5, 1, 3],
      [5, 6, 1],
    ],
    [
      [2, 1, 3, 1, 5],
      [1, 4, 1, 6, 1],
    ],
    [
      [3, 1, 1, 16],
      [3, 40, 50, 16],
    ],
    [
      [4, 30, 30, 64],
      [4, 30, 30, 1],
    ],
    [
      [70, 1],
      [1, 1001],
    ],
    [
      [2, 1, 2, 1, 2, 1, 3],
      [1, 2, 1, 2, 1, 2, 1],
    ],
    // empty
    [[0], [0]],
    [[0, 3], [3]],
    [[2, 0], [1]],
    [[], [0]],
  ];

  const binaryFns: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
    Add: tf.add,
    Sub: tf.sub,
    Multiply: tf.mul,
    RealDiv: tf.div,
    SquaredDifference: tf.squaredDifference,
    Maximum: tf.maximum,
    Minimum: tf.minimum,
  };

  it('binary ops equal the cpu backend bit for bit, for every broadcasting layout', async () => {
    for (const [aShape, bShape] of binaryCases) {
      const a = values(size(aShape), 11 + aShape.length);
      const b = values(size(bShape), 23 + bShape.length);
      const names = Object.keys(binaryFns);
      const { cpu, native } = await onBoth(() =>
        names.map((name) => binaryFns[name](tf.tensor(a, aShape), tf.tensor(b, bShape))),
      );
      names.forEach((name, k) => {
        expect(mismatch(native[k], cpu[k]), `${name} ${JSON.stringify([aShape, bShape])}`).toBeUndefined();
      });
    }
  });

  it('Maximum and Minimum order -0 and +0 and propagate NaN like Math.max / Math.min', async () => {
    const a = new Float32Array([0, -0, -0, 0, NaN, 1, NaN, -Infinity]);
    const b = new Float32Array([-0, 0, -0, 0, 1, NaN, NaN, Infinity]);
    const { cpu, native } = await onBoth(() => [
      tf.maximum(tf.tensor(a), tf.tensor(b)),
      tf.minimum(tf.tensor(a), tf.tensor(b)),
    ]);
    expect(mismatch(native[0], cpu[0])).toBeUndefined();
    expect(mismatch(native[1], cpu[1])).toBeUndefined();
    expect(Object.is(native[0][0], 0) && Object.is(native[1][0], -0)).toBe(true);
  });

  const unaryFns: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    Relu: tf.relu,
    Relu6: tf.relu6,
    Step: (x) => tf.step(x),
    StepAlpha: (x) => tf.step(x, 0.3),
    Sqrt: tf.sqrt,
    Rsqrt: tf.rsqrt,
    Square: tf.square,
    Abs: tf.abs,
    Neg: tf.neg,
    Exp: tf.exp,
    Log: tf.log,
    Sign: tf.sign,
    Sigmoid: tf.sigmoid,
    Tanh: tf.tanh,
    Reciprocal: tf.reciprocal,
    LeakyRelu: (x) => tf.leakyRelu(x, 0.2),
    LeakyReluSmall: (x) => tf.leakyRelu(x, 0.01),
    Elu: tf.elu,
  };
  // These call libm's exp / log / tanh, which may differ from V8's in the last bit of a double.
  const viaLibm = new Set(['Exp', 'Log', 'Sigmoid', 'Tanh', 'Elu']);

  it('unary ops equal the cpu backend, incl. NaN, infinities and -0', async () => {
    for (const shape of [[], [0], [5], [3, 7], [64], [5, 20011]]) {
      const x = values(size(shape), 5 + shape.length, 8);
      const names = Object.keys(unaryFns);
      const { cpu, native } = await onBoth(() => names.map((name) => unaryFns[name](tf.tensor(x, shape))));
      names.forEach((name, k) => {
        const tol = viaLibm.has(name) ? 1e-6 : 0;
        expect(mismatch(native[k], cpu[k], tol), `${name} ${JSON.stringify(shape)}`).toBeUndefined();
      });
    }
  });

  it('AddN sums in tfjs order (and turns -0 into +0 as tfjs does)', async () => {
    for (const [shape, count] of [
      [[5], 1],
      [[5], 3],
      [[3, 40001], 4],
      [[0, 2], 2],
    ] as [number[], number][]) {
      const inputs = Array.from({ length: count }, (_, k) => values(size(shape), 40 + k));
      const { cpu, native } = await onBoth(() => [tf.addN(inputs.map((v) => tf.tensor(v, shape)))]);
      expect(mismatch(native[0], cpu[0]), `${JSON.stringify(shape)} x${count}`).toBeUndefined();
    }
    const zeros = await onBoth(() => [tf.addN([tf.tensor([-0, -0]), tf.tensor([-0, 1])])]);
    expect(mismatch(zeros.native[0], zeros.cpu[0])).toBeUndefined();
  });

  it('other dtypes fall back to the cpu kernels', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    tf.tidy(() => {
      const i = tf.tensor([1, -2, 3], [3], 'int32');
      const sum = tf.add(i, tf.tensor([4, 5, 6], [3], 'int32'));
      expect(sum.dtype).toBe('int32');
      expect(Array.from(sum.dataSync())).toEqual([5, 3, 9]);
      const r = tf.relu(i);
      expect(r.dtype).toBe('int32');
      expect(Array.from(r.dataSync())).toEqual([1, 0, 3]);
      expect(Array.from(tf.addN([i, i]).dataSync())).toEqual([2, -4, 6]);
    });
  });

  it('gradients through the ops (a batch-norm-like step) match the cpu backend', async () => {
    const shape = [2, 9, 10, 8];
    const x = randomValues(size(shape), 61);
    const y = randomValues(size(shape), 62);
    const g = randomValues(8, 63);
    const beta = randomValues(8, 64);
    const { cpu, native } = await onBoth(() => {
      const xs = tf.tensor(x, shape);
      const ys = tf.tensor(y, shape);
      const f = (gamma: tf.Tensor, bias: tf.Tensor, input: tf.Tensor): tf.Scalar => {
        const mean = tf.mean(input, [0, 1, 2]);
        const centred = tf.sub(input, mean);
        const variance = tf.mean(tf.square(centred), [0, 1, 2]);
        const normed = tf.div(centred, tf.sqrt(tf.add(variance, 1e-5)));
        const h = tf.relu(tf.add(tf.mul(normed, gamma), bias));
        const act = tf.add(tf.leakyRelu(h, 0.2), tf.mul(tf.elu(normed), tf.sigmoid(gamma)));
        return tf.add(tf.sum(tf.abs(tf.sub(act, ys))), tf.sum(tf.squaredDifference(tf.tanh(act), ys)));
      };
      return tf.grads(f)([tf.tensor(g), tf.tensor(beta), xs]);
    });
    cpu.forEach((expected, k) => expect(relativeError(native[k], expected)).toBeLessThan(1e-5));
  });

  it('a training step of a small conv net (batch norm, relu, L1, Adam) matches the cpu backend', async () => {
    await tf.setBackend('cpu');
    const cpu = await tinyNetStep();
    await tf.setBackend(NATIVE_BACKEND);
    const native = await tinyNetStep();
    expect(Math.abs(native.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss));
    for (const name of Object.keys(cpu.grads)) {
      expect(relativeError(native.grads[name], cpu.grads[name]), name).toBeLessThan(1e-4);
      expect(relativeError(native.after[name], cpu.after[name]), name).toBeLessThan(1e-5);
    }
  });

  it('leaves no tensors behind', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const before = tf.memory().numTensors;
    const a = tf.tensor(randomValues(4 * 6 * 6 * 5, 1), [4, 6, 6, 5]);
    const b = tf.tensor(randomValues(5, 2), [5]);
    const outs = [
      ...Object.values(binaryFns).map((f) => f(a, b)),
      ...Object.values(unaryFns).map((f) => f(a)),
      tf.addN([a, a, a]),
    ];
    tf.dispose([a, b, ...outs]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the addon rejects bad arguments, naming them', () => {
    const x = new Float32Array(4);
    const out = new Float32Array(4);
    expect(() => addon.binary('Pow' as 'Add', x, [4], x, [4], out)).toThrow(
      /binary: argument 0: unknown op 'Pow'/,
    );
    expect(() => addon.binary('Add', x, [2, 2], x, [3], out)).toThrow(
      /binary: arguments 2 and 4.*do not broadcast/,
    );
    expect(() => addon.binary('Add', x, [5], x, [1], out)).toThrow(
      /binary: argument 1 has 4 elements, expected 5/,
    );
    expect(() => addon.binary('Add', x, [4], x, [4], new Float32Array(3))).toThrow(/binary: argument 5/);
    expect(() => addon.binary('Add', x, [4], x, [4], x)).toThrow(
      /binary: argument 5 .*must not share memory/,
    );
    expect(() => addon.binary('Add', x, [-4], x, [4], out)).toThrow(
      /binary: argument 2\[0\] must be an integer/,
    );
    expect(() => addon.unary('Relu', x, 0, new Float32Array(3))).toThrow(
      /unary: argument 3 has 3 elements, expected 4/,
    );
    expect(() => addon.unary('Relu', new Int32Array(4) as unknown as Float32Array, 0, out)).toThrow(
      /unary: argument 1 must be a Float32Array/,
    );
    expect(() => addon.unary('Step', x, 'a' as unknown as number, out)).toThrow(
      /unary: argument 2 must be a number/,
    );
    expect(() => addon.addN([x, new Int32Array(4) as unknown as Float32Array], out)).toThrow(
      /addN: argument 0\[1\] must be a Float32Array/,
    );
    expect(() => addon.addN([x, new Float32Array(5)], out)).toThrow(/addN: argument 0\[1\] has 5 elements/);
    expect(() => addon.addN([], out)).toThrow(/addN: argument 0 must hold at least one/);
    expect(() => (addon.addN as (...a: unknown[]) => void)([x])).toThrow(/addN: expected 2 arguments, got 1/);
  });
});
