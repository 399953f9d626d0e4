/**
 * Training-mode batch normalisation as one kernel, for backends that provide it (the native backend). tfjs-layers'
 * BatchNormalization runs tf.moments (Mean, Sub, Square, Mean) then FusedBatchNorm, and differentiates all five:
 * about fifteen full passes over each activation per training step, with the intermediates kept for the backward
 * pass. The fused kernels take three passes forward and two backward, and keep only x.
 *
 * In inference, a batch norm followed by a ReLU is one pass too ({@link fusedBatchNormReluInference}) instead of
 * FusedBatchNorm and Relu (two passes and an extra activation).
 *
 * Backend-neutral (tfjs-core only): callers check {@link hasFusedBatchNormTraining} (and
 * {@link hasFusedBatchNormReluInference}) and take the ordinary path elsewhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** Kernel: inputs x ([..., C]), gamma ([C]), beta ([C]); attr epsilon. Outputs y, mean [C], biased variance [C]. */
export const BATCH_NORM_TRAINING = 'TfrBatchNormTraining';
/**
 * Kernel: as {@link BATCH_NORM_TRAINING}, with the ReLU that follows fused: y = max(0, batchNorm(x)). Its gradient
 * keeps x and y (as PyTorch's in-place ReLU after a batch norm does), not the batch norm's own output.
 */
export const BATCH_NORM_RELU_TRAINING = 'TfrBatchNormReluTraining';
/**
 * Kernel: inputs dy, x, mean, variance, gamma, and y for the fused ReLU's mask (dy counts where y > 0); attr
 * epsilon. Outputs dx, dgamma, dbeta: the full gradient through the batch statistics.
 */
export const BATCH_NORM_TRAINING_GRAD = 'TfrBatchNormTrainingGrad';

/**
 * Kernel: tfjs's FusedBatchNorm (inputs x, mean, variance, offset, scale; attr varianceEpsilon; the same arithmetic)
 * with max(0, y) in the same pass: y = relu(batchNorm(x)) with given (moving) statistics, as in inference.
 */
export const BATCH_NORM_RELU_INFERENCE = 'TfrBatchNormReluInference';

/** The gradient of a fused kernel (with or without the ReLU): one call of its gradient kernel. Only y's gradient
 * flows (the statistics feed the moving averages, which are not differentiated, as in tfjs-layers). */
function gradConfig(kernelName: string, relu: boolean): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [relu, true, true],
    gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      // Saved: the inputs to save, then the outputs to save, in order.
      const [x, gamma] = saved;
      const [y, mean, variance] = relu ? saved.slice(2) : [undefined, saved[2], saved[3]];
      const dy = (Array.isArray(dys) ? dys[0] : dys) ?? tf.zerosLike(x);
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(
          BATCH_NORM_TRAINING_GRAD,
          { dy, x, mean, variance, gamma, ...(y ? { y } : {}) },
          { epsilon: attrs.epsilon },
        ) as Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  };
}
const batchNormTrainingGrad = gradConfig(BATCH_NORM_TRAINING, false);
const batchNormReluTrainingGrad = gradConfig(BATCH_NORM_RELU_TRAINING, true);

/** The inference kernel's gradient: ReLU's mask on dy, then tfjs's own FusedBatchNorm gradient. */
const batchNormReluInferenceGrad: GradConfig = {
  kernelName: BATCH_NORM_RELU_INFERENCE,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  outputsToSave: [true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const y = saved[4];
    const masked = tf.mul(dy, tf.step(y));
    const base = tf.getGradient('FusedBatchNorm');
    if (base === undefined)
      throw new Error(`${BATCH_NORM_RELU_INFERENCE}: tfjs-core has no FusedBatchNorm gradient`);
    return base.gradFunc(masked, saved.slice(0, 4), attrs);
  },
};

/** Whether the current backend has the fused training kernels (with and without the ReLU). */
export function hasFusedBatchNormTraining(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(BATCH_NORM_TRAINING, backend) !== undefined &&
    tf.getKernel(BATCH_NORM_RELU_TRAINING, backend) !== undefined
  );
}

/** The outputs of {@link fusedBatchNormTraining}. */
export interface BatchNormTrainingResult {
  /** The normalised, scaled and shifted input, through the ReLU if asked (differentiable with respect to x, gamma
   * and beta). */
  y: Tensor;
  /** Per-channel batch mean, [C]. */
  mean: Tensor;
  /** Per-channel biased batch variance, [C] (what tf.moments gives). */
  variance: Tensor;
}

/**
 * Batch normalisation over every axis but the last, with the batch's own statistics:
 * y = (x - mean) / sqrt(variance + epsilon) * gamma + beta. Needs a backend with the fused kernels
 * ({@link hasFusedBatchNormTraining}); x must be float32 with a known last dimension C.
 * @param gamma [C] scale, or null for 1.
 * @param beta [C] offset, or null for 0.
 * @param relu also apply max(0, y) in the same pass (and keep y rather than a pre-ReLU tensor for the gradient).
 * @example
 * ```ts
 * const { y, mean, variance } = fusedBatchNormTraining(x, gamma, beta, 1e-5);
 * const { y: activated } = fusedBatchNormTraining(x, gamma, beta, 1e-5, true); // relu(batchNorm(x))
 * ```
 */
export function fusedBatchNormTraining(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
  relu = false,
): BatchNormTrainingResult {
  if (tf.getGradient(BATCH_NORM_TRAINING) !== batchNormTrainingGrad)
    tf.registerGradient(batchNormTrainingGrad);
  if (tf.getGradient(BATCH_NORM_RELU_TRAINING) !== batchNormReluTrainingGrad)
    tf.registerGradient(batchNormReluTrainingGrad);
  const channels = x.shape[x.rank - 1];
  // The kernel always gets both parameters, so its gradient has fixed inputs; absent ones are constants.
  const g = gamma ?? tf.ones([channels]);
  const b = beta ?? tf.zeros([channels]);
  const [y, mean, variance] = tf
    .engine()
    .runKernel(
      relu ? BATCH_NORM_RELU_TRAINING : BATCH_NORM_TRAINING,
      { x, gamma: g, beta: b },
      { epsilon },
    ) as Tensor[];
  if (gamma === null) g.dispose();
  if (beta === null) b.dispose();
  return { y, mean, variance };
}

/** Whether the current backend has the fused inference batch norm + ReLU kernel. */
export function hasFusedBatchNormReluInference(): boolean {
  return tf.getKernel(BATCH_NORM_RELU_INFERENCE, tf.getBackend()) !== undefined;
}

/**
 * relu(tf.batchNorm(x, mean, variance, beta, gamma, epsilon)) as one kernel, bit for bit the two ops' result (and
 * differentiable, through tfjs's FusedBatchNorm gradient). Needs a backend with the kernel
 * ({@link hasFusedBatchNormReluInference}); mean, variance, beta and gamma are [C] for x [..., C].
 * @example
 * ```ts
 * const y = fusedBatchNormReluInference(x, movingMean, movingVariance, beta, gamma, 1e-5);
 * ```
 */
export function fusedBatchNormReluInference(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  beta: Tensor | null,
  gamma: Tensor | null,
  epsilon: number,
): Tensor {
  if (tf.getGradient(BATCH_NORM_RELU_INFERENCE) !== batchNormReluInferenceGrad)
    tf.registerGradient(batchNormReluInferenceGrad);
  return tf.tidy(() => {
    // tf.batchNorm's 4-D view (its gradient tiles per-channel values over four axes).
    const shape4 =
      x.rank >= 4
        ? x.shape
        : x.rank === 3
          ? [1, ...x.shape]
          : x.rank === 2
            ? [1, 1, ...x.shape]
            : [1, 1, 1, x.size];
    const channels = mean.shape[mean.rank - 1];
    const scale = gamma ?? tf.ones([channels]);
    const offset = beta ?? tf.zeros([channels]);
    const y = tf
      .engine()
      .runKernel(
        BATCH_NORM_RELU_INFERENCE,
        { x: tf.reshape(x, shape4), mean, variance, offset, scale },
        { varianceEpsilon: epsilon },
      ) as Tensor;
    return tf.reshape(y, x.shape);
  });
}
