/**
 * Training-mode batch normalisation as one kernel, for backends that provide it (the native backend). tfjs-layers'
 * BatchNormalization runs tf.moments (Mean, Sub, Square, Mean) then FusedBatchNorm, and differentiates all five:
 * about fifteen full passes over each activation per training step, with the intermediates kept for the backward
 * pass. The fused kernels take three passes forward and two backward, and keep only x.
 *
 * Backend-neutral (tfjs-core only): callers check {@link hasFusedBatchNormTraining} and take the ordinary path
 * elsewhere.
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
