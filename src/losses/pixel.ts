import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no op gradients by itself (its `register_all_gradients` entry is an ESM file plain Node cannot
// load), while tfjs-layers registers all of them in its Node and bundler builds alike. Losses exist to be
// differentiated, so importing them must make `tf.grad` work; tfjs-layers is a required peer anyway. (A bare import
// of our own module would be dropped by bundlers under `"sideEffects": false`; one of a package is kept.)
import '@tensorflow/tfjs-layers';

/** How a loss is reduced over its elements. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface PixelLossOptions {
  /**
   * Per-pixel weights broadcastable to the inputs (e.g. a `[N,H,W,1]` mask). With `'mean'` the weighted sum is
   * divided by the sum of the broadcast weights, so a mask averages over the masked pixels only.
   */
  weights?: tf.Tensor;
  /** Default `'mean'`, as PyTorch's `nn.L1Loss` / `nn.MSELoss`. */
  reduction?: Reduction;
}

function reduce(perElement: tf.Tensor, options: PixelLossOptions, name: string): tf.Tensor {
  const { weights, reduction = 'mean' } = options;
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none')
    throw new Error(`${name}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  if (!weights) {
    if (reduction === 'none') return perElement;
    return reduction === 'sum' ? tf.sum(perElement) : tf.mean(perElement);
  }
  const w = tf.broadcastTo(weights, perElement.shape);
  const weighted = tf.mul(perElement, w);
  if (reduction === 'none') return weighted;
  const total = tf.sum(weighted);
  // The max() keeps an all-zero weight map from dividing by zero: the loss is then 0, not NaN.
  return reduction === 'sum' ? total : tf.div(total, tf.maximum(tf.sum(w), 1e-12));
}

function checkPair(pred: tf.Tensor, target: tf.Tensor, name: string): void {
  if (!tf.util.arraysEqual(pred.shape, target.shape))
    throw new Error(`${name}: pred and target shapes differ, [${pred.shape}] vs [${target.shape}]`);
}

/**
 * Mean absolute error, as PyTorch's `nn.L1Loss` (reduction `'mean'` by default).
 *
 * ```ts
 * const loss = l1Loss(pred, target, { weights: mask }); // mean over the masked pixels only
 * ```
 */
export function l1Loss(pred: tf.Tensor, target: tf.Tensor, options: PixelLossOptions = {}): tf.Tensor {
  checkPair(pred, target, 'l1Loss');
  return tf.tidy(() => reduce(tf.abs(tf.sub(pred, target)), options, 'l1Loss'));
}

/**
 * Mean squared error, as PyTorch's `nn.MSELoss` (reduction `'mean'` by default).
 *
 * ```ts
 * const loss = mseLoss(pred, target);
 * ```
 */
export function mseLoss(pred: tf.Tensor, target: tf.Tensor, options: PixelLossOptions = {}): tf.Tensor {
  checkPair(pred, target, 'mseLoss');
  return tf.tidy(() => reduce(tf.squaredDifference(pred, target), options, 'mseLoss'));
}

export interface L1MseOptions extends PixelLossOptions {
  /** Weight of the L1 term; default 1. */
  l1Weight?: number;
  /** Weight of the MSE term; default 1. */
  mseWeight?: number;
}

/**
 * `l1Weight * L1 + mseWeight * MSE`: the loss the strong known approach to the competition trained both stages
 * with. Only scalar reductions make sense here (`'mean'` or `'sum'`).
 *
 * ```ts
 * const loss = l1MseLoss(pred, target); // L1 + MSE
 * ```
 */
export function l1MseLoss(pred: tf.Tensor, target: tf.Tensor, options: L1MseOptions = {}): tf.Scalar {
  const { l1Weight = 1, mseWeight = 1, ...rest } = options;
  if (rest.reduction === 'none')
    throw new Error(`l1MseLoss: reduction 'none' is not supported; use 'mean' or 'sum'`);
  return tf.tidy(() =>
    tf.add(tf.mul(l1Loss(pred, target, rest), l1Weight), tf.mul(mseLoss(pred, target, rest), mseWeight)),
  ) as tf.Scalar;
}

/**
 * Anisotropic total variation of an NHWC batch: mean absolute difference between vertical and horizontal
 * neighbours. A smoothness prior for filled regions.
 *
 * ```ts
 * const tv = totalVariationLoss(pred); // scalar
 * ```
 */
export function totalVariationLoss(images: tf.Tensor4D): tf.Scalar {
  if (images.rank !== 4)
    throw new Error(`totalVariationLoss: expected an NHWC rank-4 tensor, got rank ${images.rank}`);
  const [n, h, w, c] = images.shape;
  if (h < 2 || w < 2) throw new Error(`totalVariationLoss: need height and width >= 2, got ${h}x${w}`);
  return tf.tidy(() => {
    const dy = tf.abs(
      tf.sub(
        tf.slice(images, [0, 1, 0, 0], [n, h - 1, w, c]),
        tf.slice(images, [0, 0, 0, 0], [n, h - 1, w, c]),
      ),
    );
    const dx = tf.abs(
      tf.sub(
        tf.slice(images, [0, 0, 1, 0], [n, h, w - 1, c]),
        tf.slice(images, [0, 0, 0, 0], [n, h, w - 1, c]),
      ),
    );
    return tf.add(tf.mean(dy), tf.mean(dx));
  }) as tf.Scalar;
}
