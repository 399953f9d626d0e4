import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { randomValues, relativeError, tinyNetStep, type ConvCase } from '../helpers/backends.js';

/** dL/dx and dL/dW of sum(conv2d(x, W) * r) on the given backend. */
async function convGrads(backend: string, c: ConvCase): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(c.n * c.h * c.w * c.ci, 1), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(randomValues(c.k * c.k * c.ci * c.co, 2), [c.k, c.k, c.ci, c.co]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
    const outShape = f(x, w).shape;
    const r = tf.tensor(
      randomValues(
        outShape.reduce((a, b) => a * b, 1),
        3,
      ),
      outShape,
    );
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

const cases: ConvCase[] = [
  { n: 1, h: 8, w: 8, ci: 3, co: 4, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 9, w: 7, ci: 5, co: 6, k: 3, stride: 2, pad: 'same' },
  { n: 2, h: 10, w: 10, ci: 4, co: 8, k: 3, stride: 2, pad: 'valid' },
  { n: 1, h: 11, w: 12, ci: 16, co: 16, k: 3, stride: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 8, co: 16, k: 1, stride: 1, pad: 'same' },
  { n: 2, h: 9, w: 9, ci: 8, co: 4, k: 1, stride: 2, pad: 'valid' },
  { n: 1, h: 16, w: 14, ci: 1, co: 8, k: 7, stride: 2, pad: 'same' },
  { n: 2, h: 13, w: 13, ci: 3, co: 5, k: 7, stride: 1, pad: 3 },
  { n: 1, h: 10, w: 9, ci: 2, co: 3, k: 3, stride: 2, pad: 1 },
  {
    n: 2,
    h: 8,
    w: 9,
    ci: 4,
    co: 3,
    k: 3,
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    n: 1,
    h: 9,
    w: 10,
    ci: 3,
    co: 2,
    k: 3,
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
  },
  // More than 4 input channels: dx through the zero-inserted XNNPACK conv (up to 4: GEMM + col2im).
  {
    n: 2,
    h: 8,
    w: 9,
    ci: 8,
    co: 3,
    k: 3,
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    n: 1,
    h: 9,
    w: 10,
    ci: 6,
    co: 5,
    k: 3,
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
  },
  { n: 1, h: 15, w: 13, ci: 6, co: 4, k: 7, stride: 2, pad: 3 },
  // Padding larger than the filter: no conv form, col2im.
  { n: 1, h: 5, w: 6, ci: 6, co: 4, k: 1, stride: 1, pad: 1 },
];

describe('wasm training kernels', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('registers Conv2DBackpropFilter and the depthwise gradients on wasm', () => {
    for (const k of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]) {
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
  });

  for (const c of cases) {
    it(`conv2d gradients equal cpu's: ${JSON.stringify(c)}`, async () => {
      const ref = await convGrads('cpu', c);
      const start = tf.memory().numTensors;
      const got = await convGrads('wasm', c);
      expect(tf.memory().numTensors).toBe(start);
      expect(relativeError(got.dw, ref.dw)).toBeLessThan(1e-4);
      expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-4);
    });
  }

  it('Conv2DBackpropFilter and Conv2DBackpropInput kernels handle NCHW', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(randomValues(2 * 3 * 7 * 6, 4), [2, 3, 7, 6]);
        const dy = tf.tensor4d(randomValues(2 * 5 * 4 * 3, 5), [2, 5, 4, 3]);
        const w = tf.tensor4d(randomValues(3 * 3 * 3 * 5, 6), [3, 3, 3, 5]);
        const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW' };
        const dw = tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 5] });
        const dx = tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape });
        return [(dw as tf.Tensor).dataSync(), (dx as tf.Tensor).dataSync()];
      });
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    expect(relativeError(got[0], ref[0])).toBeLessThan(1e-4);
    expect(relativeError(got[1], ref[1])).toBeLessThan(1e-4);
  });

  for (const [stride, mult, pad] of [
    [1, 1, 'same'],
    [2, 2, 'valid'],
    [2, 1, 'same'],
  ] as const) {
    it(`depthwise conv gradients equal cpu's: stride ${stride}, multiplier ${mult}, ${pad}`, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(randomValues(2 * 9 * 8 * 4, 7), [2, 9, 8, 4]);
          const w = tf.tensor4d(randomValues(3 * 3 * 4 * mult, 8), [3, 3, 4, mult]);
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
          const shape = f(x, w).shape;
          const r = tf.tensor(
            randomValues(
              shape.reduce((a, b) => a * b, 1),
              9,
            ),
            shape,
          );
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
          return [dx.dataSync(), dw.dataSync()];
        });
      };
      const ref = await run('cpu');
      const start = tf.memory().numTensors;
      const got = await run('wasm');
      expect(tf.memory().numTensors).toBe(start);
      expect(relativeError(got[0], ref[0])).toBeLessThan(1e-4);
      expect(relativeError(got[1], ref[1])).toBeLessThan(1e-4);
    });
  }

  it('a training step of a tiny conv net (conv-BN-relu x2, L1, Adam) matches cpu', async () => {
    await tf.setBackend('cpu');
    const ref = await tinyNetStep();
    await tf.setBackend('wasm');
    const start = tf.memory().numTensors;
    const got = await tinyNetStep();
    expect(tf.memory().numTensors).toBe(start);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    for (const name of Object.keys(ref.grads)) {
      expect(relativeError(got.grads[name], ref.grads[name]), `grad ${name}`).toBeLessThan(1e-4);
      expect(relativeError(got.after[name], ref.after[name]), `after ${name}`).toBeLessThan(1e-4);
    }
  });
});
