/**
 * The `native` backend (Node only): TensorFlow.js's CPU backend with its heavy kernels replaced by C++ ones from this
 * package's addon (convolutions and their gradients as cache-blocked GEMMs with AVX2/FMA, running on every core).
 * Tensors live in JavaScript typed arrays exactly as on the CPU backend, so every kernel the addon does not cover
 * runs as the CPU backend's own.
 */
import {
  getKernelsForBackend,
  registerBackend,
  registerKernel,
  getKernel,
  unregisterKernel,
  engine,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from './addon.js';
import { setOutputAllocator } from './util.js';
import {
  batchMatMulKernel,
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  conv2dKernel,
  fusedConv2dKernel,
} from './conv-kernels.js';
import { elementwiseKernels, type ElementwiseAddon } from './elementwise-kernels.js';
import { movementKernels, type MovementAddon } from './movement-kernels.js';

/** The tensors of one Adam step: the variable, its two moments, its gradient. */
export interface AdamTensors {
  value: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
  g: TensorInfo;
}

/**
 * A backend that can run a whole Adam(W) step of a variable in one fused, in-place pass (the native backend can).
 * Returns false when it cannot for these tensors (the caller then takes the ordinary path).
 */
export interface FusedAdamStep {
  fusedAdamStep(tensors: AdamTensors, params: Float32Array): boolean;
}

export { loadNativeAddon, nativeAddonPath, NATIVE_BUILD_HINT, type NativeAddon } from './addon.js';

/** The backend's name, as given to tf.setBackend. */
export const NATIVE_BACKEND = 'native';

/** The kernels the addon provides, replacing the CPU backend's. */
export function nativeKernels(addon: NativeAddon): KernelConfig[] {
  return [
    conv2dKernel(addon),
    fusedConv2dKernel(addon),
    conv2dBackpropInputKernel(addon),
    conv2dBackpropFilterKernel(addon),
    batchMatMulKernel(addon),
    ...elementwiseKernels(addon as NativeAddon & ElementwiseAddon),
    ...movementKernels(addon as NativeAddon & MovementAddon),
  ];
}

/**
 * Registers the `native` backend (priority 0: it never becomes the default by itself) and its kernels: the CPU
 * backend's, with the addon's in place of the heavy ones. Idempotent. Needs `@tensorflow/tfjs-backend-cpu`.
 * @param threads threads for the addon's kernels (default: every core; env `TFJS_RESTORATION_THREADS` also sets it).
 * @throws Error when the addon is not built, saying how to build it.
 */
export async function registerNativeBackend(threads?: number): Promise<void> {
  const addon = loadNativeAddon();
  if (threads !== undefined) addon.setThreads(threads);
  setOutputAllocator((length) => addon.allocF32(length));
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  if (!(NATIVE_BACKEND in engine().registryFactory)) {
    /** The CPU backend plus the fused optimizer steps that {@link FusedAdamStep} describes. */
    class NativeBackend extends cpu.MathBackendCPU implements FusedAdamStep {
      fusedAdamStep(tensors: AdamTensors, params: Float32Array): boolean {
        const arrays = [tensors.value, tensors.m, tensors.v, tensors.g].map((t) => this.data.get(t.dataId));
        // In place only where nothing else shares the storage (a clone or the tensor a variable was made from).
        if (arrays.some((d, i) => !(d.values instanceof Float32Array) || (i < 3 && d.refCount !== 1)))
          return false;
        const [value, m, v, g] = arrays.map((d) => d.values as Float32Array);
        addon.adamUpdate(value, m, v, g, params);
        return true;
      }
    }
    registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
  }
  const own = new Set<string>();
  for (const config of nativeKernels(addon)) {
    own.add(config.kernelName);
    if (getKernel(config.kernelName, NATIVE_BACKEND) !== undefined)
      unregisterKernel(config.kernelName, NATIVE_BACKEND);
    registerKernel(config);
  }
  for (const config of getKernelsForBackend('cpu')) {
    if (own.has(config.kernelName) || getKernel(config.kernelName, NATIVE_BACKEND) !== undefined) continue;
    registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
}
