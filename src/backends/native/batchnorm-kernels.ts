/**
 * The fused training-mode batch norm kernels of the native backend (native/src/batchnorm_train.cc); see
 * src/backends/batchnorm-training.ts for the op that runs them. x is viewed as [P, C], C its last dimension.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  BATCH_NORM_RELU_TRAINING,
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
} from '../batchnorm-training.js';
import { f32, input, output, type KernelArgs } from './util.js';

/** The addon functions these kernels call. Outputs are preallocated. */
export interface BatchNormTrainingAddon {
  /** x's length must be a multiple of channels; gamma/beta null mean 1/0; relu 1: y = max(0, y). */
  batchNormTrain(
    x: Float32Array,
    channels: number,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    epsilon: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    relu?: number,
  ): void;
  /** reluY: the fused ReLU's output (dy counts where it is > 0), or null without the ReLU. */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array | null,
    epsilon: number,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    reluY?: Float32Array | null,
  ): void;
}

/** The kernel's inputs as float32 arrays, checking the [..., C] / [C] shapes (there is no CPU fallback). */
function arrays(
  kernel: string,
  args: KernelArgs,
  names: string[],
): { channels: number; values: Float32Array[]; x: TensorInfo } {
  const backend = args.backend as MathBackendCPU;
  const tensors = names.map((n) => input(kernel, args.inputs, n));
  const x = tensors[names.indexOf('x')];
  const channels = x.shape[x.shape.length - 1];
  for (const [i, t] of tensors.entries()) {
    if (t.dtype !== 'float32')
      throw new Error(`${kernel}: input '${names[i]}' must be float32, got ${t.dtype}`);
    const perChannel = names[i] !== 'x' && names[i] !== 'dy' && names[i] !== 'y';
    const ok = perChannel
      ? t.shape.length === 1 && t.shape[0] === channels
      : t.shape.join() === x.shape.join();
    if (!ok || x.shape.length === 0 || channels === 0)
      throw new Error(`${kernel}: input '${names[i]}' has shape [${t.shape}], x [${x.shape}]`);
  }
  return { channels, values: tensors.map((t) => f32(backend, t)), x };
}

function forwardKernel(addon: BatchNormTrainingAddon, relu: boolean): KernelConfig {
  const kernelName = relu ? BATCH_NORM_RELU_TRAINING : BATCH_NORM_TRAINING;
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const backend = args.backend as MathBackendCPU;
      const { channels, values, x } = arrays(kernelName, args, ['x', 'gamma', 'beta']);
      const [xv, gamma, beta] = values;
      const epsilon = args.attrs?.epsilon as number;
      let mean: Float32Array | undefined;
      let variance: Float32Array | undefined;
      const y = output(backend, [...x.shape], (out) => {
        const m = new Float32Array(channels);
        const v = new Float32Array(channels);
        addon.batchNormTrain(xv, channels, gamma, beta, epsilon, out, m, v, relu ? 1 : 0);
        [mean, variance] = [m, v];
      });
      return [
        y,
        output(backend, [channels], (out) => out.set(mean as Float32Array)),
        output(backend, [channels], (out) => out.set(variance as Float32Array)),
      ];
    },
  };
}

function gradKernel(addon: BatchNormTrainingAddon): KernelConfig {
  return {
    kernelName: BATCH_NORM_TRAINING_GRAD,
    backendName: 'native',
    kernelFunc: (args) => {
      const backend = args.backend as MathBackendCPU;
      // y: the fused ReLU's output, present for the kernel with the ReLU.
      const names = ['dy', 'x', 'mean', 'variance', 'gamma', ...('y' in args.inputs ? ['y'] : [])];
      const { channels, values, x } = arrays(BATCH_NORM_TRAINING_GRAD, args, names);
      const [dy, xv, mean, variance, gamma, reluY] = values;
      const epsilon = args.attrs?.epsilon as number;
      const dgamma = new Float32Array(channels);
      const dbeta = new Float32Array(channels);
      const dx = output(backend, [...x.shape], (out) =>
        addon.batchNormTrainGrad(
          dy,
          xv,
          channels,
          mean,
          variance,
          gamma,
          epsilon,
          out,
          dgamma,
          dbeta,
          reluY ?? null,
        ),
      );
      return [
        dx,
        output(backend, [channels], (out) => out.set(dgamma)),
        output(backend, [channels], (out) => out.set(dbeta)),
      ];
    },
  };
}

/** The fused batch norm training kernels: forward (without and with the ReLU) and gradient. */
export function batchNormTrainingKernels(addon: BatchNormTrainingAddon): KernelConfig[] {
  return [forwardKernel(addon, false), forwardKernel(addon, true), gradKernel(addon)];
}
