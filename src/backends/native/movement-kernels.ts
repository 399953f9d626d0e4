/**
 * Reduction, data-movement, pooling and resizing kernels of the native backend (see native/src/movement*.cc): the
 * index arithmetic tfjs's CPU kernels do per element (Slice, SplitV, PadV2, MaxPoolGrad...) becomes contiguous
 * copies and channel-vectorised loops in C++, on every core. Results equal the CPU kernels' exactly, except sums
 * and batch norm, which match to float rounding. Other dtypes, empty tensors and the cases where the CPU kernel is
 * already free (contiguous slices are views) run as the CPU backend's own kernels.
 */
import {
  backend_util,
  slice_util,
  util,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BATCH_NORM_RELU_INFERENCE } from '../batchnorm-training.js';
import { allFloat32, f32, input, nativeKernel, output, outputs, sizeOf } from './util.js';

/** The addon functions these kernels call (native/src/movement_napi.cc). Outputs are preallocated. */
export interface MovementAddon {
  /** op: 0 sum, 1 mean, 2 max, 3 min; x viewed as dims = [outer, reduced, inner], out as [outer, inner]. */
  reduce(op: number, x: Float32Array, dims: number[], out: Float32Array): void;
  /** Parameters have 1 element or all the same length L, read at index i % L. */
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    epsilon: number,
    out: Float32Array,
    /** 1: max(0, y) in the same pass. */
    relu?: number,
  ): void;
  slice(x: Float32Array, shape: number[], begin: number[], size: number[], out: Float32Array): void;
  /** parts[k] is [outer, mids[k], inner]; out is [outer, sum(mids), inner]. */
  concat(parts: Float32Array[], mids: number[], outer: number, inner: number, out: Float32Array): void;
  split(x: Float32Array, mids: number[], outer: number, inner: number, parts: Float32Array[]): void;
  pad(
    x: Float32Array,
    shape: number[],
    before: number[],
    outShape: number[],
    value: number,
    out: Float32Array,
  ): void;
  transpose(x: Float32Array, shape: number[], perm: number[], out: Float32Array): void;
  tile(x: Float32Array, shape: number[], reps: number[], out: Float32Array): void;
  /** dims: [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft] */
  maxPool(x: Float32Array, dims: number[], y: Float32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dims: number[], dx: Float32Array): void;
  /** dims: [batch, inH, inW, channels]; output row r reads input row rows[r], column c input column cols[c]. */
  resizeNearest(x: Float32Array, dims: number[], rows: Int32Array, cols: Int32Array, y: Float32Array): void;
  /** dims: [batch, dyH, dyW, channels]; dx row r sums dy rows rowIdx[rowStart[r] .. rowStart[r+1]) (CSR). */
  resizeNearestGrad(
    dy: Float32Array,
    dims: number[],
    rowStart: Int32Array,
    rowIdx: Int32Array,
    colStart: Int32Array,
    colIdx: Int32Array,
    dx: Float32Array,
  ): void;
}

// ---- reductions ----

const REDUCE_OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;

/**
 * Sum, Mean, Max, Min over any axes. Axes forming one contiguous block reduce in place ([outer, reduced, inner]);
 * others are first transposed to the end (as the CPU kernels do), natively.
 */
function reduceKernel(addon: MovementAddon, name: keyof typeof REDUCE_OPS, axisAttr: string): KernelConfig {
  return nativeKernel(name, (args, backend) => {
    const x = input(name, args.inputs, 'x');
    const attrs = args.attrs ?? {};
    if (!allFloat32(x) || sizeOf(x.shape) === 0) return undefined;
    const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    const sorted = [...new Set(axes)].sort((a, b) => a - b);
    if (sorted.length !== axes.length) return undefined;
    const rank = x.shape.length;
    const outShape = x.shape.filter((_, i) => !sorted.includes(i));
    const finalShape = attrs.keepDims === true ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const reduced = sizeOf(sorted.map((a) => x.shape[a]));
    const contiguous = sorted.every((a, i) => a === sorted[0] + i);
    let values = f32(backend, x);
    let dims: number[];
    if (contiguous) {
      const first = sorted.length === 0 ? rank : sorted[0];
      const last = sorted.length === 0 ? rank : sorted[sorted.length - 1] + 1;
      dims = [sizeOf(x.shape.slice(0, first)), reduced, sizeOf(x.shape.slice(last))];
    } else {
      const perm = backend_util.getAxesPermutation(sorted, rank) as number[];
      const moved = new Float32Array(values.length);
      addon.transpose(values, x.shape, perm, moved);
      values = moved;
      dims = [sizeOf(outShape), reduced, 1];
    }
    return output(backend, finalShape, (out) => addon.reduce(REDUCE_OPS[name], values, dims, out));
  });
}

// ---- batch norm ----

/** FusedBatchNorm: parameters of one element or all of one length (per channel, or x's whole shape). */
/**
 * FusedBatchNorm, and with `relu` the fused inference batch norm + ReLU (the same arithmetic, then max(0, y) in the
 * same pass; there the CPU backend has no kernel to fall back to, so its inputs are checked here).
 */
function batchNormKernel(addon: MovementAddon, relu = false): KernelConfig {
  const name = relu ? BATCH_NORM_RELU_INFERENCE : 'FusedBatchNorm';
  return nativeKernel(name, (args, backend) => {
    const x = input(name, args.inputs, 'x');
    const mean = input(name, args.inputs, 'mean');
    const variance = input(name, args.inputs, 'variance');
    const { offset, scale } = args.inputs;
    const params = [mean, variance, offset, scale].filter(
      (t): t is TensorInfo => t !== undefined && t !== null,
    );
    const lengths = params.map((t) => sizeOf(t.shape));
    const period = Math.max(...lengths);
    const usable =
      allFloat32(x, mean, variance, offset, scale) &&
      sizeOf(x.shape) > 0 &&
      params.every((t) => t.shape.length === mean.shape.length) &&
      lengths.every((n) => n === 1 || n === period) &&
      !lengths.includes(0);
    if (!usable) {
      // The CPU kernel checks ranks (and throws); let it. The fused kernel has none behind it.
      if (!relu) return undefined;
      throw new Error(
        `${name}: x must be non-empty float32 and mean, variance, offset, scale float32 of one rank with 1 or ` +
          `the same number of elements; got x [${x.shape}] ${x.dtype}, ` +
          params.map((t) => `[${t.shape}] ${t.dtype}`).join(', '),
      );
    }
    const epsilon = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
    const opt = (t: TensorInfo | undefined | null): Float32Array | null =>
      t === undefined || t === null ? null : f32(backend, t);
    return output(backend, [...x.shape], (out) =>
      addon.batchNorm(
        f32(backend, x),
        f32(backend, mean),
        f32(backend, variance),
        opt(offset),
        opt(scale),
        epsilon,
        out,
        relu ? 1 : 0,
      ),
    );
  });
}

// ---- slicing, joining, padding ----

function sliceKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('Slice', (args, backend) => {
    const x = input('Slice', args.inputs, 'x');
    if (!allFloat32(x)) return undefined;
    const attrs = args.attrs ?? {};
    const [begin, sizes] = slice_util.parseSliceParams(
      x,
      attrs.begin as number | number[],
      attrs.size as number | number[] | undefined,
    );
    slice_util.assertParamsValid(x, begin, sizes);
    // A contiguous slice is a view on the CPU backend: nothing to speed up.
    if (sizeOf(sizes) === 0 || slice_util.isSliceContinous(x.shape, begin, sizes)) return undefined;
    return output(backend, sizes, (out) => addon.slice(f32(backend, x), x.shape, begin, sizes, out));
  });
}

/** SplitV (also tf.split): one pass over x writing every part. Splits of the outermost axis are views on the CPU. */
function splitKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('SplitV', (args, backend) => {
    const x = input('SplitV', args.inputs, 'x');
    const attrs = args.attrs ?? {};
    if (!allFloat32(x) || sizeOf(x.shape) === 0) return undefined;
    const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const mids = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits as number | number[], axis);
    const outer = sizeOf(x.shape.slice(0, axis));
    if (outer === 1) return undefined;
    const inner = sizeOf(x.shape.slice(axis + 1));
    const shapes = mids.map((m) => x.shape.map((d, i) => (i === axis ? m : d)));
    return outputs(backend, shapes, (parts) => addon.split(f32(backend, x), mids, outer, inner, parts));
  });
}

function concatKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('Concat', (args, backend) => {
    const tensors = Object.values(args.inputs) as TensorInfo[];
    if (tensors.length === 0 || !allFloat32(...tensors)) return undefined;
    const axis = util.parseAxisParam(args.attrs?.axis as number, tensors[0].shape)[0];
    const shapes = tensors.map((t) => t.shape);
    backend_util.assertParamsConsistent(shapes, axis);
    const outShape = backend_util.computeOutShape(shapes, axis);
    // Empty outputs and a single non-empty input (identity, no copy) stay with the CPU kernel.
    const parts = tensors.filter((t) => sizeOf(t.shape) > 0);
    if (sizeOf(outShape) === 0 || parts.length < 2) return undefined;
    const mids = parts.map((t) => t.shape[axis]);
    const outer = sizeOf(outShape.slice(0, axis));
    const inner = sizeOf(outShape.slice(axis + 1));
    return output(backend, outShape, (out) =>
      addon.concat(
        parts.map((t) => f32(backend, t)),
        mids,
        outer,
        inner,
        out,
      ),
    );
  });
}

function padKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('PadV2', (args, backend) => {
    const x = input('PadV2', args.inputs, 'x');
    const attrs = args.attrs ?? {};
    const paddings = attrs.paddings as [number, number][];
    if (!allFloat32(x) || sizeOf(x.shape) === 0 || paddings.flat().some((p) => p < 0)) return undefined;
    const before = paddings.map((p) => p[0]);
    const outShape = paddings.map((p, i) => p[0] + x.shape[i] + p[1]);
    // tfjs fills only when constantValue !== 0, so -0 pads with +0.
    const value = attrs.constantValue === 0 ? 0 : (attrs.constantValue as number);
    return output(backend, outShape, (out) =>
      addon.pad(f32(backend, x), x.shape, before, outShape, value, out),
    );
  });
}

function transposeKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('Transpose', (args, backend) => {
    const x = input('Transpose', args.inputs, 'x');
    if (!allFloat32(x) || sizeOf(x.shape) === 0) return undefined;
    const perm = args.attrs?.perm as number[];
    const outShape = perm.map((p) => x.shape[p]);
    return output(backend, outShape, (out) => addon.transpose(f32(backend, x), x.shape, perm, out));
  });
}

function tileKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('Tile', (args, backend) => {
    const x = input('Tile', args.inputs, 'x');
    const reps = args.attrs?.reps as number[];
    if (!allFloat32(x) || sizeOf(x.shape) === 0 || reps.length !== x.shape.length) return undefined;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    if (sizeOf(outShape) === 0) return undefined;
    return output(backend, outShape, (out) => addon.tile(f32(backend, x), x.shape, reps, out));
  });
}

// ---- pooling ----

function poolInfo(x: TensorInfo, attrs: NamedAttrMap): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize as [number, number] | number,
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

function poolDims(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

function maxPoolKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('MaxPool', (args, backend) => {
    const x = input('MaxPool', args.inputs, 'x');
    if (!allFloat32(x) || sizeOf(x.shape) === 0) return undefined;
    const info = poolInfo(x, args.attrs ?? {});
    // A 1x1 pool keeping the shape is an identity (a shared buffer) on the CPU.
    if (info.filterHeight === 1 && info.filterWidth === 1 && util.arraysEqual(info.inShape, info.outShape))
      return undefined;
    if (sizeOf(info.outShape) === 0) return undefined;
    return output(backend, info.outShape, (y) => addon.maxPool(f32(backend, x), poolDims(info), y));
  });
}

function maxPoolGradKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('MaxPoolGrad', (args, backend) => {
    const dy = input('MaxPoolGrad', args.inputs, 'dy');
    const x = input('MaxPoolGrad', args.inputs, 'input');
    if (!allFloat32(dy, x) || sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return undefined;
    const info = poolInfo(x, args.attrs ?? {});
    return output(backend, [...x.shape], (dx) =>
      addon.maxPoolGrad(f32(backend, x), f32(backend, dy), poolDims(info), dx),
    );
  });
}

// ---- nearest-neighbour resize ----

/** The input row (or column) each output one copies, by tfjs's CPU formula (same double arithmetic). */
function nearestSourceIndices(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const ratio =
    (alignCorners && outSize > 1 ? inSize - 1 : inSize) /
    (alignCorners && outSize > 1 ? outSize - 1 : outSize);
  const out = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    let src = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixelCenters) src = Math.max(0, src);
    out[i] = src;
  }
  return out;
}

/**
 * For each x row (or column), the dy rows whose forward source it is, in tfjs's gradient order: tfjs searches only
 * a window around r / scale and ignores halfPixelCenters, and so does this map.
 */
function nearestGradMap(
  xSize: number,
  ySize: number,
  alignCorners: boolean,
): { start: Int32Array; idx: Int32Array } {
  const scale =
    (alignCorners && ySize > 1 ? xSize - 1 : xSize) / (alignCorners && ySize > 1 ? ySize - 1 : ySize);
  const invScale = 1 / scale;
  const win = Math.ceil(invScale) * 2 + 2;
  const start = new Int32Array(xSize + 1);
  const idx: number[] = [];
  for (let r = 0; r < xSize; r++) {
    const first = Math.floor(Math.floor(r * invScale) - win / 2);
    for (let k = 0; k < win; k++) {
      const y = first + k;
      if (y < 0 || y >= ySize) continue;
      const frac = y * scale;
      const src = Math.min(xSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
      if (src === r) idx.push(y);
    }
    start[r + 1] = idx.length;
  }
  return { start, idx: Int32Array.from(idx) };
}

function resizeKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('ResizeNearestNeighbor', (args, backend) => {
    const images = input('ResizeNearestNeighbor', args.inputs, 'images');
    const attrs = args.attrs ?? {};
    const [newHeight, newWidth] = attrs.size as [number, number];
    if (!allFloat32(images) || sizeOf(images.shape) === 0 || newHeight * newWidth === 0) return undefined;
    const [batch, height, width, channels] = images.shape;
    const align = attrs.alignCorners === true;
    const half = attrs.halfPixelCenters === true;
    const rows = nearestSourceIndices(height, newHeight, align, half);
    const cols = nearestSourceIndices(width, newWidth, align, half);
    return output(backend, [batch, newHeight, newWidth, channels], (y) =>
      addon.resizeNearest(f32(backend, images), [...images.shape], rows, cols, y),
    );
  });
}

function resizeGradKernel(addon: MovementAddon): KernelConfig {
  return nativeKernel('ResizeNearestNeighborGrad', (args, backend) => {
    const images = input('ResizeNearestNeighborGrad', args.inputs, 'images');
    const dy = input('ResizeNearestNeighborGrad', args.inputs, 'dy');
    if (!allFloat32(images, dy) || sizeOf(images.shape) === 0 || sizeOf(dy.shape) === 0) return undefined;
    const align = args.attrs?.alignCorners === true;
    const [, height, width] = images.shape;
    const rows = nearestGradMap(height, dy.shape[1], align);
    const cols = nearestGradMap(width, dy.shape[2], align);
    return output(backend, [...images.shape], (dx) =>
      addon.resizeNearestGrad(
        f32(backend, dy),
        [...dy.shape],
        rows.start,
        rows.idx,
        cols.start,
        cols.idx,
        dx,
      ),
    );
  });
}

/** The movement kernels, in place of the CPU backend's. */
export function movementKernels(addon: MovementAddon): KernelConfig[] {
  return [
    reduceKernel(addon, 'Sum', 'axis'),
    reduceKernel(addon, 'Mean', 'axis'),
    reduceKernel(addon, 'Max', 'reductionIndices'),
    reduceKernel(addon, 'Min', 'axis'),
    batchNormKernel(addon),
    batchNormKernel(addon, true),
    sliceKernel(addon),
    splitKernel(addon),
    concatKernel(addon),
    padKernel(addon),
    transposeKernel(addon),
    tileKernel(addon),
    maxPoolKernel(addon),
    maxPoolGradKernel(addon),
    resizeKernel(addon),
    resizeGradKernel(addon),
  ];
}
