import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no op gradients itself; tfjs-layers (or @tensorflow/tfjs) does.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImage, type Mask } from '../../src/image/index.js';
import { hueHistogramSimilarity, maskedSsim } from '../../src/metrics/index.js';
import { hueHistogramSimilarityTensor, maskedSsimTensor } from '../../src/metrics/tensor/index.js';

// The wasm backend frees tensor memory eagerly, so it catches tensors used after their tidy ended
// (the CPU backend may still read them).
beforeAll(async () => {
  await tf.setBackend('wasm');
});

function image(seed: number): ReturnType<typeof createImage> {
  const data = new Uint8Array(24 * 24 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i + seed * 7919, 2654435761) >>> 24) & 255;
  return createImage(24, 24, 3, data);
}

describe('tensor metrics on the wasm backend', () => {
  it('soft hue and masked SSIM: values match the plain forms, gradients are finite, nothing leaks', () => {
    const gts = [image(1), image(2)];
    const preds = [image(3), image(4)];
    const mask = createImage(24, 24, 1) as Mask;
    mask.data.fill(1, 50, 300);
    const toT = (ims: typeof gts): tf.Tensor4D =>
      tf.tensor4d(
        Float32Array.from(ims.flatMap((im) => Array.from(im.data, (v) => v / 255))),
        [2, 24, 24, 3],
      );
    const gt = toT(gts);
    const pred = toT(preds);
    const start = tf.memory().numTensors;
    const [hard, masked] = tf.tidy(() => [
      hueHistogramSimilarityTensor(gt, pred).arraySync(),
      maskedSsimTensor(gt, pred, [mask, mask]).arraySync(),
    ]);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(hard[i] - hueHistogramSimilarity(gts[i], preds[i]))).toBeLessThan(1e-5);
      expect(Math.abs(masked[i] - maskedSsim(gts[i], preds[i], mask))).toBeLessThan(2e-5);
    }
    const soft = tf.grad((x: tf.Tensor) =>
      tf.mean(hueHistogramSimilarityTensor(gt, x as tf.Tensor4D, { mode: 'soft' })),
    )(pred);
    const m = tf.grad((x: tf.Tensor) => tf.mean(maskedSsimTensor(gt, x as tf.Tensor4D, [mask, mask])))(pred);
    expect(soft.dataSync().every(Number.isFinite)).toBe(true);
    expect(m.dataSync().every(Number.isFinite)).toBe(true);
    expect(m.dataSync().some((v) => v !== 0)).toBe(true);
    tf.dispose([soft, m]);
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([gt, pred]);
  });
});
