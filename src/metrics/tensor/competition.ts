/**
 * The competition score on batched tensors (tfjs-core only), for evaluation on device and as a training
 * objective. NHWC RGB float32 in [0, 1] (`uint8 / 255` reproduces the 8-bit reference to float32 rounding).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { hueHistogramSimilarityTensor, type HueHistogramTensorOptions } from './histogram.js';
import { maskedSsimTensor, ssimTensor, type TensorMasks } from './ssim.js';

/** Per-image terms, each `[B]`; dispose them (or run inside `tf.tidy`). */
export interface CompetitionScoreTensors {
  score: tf.Tensor1D;
  ssim: tf.Tensor1D;
  maskedSsim: tf.Tensor1D;
  histogram: tf.Tensor1D;
}

/**
 * `score = 0.2 S + 0.4 M + 0.4 C` per image, with S = `ssimTensor(gt, pred, { dataRange: 'prediction' })`,
 * M = `maskedSsimTensor(gt, pred, masks)` (both take the data range of each whole prediction, as the
 * reference) and C = `hueHistogramSimilarityTensor(gt, pred, histogram)`.
 * With the default hard histogram C has no gradient (the score's gradient comes from S and M); pass
 * `{ histogram: { mode: 'soft' } }` for a differentiable C. Leak-free: only the four results stay allocated.
 *
 * ```ts
 * const { score } = competitionScoreTensor(gt, pred, masks, { histogram: { mode: 'soft' } });
 * ```
 */
export function competitionScoreTensor(
  gt: tf.Tensor4D,
  pred: tf.Tensor4D,
  masks: TensorMasks,
  options: { histogram?: Omit<HueHistogramTensorOptions, 'normalize'> } = {},
): CompetitionScoreTensors {
  const [score, ssim, maskedSsim, histogram] = tf.tidy(() => {
    const s = ssimTensor(gt, pred, { dataRange: 'prediction' });
    const m = maskedSsimTensor(gt, pred, masks);
    const c = hueHistogramSimilarityTensor(gt, pred, options.histogram);
    const total = tf.addN([tf.mul(0.2, s), tf.mul(0.4, m), tf.mul(0.4, c)]) as tf.Tensor1D;
    return [total, s, m, c];
  });
  return { score, ssim, maskedSsim, histogram };
}
