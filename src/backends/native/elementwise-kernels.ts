/** elementwise kernels of the native backend (see native/src/elementwise*.cc). */
import type { KernelConfig } from '@tensorflow/tfjs-core';

/** The addon functions these kernels call. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as kernels land
export interface ElementwiseAddon {}

/** The elementwise kernels, in place of the CPU backend's. */
export function elementwiseKernels(addon: ElementwiseAddon): KernelConfig[] {
  void addon;
  return [];
}
