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
  type BackendValues,
  type DataId,
  type DataType,
} from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from './addon.js';
import { quietNodeBanner, type RecyclingBackend } from './util.js';
import {
  batchMatMulKernel,
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  conv2dKernel,
  fusedConv2dKernel,
} from './conv-kernels.js';
import { elementwiseKernels, type ElementwiseAddon } from './elementwise-kernels.js';
import { movementKernels, type MovementAddon } from './movement-kernels.js';
import { batchNormTrainingKernels, type BatchNormTrainingAddon } from './batchnorm-kernels.js';

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

/** Most bytes of free (recyclable) output arrays the native backend keeps: beyond it they go to the GC. */
const FREE_LIST_BYTES = 2 ** 31;

/** TFJS_RESTORATION_POISON=1 (the test suite sets it): recycled arrays are filled with NaN first. */
const POISON = typeof process !== 'undefined' && process.env.TFJS_RESTORATION_POISON === '1';

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
    ...batchNormTrainingKernels(addon as NativeAddon & BatchNormTrainingAddon),
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
    /**
     * The CPU backend plus the fused optimizer step that {@link FusedAdamStep} describes, and reuse of output
     * arrays: when a tensor made by a native kernel is disposed and no one else can see its array, the array goes to
     * a free list and becomes the output of the next kernel that needs one of that length. A fresh typed array costs
     * page faults and zeroing (2-5 ms for a 16 MB activation, more than many kernels take), and gigabytes of them per
     * training step keep V8's garbage collector running on every core. "No one else" means the array was never read
     * out (`dataSync`, `data`, moving to another backend) and no other tensor stores it or a view of it (the CPU
     * kernels' slices are views); such arrays are left to the garbage collector, as on the CPU backend.
     */
    class NativeBackend extends cpu.MathBackendCPU implements FusedAdamStep, RecyclingBackend {
      /** Output arrays that only their own tensor can reach. */
      private readonly recyclable = new WeakSet<Float32Array>();
      /** Each output array, by its buffer, to recognise views and second owners of it. */
      private readonly owners = new WeakMap<ArrayBufferLike, Float32Array>();
      /** Free arrays by length, and their total bytes (kept under {@link FREE_LIST_BYTES}). */
      private readonly free = new Map<number, Float32Array[]>();
      private freeBytes = 0;

      constructor() {
        super();
        quietNodeBanner(this);
      }

      takeArray(length: number): Float32Array | undefined {
        const list = this.free.get(length);
        const values = list?.pop();
        if (values !== undefined) this.freeBytes -= values.byteLength;
        return values;
      }

      adopt(values: Float32Array): void {
        this.recyclable.add(values);
        this.owners.set(values.buffer, values);
      }

      /** Someone else can now reach this array's memory: never reuse it. */
      private pin(values: unknown): void {
        if (!ArrayBuffer.isView(values)) return;
        const owner = this.owners.get(values.buffer);
        if (owner !== undefined) this.recyclable.delete(owner);
      }

      override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
        this.pin(values);
        return super.write(values, shape, dtype);
      }

      override move(
        dataId: DataId,
        values: BackendValues,
        shape: number[],
        dtype: DataType,
        refCount: number,
      ): void {
        this.pin(values);
        super.move(dataId, values, shape, dtype, refCount);
      }

      override readSync(dataId: DataId): BackendValues {
        const values = super.readSync(dataId);
        this.pin(values);
        return values;
      }

      override disposeData(dataId: DataId, force?: boolean): boolean {
        const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
        const gone = super.disposeData(dataId, force);
        if (gone && values instanceof Float32Array && this.recyclable.has(values)) {
          this.recyclable.delete(values);
          this.owners.delete(values.buffer);
          if (this.freeBytes + values.byteLength <= FREE_LIST_BYTES) {
            // Tests poison recycled arrays, so a kernel that reads a stale array or leaves its output partly
            // unwritten fails instead of passing on old values.
            if (POISON) values.fill(NaN);
            let list = this.free.get(values.length);
            if (list === undefined) this.free.set(values.length, (list = []));
            list.push(values);
            this.freeBytes += values.byteLength;
          }
        }
        return gone;
      }

      /** Drops the free arrays (up to {@link FREE_LIST_BYTES}) so the garbage collector can take them. */
      releaseFreeArrays(): void {
        this.free.clear();
        this.freeBytes = 0;
      }

      override dispose(): void {
        this.releaseFreeArrays();
        super.dispose();
      }

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
