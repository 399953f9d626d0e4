import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import {
  registerFastBatchNormGradient,
  restoreBatchNormGradient,
  useBackend,
} from '../../src/backends/index.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { randomValues, relativeError, tinyNetStep } from '../helpers/backends.js';

/** Gradients of sum(batchNorm(x, mean, var, offset, scale) * r) for every input. */
function bnGrads(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(2 * 5 * 4 * 6, 1), [2, 5, 4, 6]);
    const r = tf.tensor4d(randomValues(2 * 5 * 4 * 6, 2), [2, 5, 4, 6]);
    const offset = tf.tensor1d(randomValues(6, 3));
    const scale = tf.tensor1d(randomValues(6, 4));
    const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.batchNorm4d(
            a as tf.Tensor4D,
            m as tf.Tensor1D,
            v as tf.Tensor1D,
            o as tf.Tensor1D,
            s as tf.Tensor1D,
            1e-3,
          ),
          r,
        ),
      );
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const gs = tf.grads(f)([x, mean, variance, offset, scale]);
    return gs.map((t) => t.dataSync() as Float32Array);
  });
}

describe('lean batch-norm gradient', () => {
  afterAll(() => restoreBatchNormGradient());

  // (Without a scale, tfjs-core itself cannot differentiate batchNorm: it saves the missing input.)
  it("equals tfjs-core's for x, mean, variance, offset and scale", async () => {
    await tf.setBackend('cpu');
    const ref = bnGrads();
    registerFastBatchNormGradient();
    const start = tf.memory().numTensors;
    const got = bnGrads();
    expect(tf.memory().numTensors).toBe(start);
    for (let i = 0; i < ref.length; i++)
      expect(relativeError(got[i], ref[i]), `input ${i}`).toBeLessThan(1e-5);
    restoreBatchNormGradient();
  });

  // The lean Mean gradient runs where Tile is fast (the native backend): compare it there with tfjs-core's on cpu.
  for (const axis of [[0, 1, 2], [1], [-1], [0, 3], undefined]) {
    it.skipIf(SKIP_NATIVE)(
      `the Mean gradient equals tfjs-core's bit for bit (axis ${JSON.stringify(axis)})`,
      async () => {
        await useBackend('native');
        await tf.setBackend('cpu');
        const grad = (): Float32Array =>
          tf.tidy(() => {
            const x = tf.tensor4d(randomValues(2 * 5 * 4 * 6, 4), [2, 5, 4, 6]);
            const r = tf.tensor(randomValues(tf.mean(x, axis).size, 5), tf.mean(x, axis).shape);
            return tf
              .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axis), r)))(x)
              .dataSync() as Float32Array;
          });
        restoreBatchNormGradient();
        const ref = grad();
        registerFastBatchNormGradient();
        await tf.setBackend('native');
        const start = tf.memory().numTensors;
        const got = grad();
        expect(tf.memory().numTensors).toBe(start);
        expect(got).toEqual(ref);
      },
    );
  }

  it('gives the same training step as tfjs-core on the tiny conv net', async () => {
    await tf.setBackend('cpu');
    const ref = await tinyNetStep();
    registerFastBatchNormGradient();
    const got = await tinyNetStep();
    expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-6);
    for (const name of Object.keys(ref.grads)) {
      expect(relativeError(got.grads[name], ref.grads[name]), name).toBeLessThan(1e-5);
    }
  });
});
