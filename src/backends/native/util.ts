/** Plumbing shared by the native kernels: typed-array access and output allocation on the CPU backend's storage. */
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** The float32 values of a tensor on the native (CPU-storage) backend. */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  if (!(values instanceof Float32Array)) {
    throw new Error(`native backend: expected float32 data, got ${t.dtype}`);
  }
  return values;
}

/** Allocates unzeroed, recycled output arrays (the addon's allocF32; undefined when its budget is spent). */
let allocate: ((length: number) => Float32Array | undefined) | undefined;

/** Makes {@link output} take its arrays from `alloc` (falling back to `new Float32Array` when it returns undefined). */
export function setOutputAllocator(alloc: ((length: number) => Float32Array | undefined) | undefined): void {
  allocate = alloc;
}

/**
 * A new float32 tensor of the given shape, filled by `fill`, which must write every element: the array may come
 * from the addon's pool, unzeroed.
 */
export function output(
  backend: MathBackendCPU,
  shape: number[],
  fill: (out: Float32Array) => void,
): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = allocate?.(size) ?? new Float32Array(size);
  fill(out);
  return backend.makeTensorInfo(shape, 'float32', out);
}

/** The kernel input `name`; throws naming the kernel when it is missing. */
export function input(kernel: string, inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`native backend: ${kernel} needs input '${name}'`);
  return t;
}
