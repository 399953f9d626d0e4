/**
 * A leaner gradient for FusedBatchNorm (tf.batchNorm), the same mathematics as tfjs-core's with far fewer full-size
 * passes. tfjs-core's version tiles 1/sqrt(var+eps) to the full input shape for dx and multiplies full-size tensors
 * for every input's gradient (about a dozen passes over the activations, Tile alone a tenth of a U-Net training step
 * on wasm). Here the per-channel factors are combined first and broadcast: dx = dy * (scale * rstd); the other
 * gradients need only two reductions, sum(dy) and sum(dy * (x - mean)).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** tfjs-core's FusedBatchNorm and Mean gradients, kept to restore them. */
let original: GradConfig | undefined;
let originalMean: GradConfig | undefined;

/** Backends whose Tile (what broadcastTo runs) is a fast copy; wasm's is a slow loop. */
const FAST_TILE = new Set(['native']);

/**
 * The gradient of Mean (tf.moments in every batch norm calls it twice): tfjs-core's multiplies dy by a full-size
 * tensor of ones, then divides the full-size product by the count (three full-size passes plus the ones). Dividing
 * the small dy first and broadcasting it is one pass, with the same values: (dy * 1) / n and dy / n round alike.
 * Used where Tile is fast; elsewhere tfjs-core's own.
 */
const meanGrad: GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    if (!FAST_TILE.has(tf.getBackend()) && originalMean !== undefined) {
      return originalMean.gradFunc(dy, saved, attrs);
    }
    const [x] = saved;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy as Tensor, expanded), count), x.shape) };
  },
};

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
 * Registers the lean FusedBatchNorm gradient and the lean Mean gradient (all backends; same results as tfjs-core's to float rounding).
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
  if (current !== fusedBatchNormGrad) {
    if (current !== undefined) original = current;
    tf.registerGradient(fusedBatchNormGrad);
  }
  const currentMean = tf.getGradient('Mean');
  if (currentMean !== meanGrad) {
    if (currentMean !== undefined) originalMean = currentMean;
    tf.registerGradient(meanGrad);
  }
}

/** Puts tfjs-core's own FusedBatchNorm and Mean gradients back (for comparisons). */
export function restoreBatchNormGradient(): void {
  if (original !== undefined) tf.registerGradient(original);
  if (originalMean !== undefined) tf.registerGradient(originalMean);
}
