/**
 * A leaner gradient for FusedBatchNorm (tf.batchNorm), the same mathematics as tfjs-core's with far fewer full-size
 * passes. tfjs-core's version tiles 1/sqrt(var+eps) to the full input shape for dx and multiplies full-size tensors
 * for every input's gradient (about a dozen passes over the activations, Tile alone a tenth of a U-Net training step
 * on wasm). Here the per-channel factors are combined first and broadcast: dx = dy * (scale * rstd); the other
 * gradients need only two reductions, sum(dy) and sum(dy * (x - mean)).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** tfjs-core's FusedBatchNorm gradient, kept to restore it. */
let original: GradConfig | undefined;

const fusedBatchNormGrad: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const g = dy as Tensor;
    const [x, mean, variance, scale] = saved;
    const epsilon = attrs.varianceEpsilon as number;
    const axes = tf.broadcast_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: Tensor): Tensor => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
    const scaleTimesRstd = scale == null ? rstd : tf.mul(scale, rstd);
    // Shared by several inputs' gradients, so computed here: the engine runs each input's thunk in its own tidy.
    const sumDy = reduce(g);
    const sumDyXc = reduce(tf.mul(g, tf.sub(x, mean)));
    return {
      x: () => tf.reshape(tf.mul(g, scaleTimesRstd), x.shape),
      // d/dmean of scale*(x-mean)*rstd, summed: -scale*rstd*sum(dy)
      mean: () => tf.reshape(tf.neg(tf.mul(scaleTimesRstd, sumDy)), mean.shape),
      // d/dvar: -0.5*scale*rstd^3*sum(dy*(x-mean))
      variance: () =>
        tf.reshape(
          tf.mul(tf.mul(tf.mul(scaleTimesRstd, tf.square(rstd)), tf.scalar(-0.5)), sumDyXc),
          mean.shape,
        ),
      scale: () => tf.reshape(tf.mul(sumDyXc, rstd), mean.shape),
      offset: () => sumDy,
    };
  },
};

/**
 * Registers the lean FusedBatchNorm gradient (all backends; same results as tfjs-core's to float rounding).
 * Idempotent; call it after anything that registers tfjs-core's gradients (importing `@tensorflow/tfjs-layers`),
 * since the last registration wins. `useBackend` calls it.
 * @example
 * ```ts
 * import { registerFastBatchNormGradient } from 'tfjs-restoration/backends';
 * registerFastBatchNormGradient();
 * ```
 */
export function registerFastBatchNormGradient(): void {
  const current = tf.getGradient('FusedBatchNorm');
  if (current === fusedBatchNormGrad) return;
  if (current !== undefined) original = current;
  tf.registerGradient(fusedBatchNormGrad);
}

/** Puts tfjs-core's own FusedBatchNorm gradient back (for comparisons). */
export function restoreBatchNormGradient(): void {
  if (original !== undefined) tf.registerGradient(original);
}
