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
} from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from './addon.js';
import {
  batchMatMulKernel,
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  conv2dKernel,
  fusedConv2dKernel,
} from './conv-kernels.js';
import { elementwiseKernels, type ElementwiseAddon } from './elementwise-kernels.js';
import { movementKernels, type MovementAddon } from './movement-kernels.js';

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
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  if (!(NATIVE_BACKEND in engine().registryFactory)) {
    registerBackend(NATIVE_BACKEND, () => new cpu.MathBackendCPU(), 0);
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
