/**
 * Convolution and matrix-multiplication kernels of the native backend: GEMMs in C++ (AVX2/FMA where the CPU has
 * them, a thread per core), fed straight from the image. Anything they do not cover (NCHW, other dtypes, unusual
 * broadcasting) falls through to the CPU backend's kernel.
 */
import {
  backend_util,
  type KernelConfig,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { allFloat32, cpuKernel, f32, input, nativeKernel, output, sizeOf } from './util.js';

function convShape(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

const isNhwc = (attrs: NamedAttrMap): boolean =>
  attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';

/** Activations the addon applies itself (its code), the rest run afterwards on the CPU backend. */
const NATIVE_ACTIVATION: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

type Shape4 = [number, number, number, number];

/** The convolution's geometry from its input and filter shapes and the kernel's attributes (gradients: dilation 1). */
function convInfo(inShape: number[], filterShape: number[], attrs: NamedAttrMap): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    attrs.strides as [number, number] | number,
    (attrs.dilations ?? 1) as [number, number] | number,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

export function conv2dKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('Conv2D', (args, backend) => {
    const x = input('Conv2D', args.inputs, 'x');
    const filter = input('Conv2D', args.inputs, 'filter');
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs) || !allFloat32(x, filter)) return undefined;
    const info = convInfo(x.shape, filter.shape, attrs);
    return output(backend, info.outShape, (y) =>
      addon.conv2d(f32(backend, x), f32(backend, filter), null, convShape(info), 0, y),
    );
  });
}

export function fusedConv2dKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('FusedConv2D', (args, backend) => {
    const x = input('FusedConv2D', args.inputs, 'x');
    const filter = input('FusedConv2D', args.inputs, 'filter');
    const { bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs ?? {};
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    const biasOk =
      bias === undefined || bias === null || (bias.shape.length === 1 && bias.shape[0] === filter.shape[3]);
    if (!isNhwc(attrs) || !allFloat32(x, filter, bias ?? undefined) || !biasOk) return undefined;
    const info = convInfo(x.shape, filter.shape, attrs);
    const code = NATIVE_ACTIVATION[activation];
    const biasValues = bias === undefined || bias === null ? null : f32(backend, bias);
    const linear = output(backend, info.outShape, (y) =>
      addon.conv2d(f32(backend, x), f32(backend, filter), biasValues, convShape(info), code ?? 0, y),
    );
    if (code !== undefined) return linear;
    // Activations the addon does not fuse run as the CPU backend's kernels on the result.
    const activated = applyCpuActivation(backend, linear, activation, preluActivationWeights, attrs);
    backend.disposeIntermediateTensorInfo(linear);
    return activated;
  });
}

function applyCpuActivation(
  backend: MathBackendCPU,
  x: TensorInfo,
  activation: string,
  alpha: TensorInfo | undefined,
  attrs: NamedAttrMap,
): TensorInfo {
  const one = (name: string, inputs: NamedTensorInfoMap, a: NamedAttrMap = {}): TensorInfo =>
    cpuKernel(name, { inputs, attrs: a, backend }) as TensorInfo;
  switch (activation) {
    case 'elu':
      return one('Elu', { x });
    case 'sigmoid':
      return one('Sigmoid', { x });
    case 'leakyrelu':
      return one('LeakyRelu', { x }, { alpha: attrs.leakyreluAlpha as number });
    case 'prelu':
      if (alpha === undefined)
        throw new Error('native backend: prelu activation without preluActivationWeights');
      return one('Prelu', { x, alpha });
    default:
      throw new Error(`native backend: unknown fused activation '${activation}'`);
  }
}

export function conv2dBackpropInputKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('Conv2DBackpropInput', (args, backend) => {
    const dy = input('Conv2DBackpropInput', args.inputs, 'dy');
    const filter = input('Conv2DBackpropInput', args.inputs, 'filter');
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs) || !allFloat32(dy, filter)) return undefined;
    const inputShape = attrs.inputShape as number[];
    const info = convInfo(inputShape, filter.shape, attrs);
    return output(backend, [...inputShape], (dx) =>
      addon.conv2dBackpropInput(f32(backend, dy), f32(backend, filter), convShape(info), dx),
    );
  });
}

export function conv2dBackpropFilterKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('Conv2DBackpropFilter', (args, backend) => {
    const x = input('Conv2DBackpropFilter', args.inputs, 'x');
    const dy = input('Conv2DBackpropFilter', args.inputs, 'dy');
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs) || !allFloat32(x, dy)) return undefined;
    const filterShape = attrs.filterShape as number[];
    const info = convInfo(x.shape, filterShape, attrs);
    return output(backend, [...filterShape], (dw) =>
      addon.conv2dBackpropFilter(f32(backend, x), f32(backend, dy), convShape(info), dw),
    );
  });
}

/** Batch dims of a matmul operand flattened, with the matrix dims; undefined for rank < 2. */
function matrixDims(shape: number[]): { batch: number; rows: number; cols: number } {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const batch = sizeOf(shape.slice(0, -2));
  return { batch, rows, cols };
}

export function batchMatMulKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('BatchMatMul', (args, backend) => {
    const a = input('BatchMatMul', args.inputs, 'a');
    const b = input('BatchMatMul', args.inputs, 'b');
    const attrs = args.attrs ?? {};
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    if (!allFloat32(a, b) || a.shape.length < 2 || b.shape.length < 2) return undefined;
    const da = matrixDims(a.shape);
    const db = matrixDims(b.shape);
    const m = transposeA ? da.cols : da.rows;
    const k = transposeA ? da.rows : da.cols;
    const kb = transposeB ? db.cols : db.rows;
    const n = transposeB ? db.rows : db.cols;
    // Only whole-batch broadcasting (equal batch dims, or one side without any); the rest goes to the CPU kernel.
    const sameBatch = a.shape.slice(0, -2).join() === b.shape.slice(0, -2).join();
    if (k !== kb || !(sameBatch || da.batch === 1 || db.batch === 1)) return undefined;
    const batchShape = (da.batch >= db.batch ? a.shape : b.shape).slice(0, -2);
    const batch = Math.max(da.batch, db.batch);
    const strideA = da.batch === 1 ? 0 : m * k;
    const strideB = db.batch === 1 ? 0 : k * n;
    return output(backend, [...batchShape, m, n], (c) =>
      addon.matmul(
        f32(backend, a),
        f32(backend, b),
        c,
        [batch, m, n, k, strideA, strideB],
        transposeA,
        transposeB,
      ),
    );
  });
}
