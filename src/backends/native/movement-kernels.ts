/** movement kernels of the native backend (see native/src/movement*.cc). */
import type { KernelConfig } from '@tensorflow/tfjs-core';

/** The addon functions these kernels call. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as kernels land
export interface MovementAddon {}

/** The movement kernels, in place of the CPU backend's. */
export function movementKernels(addon: MovementAddon): KernelConfig[] {
  void addon;
  return [];
}
