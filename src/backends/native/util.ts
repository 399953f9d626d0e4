/** Plumbing shared by the native kernels: typed-array access and output allocation on the CPU backend's storage. */
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/**
 * The float32 values of a tensor on the native (CPU-storage) backend. A float32 tensor made by the CPU backend's Cast
 * from int32 or bool may still hold that Int32Array/Uint8Array (the native backend's own Cast converts, but tensors
 * can come from elsewhere): those are converted here, into a copy.
 */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  if (values instanceof Float32Array) return values;
  if (t.dtype === 'float32' && (values instanceof Int32Array || values instanceof Uint8Array)) {
    return Float32Array.from(values);
  }
  throw new Error(`native backend: expected float32 data, got ${t.dtype}`);
}

/** A backend that reuses the arrays of disposed tensors for new outputs (the native backend). */
export interface RecyclingBackend {
  /** A recycled array of exactly `length` elements (contents arbitrary), if one is free. */
  takeArray(length: number): Float32Array | undefined;
  /** Called with each new output array right after it became a tensor's storage. */
  adopt(values: Float32Array): void;
}

/**
 * A new float32 tensor of the given shape, filled by `fill`, which must write every element: on the native backend
 * the array may be a recycled one, not zeroed.
 */
export function output(
  backend: MathBackendCPU,
  shape: number[],
  fill: (out: Float32Array) => void,
): TensorInfo {
  return outputs(backend, [shape], ([out]) => fill(out))[0];
}

/** New float32 tensors of the given shapes, all filled by one call of `fill` (which must write every element). */
export function outputs(
  backend: MathBackendCPU,
  shapes: number[][],
  fill: (outs: Float32Array[]) => void,
): TensorInfo[] {
  const recycling = backend as unknown as Partial<RecyclingBackend>;
  const outs = shapes.map((shape) => {
    const size = sizeOf(shape);
    return recycling.takeArray?.(size) ?? new Float32Array(size);
  });
  fill(outs);
  return outs.map((out, i) => {
    const info = backend.makeTensorInfo(shapes[i], 'float32', out);
    recycling.adopt?.(out);
    return info;
  });
}

/** The kernel input `name`; throws naming the kernel when it is missing. */
export function input(kernel: string, inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`native backend: ${kernel} needs input '${name}'`);
  return t;
}

/** What a kernel function receives. */
export type KernelArgs = { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown };

/** Runs the CPU backend's own kernel `name` (the fallback for cases the native kernels do not cover). */
export function cpuKernel(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const kernel = getKernel(name, 'cpu');
  if (kernel === undefined) throw new Error(`native backend: the cpu backend has no ${name} kernel`);
  return kernel.kernelFunc(args as Parameters<KernelFunc>[0]);
}

/**
 * A kernel of the native backend: `run` computes the result, or returns undefined to decline (a dtype, layout or
 * case it does not cover), and then the CPU backend's own kernel `name` runs.
 *
 * ```ts
 * nativeKernel('Relu', (args, backend) => {
 *   const x = input('Relu', args.inputs, 'x');
 *   if (!allFloat32(x)) return undefined;
 *   return output(backend, [...x.shape], (y) => addon.unary('Relu', f32(backend, x), 0, y));
 * });
 * ```
 */
export function nativeKernel(
  name: string,
  run: (args: KernelArgs, backend: MathBackendCPU) => TensorInfo | TensorInfo[] | undefined,
): KernelConfig {
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args) => run(args, args.backend as MathBackendCPU) ?? cpuKernel(name, args),
  };
}

/** Whether every given tensor (absent ones aside) is float32. */
export const allFloat32 = (...ts: (TensorInfo | null | undefined)[]): boolean =>
  ts.every((t) => t === undefined || t === null || t.dtype === 'float32');

/** The number of elements of a shape. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Keeps tfjs-backend-cpu's Node banner ("Hi, looks like you are running TensorFlow.js in Node.js. To speed things up
 * dramatically, install our node backend…") from printing for this backend instance. tfjs-backend-cpu 4.22 prints it
 * from `MathBackendCPU.write` on the instance's first write when the `IS_NODE` flag is on, guarded by the instance's
 * private `firstUse` field; there is no flag for it alone (`IS_TEST` and `PROD` would silence every tfjs warning of the
 * process). The advice does not apply to this library's `native` backend, and `useBackend` offers tfjs-node itself
 * (`'tensorflow'`). Only this instance changes; any other CPU backend, and every flag, stay as they are.
 * @param backend a MathBackendCPU (or subclass) instance; anything else is left alone.
 */
export function quietNodeBanner(backend: unknown): void {
  const b = backend as { firstUse?: unknown } | null;
  if (b !== null && typeof b === 'object' && typeof b.firstUse === 'boolean') b.firstUse = false;
}
