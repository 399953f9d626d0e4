/**
 * The native backend's reduction, data-movement, pooling and resize kernels against the CPU backend's: exact for
 * data movement, max/min, pooling and resizing; to float rounding for sums, means and batch norm.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadNativeAddon } from '../../src/backends/native/addon.js';
import { registerNativeBackend } from '../../src/backends/native/index.js';
import type { MovementAddon } from '../../src/backends/native/movement-kernels.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { randomValues, relativeError } from '../helpers/backends.js';

interface Result {
  shape: number[];
  dtype: string;
  values: Float32Array | Int32Array | Uint8Array;
}

/** Runs fn on the CPU backend and on the native one; fn creates its own inputs. */
async function both(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Result[]; native: Result[] }> {
  const run = async (backend: string): Promise<Result[]> => {
    await tf.setBackend(backend);
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const results = list.map((t) => ({
      shape: t.shape,
      dtype: t.dtype,
      values: t.dataSync() as Float32Array,
    }));
    tf.dispose(list);
    return results;
  };
  return { cpu: await run('cpu'), native: await run('native') };
}

/** Index of the first element whose bits differ (NaNs all alike), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return i;
  }
  return -1;
}

async function expectSame(fn: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const { cpu, native } = await both(fn);
  expect(native.length).toBe(cpu.length);
  native.forEach((n, k) => {
    expect(n.shape).toEqual(cpu[k].shape);
    expect(n.dtype).toBe(cpu[k].dtype);
    const at = firstDifference(n.values, cpu[k].values);
    expect(at, `output ${k} differs at ${at}: ${n.values[at]} vs ${cpu[k].values[at]}`).toBe(-1);
  });
}

async function expectClose(fn: () => tf.Tensor | tf.Tensor[], tolerance = 1e-6): Promise<void> {
  const { cpu, native } = await both(fn);
  expect(native.length).toBe(cpu.length);
  native.forEach((n, k) => {
    expect(n.shape).toEqual(cpu[k].shape);
    const nanN = Array.from(n.values, Number.isNaN);
    expect(nanN).toEqual(Array.from(cpu[k].values, Number.isNaN));
    const finite = (v: ArrayLike<number>): number[] => Array.from(v, (x) => (Number.isNaN(x) ? 0 : x));
    expect(relativeError(finite(n.values), finite(cpu[k].values))).toBeLessThanOrEqual(tolerance);
  });
}

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Seeded values in [-1, 1). */
function random(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(count(shape), seed), shape);
}

/** Seeded values on a coarse grid (many ties, +0 and -0) with some NaN and infinities sprinkled in. */
function awkward(shape: number[], seed: number, specials = true): tf.Tensor {
  const v = randomValues(count(shape), seed);
  const u = randomValues(count(shape), seed + 1);
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.round(v[i] * 3) / 3;
    if (v[i] === 0 && u[i] < 0) v[i] = -0;
    if (!specials) continue;
    if (u[i] > 0.995) v[i] = NaN;
    else if (u[i] > 0.99) v[i] = -Infinity;
    else if (u[i] < -0.995) v[i] = Infinity;
  }
  return tf.tensor(v, shape);
}

describe.skipIf(SKIP_NATIVE)('native movement kernels', () => {
  let addon: MovementAddon;

  beforeAll(async () => {
    await registerNativeBackend();
    addon = loadNativeAddon() as unknown as MovementAddon;
  });

  // [3, 37, 41, 19]: 86K elements, several thread chunks, odd sizes everywhere.
  const big = [3, 37, 41, 19];

  it('Sum and Mean over contiguous and scattered axes, with keepDims', async () => {
    const cases: (number | number[] | undefined)[] = [
      [0, 1, 2],
      [1, 2],
      3,
      -1,
      0,
      [2, 1],
      [0, 2],
      [1, 3],
      [0, 3],
      undefined,
      [0, 1, 2, 3],
    ];
    for (const axis of cases) {
      for (const keepDims of [false, true]) {
        await expectClose(() => tf.sum(random(big, 1), axis, keepDims));
        await expectClose(() => tf.mean(random(big, 2), axis, keepDims));
      }
    }
    // The U-Net's batch-norm statistics: [N*H*W, C] reduced over everything but channels.
    await expectClose(() => tf.mean(random([4, 32, 32, 64], 3), [0, 1, 2], true));
    await expectClose(() => tf.sum(random([300001], 4)));
    await expectClose(() => tf.sum(random([5, 70001], 5), 1));
    await expectClose(() => tf.sum(random([70001, 3], 6), 0));
    // Few wide slices (split by columns) and few narrow ones (split along the reduced axis).
    await expectClose(() => tf.sum(random([40, 3001], 8), 0));
    await expectClose(() => tf.mean(random([2, 50, 3001], 9), 1, true));
    await expectClose(() => tf.mean(tf.scalar(-0)));
    await expectClose(() => tf.sum(random([2, 3], 7), []));
  });

  it('Max and Min match exactly: NaN propagates, ties and signed zeros keep the first', async () => {
    const cases: (number | number[] | undefined)[] = [[0, 1, 2], [1, 2], 3, 0, 1, [0, 2], [1, 3], undefined];
    for (const axis of cases) {
      await expectSame(() => tf.max(awkward(big, 8), axis));
      await expectSame(() => tf.min(awkward(big, 9), axis, true));
      await expectSame(() => tf.max(awkward(big, 10, false), axis));
      await expectSame(() => tf.min(awkward(big, 11, false), axis));
    }
    // Zeros only, in both signs and orders, along a long run (lane-split) and a short one.
    const zeros = new Float32Array(1000).map((_, i) => (i % 3 === 0 ? -0 : 0));
    await expectSame(() => tf.max(tf.tensor(zeros)));
    await expectSame(() => tf.min(tf.tensor(zeros.slice(1))));
    await expectSame(() => tf.max(tf.tensor(zeros, [10, 100]), 1));
    await expectSame(() => tf.max(tf.tensor(zeros, [100, 10]), 0));
    await expectSame(() => tf.max(awkward([40, 3001], 14), 0));
    await expectSame(() => tf.min(awkward([2, 50, 3001], 15, false), 1));
    await expectSame(() => tf.max(awkward([200001], 12)));
    await expectSame(() => tf.min(awkward([200001], 13, false)));
  });

  it('reductions of empty, scalar and int32 tensors fall back to the CPU kernels', async () => {
    await expectSame(() => tf.sum(tf.zeros([0, 5]), 0));
    await expectSame(() => tf.max(tf.zeros([4, 0]), 1));
    await expectSame(() => tf.max(tf.scalar(3)));
    await expectSame(() => tf.sum(tf.tensor([1, 2, 3, 4], [2, 2], 'int32'), 1));
    await expectSame(() => tf.mean(tf.tensor([1, 2, 3, 4], [2, 2], 'int32'), 1));
    await expectSame(() => tf.max(tf.tensor([1, 2, 3, 4], [2, 2], 'int32'), 0));
  });

  it('FusedBatchNorm with per-channel, scalar, full-shape and missing parameters', async () => {
    const C = big[3];
    const positive = (shape: number[], seed: number): tf.Tensor => tf.add(tf.abs(random(shape, seed)), 0.1);
    await expectClose(() =>
      tf.batchNorm(
        random(big, 20),
        random([C], 21),
        positive([C], 22),
        random([C], 23),
        random([C], 24),
        1e-3,
      ),
    );
    await expectClose(() => tf.batchNorm(random(big, 25), random([C], 26), positive([C], 27)));
    await expectClose(() =>
      tf.batchNorm(random(big, 28), tf.scalar(0.25), tf.scalar(2), undefined, tf.scalar(-3), 1e-5),
    );
    await expectClose(() =>
      tf.batchNorm(random(big, 30), random(big, 31), positive(big, 32), random(big, 33), random(big, 34)),
    );
    await expectClose(() => tf.batchNorm(random([7, 3], 35), random([3], 36), positive([3], 37)));
    await expectClose(() => tf.batchNorm(tf.zeros([0, 3]), tf.zeros([3]), tf.ones([3])));
  });

  it('Slice: strided boxes natively, contiguous ones as the CPU views', async () => {
    const x = (): tf.Tensor => random(big, 40);
    await expectSame(() => tf.slice(x(), [1, 2, 3, 4], [2, 30, 31, 11]));
    await expectSame(() => tf.slice(x(), [0, 0, 0, 5], [-1, -1, -1, 7]));
    await expectSame(() => tf.slice(x(), [0, 5, 0, 0], [3, 10, 41, 19]));
    await expectSame(() => tf.slice(x(), [1, 0, 0, 0], [1, -1, -1, -1]));
    await expectSame(() => tf.slice(x(), [0, 0, 40, 18], [3, 37, 1, 1]));
    await expectSame(() => tf.slice(x(), [0, 0, 0, 0], [3, 37, 0, 19]));
    await expectSame(() => tf.slice(random([100], 41), [7], [50]));
    await expectSame(() => tf.slice(random([300, 401], 42), [3, 5], [290, 390]));
  });

  it('SplitV and Concat along every axis, with empty parts', async () => {
    const x = (): tf.Tensor => random([2, 33, 35, 96], 50);
    await expectSame(() => tf.split(x(), [64, 32], 3));
    await expectSame(() => tf.split(x(), [5, -1, 7], 3));
    await expectSame(() => tf.split(x(), 3, 1));
    await expectSame(() => tf.split(x(), [1, 1], 0));
    await expectSame(() => tf.split(x(), [0, 96], -1));
    await expectSame(() => tf.split(random([7, 70001], 51), [1, 70000], 1));
    const a = (): tf.Tensor => random([2, 33, 35, 64], 52);
    const b = (): tf.Tensor => random([2, 33, 35, 32], 53);
    await expectSame(() => tf.concat([a(), b()], 3));
    await expectSame(() => tf.concat([a(), b(), a()], -1));
    await expectSame(() =>
      tf.concat([random([2, 3, 5], 54), random([2, 4, 5], 55), random([2, 1, 5], 56)], 1),
    );
    await expectSame(() => tf.concat([random([3, 4], 57), random([2, 4], 58)], 0));
    await expectSame(() => tf.concat([random([3, 4], 59), tf.zeros([3, 0]), random([3, 2], 60)], 1));
    await expectSame(() => tf.concat([random([3, 4], 61), tf.zeros([3, 0])], 1));
    await expectSame(() => tf.concat([random([1, 100001], 62), random([1, 5], 63)], 1));
    await expectSame(() => tf.concat([tf.zeros([0, 4]), tf.zeros([0, 4])], 0));
  });

  it('PadV2 with zero, negative-zero, non-zero and NaN constants', async () => {
    const x = (): tf.Tensor => random(big, 70);
    await expectSame(() =>
      tf.pad(x(), [
        [0, 0],
        [3, 3],
        [3, 3],
        [0, 0],
      ]),
    );
    await expectSame(() =>
      tf.pad(
        x(),
        [
          [1, 0],
          [0, 2],
          [5, 1],
          [2, 3],
        ],
        1.5,
      ),
    );
    await expectSame(() =>
      tf.pad(
        x(),
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        -0,
      ),
    );
    await expectSame(() =>
      tf.pad(
        random([5, 7], 71),
        [
          [2, 2],
          [0, 3],
        ],
        NaN,
      ),
    );
    await expectSame(() => tf.pad(random([9], 72), [[0, 0]], 2));
    await expectSame(() =>
      tf.pad(
        random([4, 0], 73),
        [
          [1, 1],
          [1, 1],
        ],
        3,
      ),
    );
  });

  it('Transpose with any permutation, and Tile', async () => {
    const x = (): tf.Tensor => random(big, 80);
    for (const perm of [
      [0, 3, 1, 2],
      [0, 2, 3, 1],
      [3, 2, 1, 0],
      [1, 0, 2, 3],
      [0, 1, 2, 3],
      [2, 3, 0, 1],
    ]) {
      await expectSame(() => tf.transpose(x(), perm));
    }
    await expectSame(() => tf.transpose(random([301, 257], 81)));
    await expectSame(() => tf.transpose(random([1, 5, 1, 7], 82), [3, 2, 1, 0]));
    await expectSame(() => tf.transpose(random([2, 3, 4, 5, 6], 83), [4, 0, 3, 1, 2]));
    await expectSame(() => tf.transpose(tf.scalar(2), []));
    await expectSame(() => tf.tile(random([2, 3, 4], 84), [2, 1, 3]));
    await expectSame(() => tf.tile(random([3, 37, 41, 1], 85), [1, 1, 1, 19]));
    await expectSame(() => tf.tile(random([5], 86), [7]));
    await expectSame(() => tf.tile(random([2, 3], 87), [0, 2]));
    await expectSame(() => tf.tile(tf.tensor([1, 2], [2], 'int32'), [3]));
  });

  it('MaxPool and MaxPoolGrad: first maximal position wins ties, NaN never wins', async () => {
    type Pool = [number | [number, number], number | [number, number], 'same' | 'valid' | number];
    const pools: Pool[] = [
      [3, 2, 'same'], // the resnet stem
      [3, 2, 'valid'],
      [2, 2, 'same'],
      [[3, 2], [1, 2], 'same'],
      [1, 2, 'valid'],
      [3, 1, 1],
      [1, 1, 'same'],
    ];
    for (const [filter, stride, pad] of pools) {
      for (const specials of [false, true]) {
        const x = (): tf.Tensor4D => awkward([2, 33, 34, 8], 90, specials) as tf.Tensor4D;
        await expectSame(() => tf.maxPool(x(), filter, stride, pad));
        await expectSame(() => {
          const input = x();
          const output = tf.maxPool(input, filter, stride, pad);
          const dy = awkward(output.shape, 91, specials);
          return tf
            .engine()
            .runKernel(
              'MaxPoolGrad',
              { dy, input, output },
              { filterSize: filter, strides: stride, pad },
            ) as tf.Tensor;
        });
      }
    }
    // Windows wholly in the padding or holding only -Infinity give -Infinity and pass no gradient.
    await expectSame(() => tf.maxPool(tf.fill([1, 4, 4, 3], -Infinity) as tf.Tensor4D, 3, 2, 'same'));
    await expectSame(() => {
      const input = tf.fill([1, 4, 4, 3], -Infinity) as tf.Tensor4D;
      const output = tf.maxPool(input, 3, 2, 'same');
      return tf
        .engine()
        .runKernel(
          'MaxPoolGrad',
          { dy: tf.onesLike(output), input, output },
          { filterSize: 3, strides: 2, pad: 'same' },
        ) as tf.Tensor;
    });
  });

  it('ResizeNearestNeighbor and its gradient for every alignCorners / halfPixelCenters combination', async () => {
    const sizes: [number, number][] = [
      [66, 70],
      [16, 17],
      [1, 1],
      [33, 1],
    ];
    const flags: [boolean, boolean][] = [
      [false, false],
      [true, false],
      [false, true],
    ];
    const grad = (images: tf.Tensor, dy: tf.Tensor, align: boolean, half: boolean): tf.Tensor =>
      tf
        .engine()
        .runKernel(
          'ResizeNearestNeighborGrad',
          { images, dy },
          { alignCorners: align, halfPixelCenters: half },
        ) as tf.Tensor;
    for (const size of sizes) {
      for (const [align, half] of flags) {
        const x = (): tf.Tensor4D => random([2, 33, 35, 5], 100) as tf.Tensor4D;
        await expectSame(() => tf.image.resizeNearestNeighbor(x(), size, align, half));
        // One image: the CPU kernel is right, so equal it exactly.
        await expectSame(() =>
          grad(random([1, 33, 35, 5], 101), random([1, size[0], size[1], 5], 102), align, half),
        );
      }
    }
    // Several images: the CPU kernel reads image b's dy at b * (x's batch stride), the wrong place; the native one
    // gives what the CPU kernel gives for each image alone.
    const dyShape = [3, 66, 70, 5];
    const { native } = await both(() =>
      grad(random([3, 33, 35, 5], 103), random(dyShape, 104), false, false),
    );
    const { cpu } = await both(() =>
      tf.concat(
        [0, 1, 2].map((b) =>
          grad(
            random([1, 33, 35, 5], 103),
            tf.slice(random(dyShape, 104), [b, 0, 0, 0], [1, -1, -1, -1]),
            false,
            false,
          ),
        ),
      ),
    );
    expect(firstDifference(native[0].values, cpu[0].values)).toBe(-1);
  });

  it('gradients through the U-Net pieces equal the CPU backend', async () => {
    const net = (...[x, skip, scale]: tf.Tensor[]): tf.Tensor => {
      const pooled = tf.maxPool(x as tf.Tensor4D, 3, 2, 'same');
      const up = tf.image.resizeNearestNeighbor(pooled, [x.shape[1] as number, x.shape[2] as number]);
      const joined = tf.concat([up, skip], 3);
      const { mean, variance } = tf.moments(joined, [0, 1, 2]);
      const normed = tf.batchNorm(joined, mean, variance, tf.zerosLike(scale), scale);
      const [left, right] = tf.split(normed, [6, 4], 3);
      const padded = tf.pad(tf.mul(left, tf.slice(right, [0, 0, 0, 0], [-1, -1, -1, 1])), [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      return tf.mean(tf.abs(tf.transpose(padded, [0, 3, 1, 2])));
    };
    await expectClose(() => {
      const x = random([1, 17, 18, 6], 110) as tf.Tensor4D;
      const skip = random([1, 17, 18, 4], 111) as tf.Tensor4D;
      const scale = tf.add(random([10], 112), 1.5) as tf.Tensor1D;
      return tf.grads(net)([x, skip, scale]);
    }, 1e-5);
  });

  it('runs the addon for each kernel on the U-Net shapes (no silent CPU fallback)', async () => {
    await tf.setBackend('native');
    const names = [
      'reduce',
      'batchNorm',
      'slice',
      'concat',
      'split',
      'pad',
      'transpose',
      'tile',
      'maxPool',
      'maxPoolGrad',
      'resizeNearest',
      'resizeNearestGrad',
    ] as const;
    const spies = names.map((name) => vi.spyOn(addon, name));
    tf.tidy(() => {
      const x = random([4, 16, 16, 8], 130) as tf.Tensor4D;
      void [
        tf.moments(x, [0, 1, 2]),
        tf.max(x, [0, 2]),
        tf.batchNorm(x, tf.zeros([8]), tf.ones([8])),
        tf.slice(x, [0, 0, 0, 2], [-1, -1, -1, 4]),
        tf.concat(tf.split(x, [5, 3], 3), 3),
        tf.pad(x, [
          [0, 0],
          [3, 3],
          [3, 3],
          [0, 0],
        ]),
        tf.tile(tf.transpose(x, [0, 3, 1, 2]), [1, 1, 2, 1]),
        tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [32, 32])))(x),
      ];
    });
    spies.forEach((spy, k) => expect(spy, names[k]).toHaveBeenCalled());
    spies.forEach((spy) => spy.mockRestore());
  });

  it('leaves no tensors or buffers behind', async () => {
    await tf.setBackend('native');
    const x = random([2, 9, 10, 6], 120) as tf.Tensor4D;
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    // Inside a tidy that keeps nothing: every output and intermediate must be released.
    tf.tidy(() => {
      void [
        tf.sum(x, [0, 2]),
        tf.mean(x, [0, 1, 2], true),
        tf.max(x, [1, 3]),
        tf.min(x, -1),
        ...tf.split(x, [2, 4], 3),
        tf.concat([x, x], 3),
        tf.slice(x, [0, 1, 1, 1], [2, 5, 5, 5]),
        tf.pad(x, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
        tf.transpose(x, [0, 3, 1, 2]),
        tf.tile(x, [1, 1, 1, 2]),
        tf.maxPool(x, 3, 2, 'same'),
        tf.image.resizeNearestNeighbor(x, [18, 20]),
        tf.batchNorm(x, tf.zeros([6]), tf.ones([6])),
        tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(x),
        tf.grad((t: tf.Tensor) => tf.sum(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [18, 20])))(x),
      ];
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    x.dispose();
  });

  it('rejects bad arguments naming the function and argument', () => {
    const f = (n: number): Float32Array => new Float32Array(n);
    expect(() => addon.reduce(4, f(6), [1, 6, 1], f(1))).toThrow(/reduce: argument 0/);
    expect(() => addon.reduce(0, f(5), [1, 6, 1], f(1))).toThrow(
      /reduce: argument 1 has 5 elements, expected 6/,
    );
    expect(() => addon.reduce(0, f(6), [1, 6], f(1))).toThrow(/reduce: argument 2/);
    expect(() => addon.slice(f(6), [2, 3], [1, 1], [1, 3], f(3))).toThrow(/slice: begin \+ size exceeds/);
    expect(() => addon.concat([f(2), f(3)], [2, 2], 1, 1, f(4))).toThrow(/concat: argument 0\[1\] has 3/);
    expect(() => addon.split(f(4), [2, 2], 1, 1, [f(2)])).toThrow(/split: argument 4 must be an array of 2/);
    expect(() => addon.transpose(f(6), [2, 3], [0, 0], f(6))).toThrow(/transpose: argument 2 \(perm\)/);
    expect(() => addon.tile(f(6), [2, 3], [1], f(6))).toThrow(/tile: argument 2/);
    expect(() => addon.pad(f(4), [4], [1], [4], 0, f(4))).toThrow(/pad: argument 3/);
    const dims = [1, 4, 4, 1, 2, 2, 3, 3, 2, 2, 0, 0];
    expect(() => addon.maxPool(f(16), [...dims.slice(0, 8), 0, ...dims.slice(9)], f(4))).toThrow(
      /maxPool: argument 1/,
    );
    expect(() => addon.maxPoolGrad(f(16), f(3), dims, f(16))).toThrow(/maxPoolGrad: argument 1/);
    expect(() => addon.batchNorm(f(6), f(2), f(3), null, null, 1e-3, f(6))).toThrow(
      /batchNorm: argument 1 must have 1 or 3 elements/,
    );
    expect(() =>
      addon.resizeNearest(f(4), [1, 2, 2, 1], Int32Array.of(0, 2), Int32Array.of(0), f(2)),
    ).toThrow(/resizeNearest: argument 2\[1\] must be in \[0, 2\)/);
    expect(() =>
      addon.resizeNearestGrad(
        f(4),
        [1, 2, 2, 1],
        Int32Array.of(0, 1),
        Int32Array.of(0, 1),
        Int32Array.of(0, 2),
        Int32Array.of(0, 1),
        f(1),
      ),
    ).toThrow(/resizeNearestGrad: argument 2 must start at 0 and end/);
    expect(() =>
      addon.resizeNearest(f(4), [1, 2, 2, 1], new Float32Array(1) as never, Int32Array.of(0), f(1)),
    ).toThrow(/argument 2 must be an Int32Array/);
  });
});
