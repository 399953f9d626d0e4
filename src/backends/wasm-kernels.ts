/**
 * Training kernels for tfjs-backend-wasm, composed from the backend's own fast kernels (XNNPACK Conv2D and
 * fully-connected BatchMatMul, plus its copy kernels). tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter or DepthwiseConv2dNativeBackpropInput, so a convnet cannot train there, and its
 * Conv2DBackpropInput is a naive loop. Importing this module registers nothing; call
 * {@link registerWasmTrainingKernels} (useBackend('wasm') does).
 */
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

const WASM = 'wasm';

/** Runs a kernel of the wasm backend on TensorInfos, inside a kernel (no tensors, no engine bookkeeping). */
function run(
  backend: KernelBackend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(name, WASM);
  if (kernel === undefined) throw new Error(`wasm training kernels: the wasm backend has no ${name} kernel`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`wasm training kernels: ${name} returned several outputs`);
  return out;
}

/**
 * Collects the intermediate TensorInfos of one kernel so that each is disposed exactly once, even when a step
 * throws.
 */
class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(readonly backend: KernelBackend) {}

  /** Takes ownership of a TensorInfo made outside {@link op} (freed with the rest). */
  own(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }

  /** Runs a kernel and keeps its output for disposal. */
  op(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const out = run(this.backend, name, inputs, attrs);
    this.infos.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.op('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.op('Transpose', { x }, { perm });
  }

  /** Zero padding; a no-op view when every amount is 0. */
  pad(x: TensorInfo, paddings: [number, number][]): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.op('PadV2', { x }, { paddings, constantValue: 0 });
  }

  stridedSlice(x: TensorInfo, begin: number[], end: number[], strides: number[]): TensorInfo {
    return this.op(
      'StridedSlice',
      { x },
      { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  /** Disposes one intermediate early (views made from it keep their own reference). */
  release(info: TensorInfo): void {
    const i = this.infos.indexOf(info);
    if (i >= 0) {
      this.infos.splice(i, 1);
      this.backend.disposeData(info.dataId);
    }
  }

  /** Keeps `info` alive past {@link dispose} (the kernel's result). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.infos.indexOf(info);
    if (i >= 0) this.infos.splice(i, 1);
    return info;
  }

  dispose(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
    this.infos.length = 0;
  }
}

/** Runs `body` with a scratch space; everything but the returned TensorInfo is disposed. */
function withScratch(backend: unknown, body: (s: Scratch) => TensorInfo): TensorInfo {
  const s = new Scratch(backend as KernelBackend);
  try {
    return s.keep(body(s));
  } finally {
    s.dispose();
  }
}

type ConvInfo = backend_util.Conv2DInfo;

/** NCHW <-> NHWC: the wasm Conv2D works in NHWC only, so channels-first inputs are transposed around it. */
const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/**
 * Zero-inserts `dy` ([N, Ho, Wo, C]) by the stride: [N, Ho*sh, Wo*sw, C] with dy[n, y, x] at (y*sh, x*sw) and zeros
 * elsewhere (the trailing sh-1 rows and sw-1 columns are zeros too; callers crop or pad around them).
 */
function zeroInsert(s: Scratch, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, ho, wo, c] = dy.shape;
  const six = s.reshape(dy, [n, ho, 1, wo, 1, c]);
  const padded = s.pad(six, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return s.reshape(padded, [n, ho * sh, wo * sw, c]);
}

/**
 * Input gradient of a (depthwise or ordinary) convolution as a stride-1 convolution of the zero-inserted `dy` with
 * the spatially flipped filter; returns null when the padding makes that form impossible (padding larger than the
 * filter), so the caller can fall back.
 *
 * dx[n, i, j, :] = sum over kh, kw of dyZ[n, i + kh - pt', j + kw - pl', :] * flip(W)[kh, kw], pt' = KH-1-padTop
 * (dilation d: the filter taps are d apart, pt' = (KH-1)*d - padTop).
 */
function inputGradientPaddings(
  info: ConvInfo,
  zeroInsertedHeight: number,
  zeroInsertedWidth: number,
): { crop: [number, number]; pads: [[number, number], [number, number]] } | null {
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const top = effH - 1 - info.padInfo.top;
  const left = effW - 1 - info.padInfo.left;
  if (top < 0 || left < 0) return null;
  // Output size of a stride-1 conv: in + top + bottom - effH + 1 must equal the input height.
  let bottom = info.inHeight - zeroInsertedHeight + effH - 1 - top;
  let right = info.inWidth - zeroInsertedWidth + effW - 1 - left;
  // A negative amount crops trailing zero rows/columns of the zero-inserted dy.
  let cropH = 0;
  let cropW = 0;
  if (bottom < 0) {
    cropH = -bottom;
    bottom = 0;
  }
  if (right < 0) {
    cropW = -right;
    right = 0;
  }
  if (cropH > info.strideHeight - 1 || cropW > info.strideWidth - 1) return null;
  return {
    crop: [cropH, cropW],
    pads: [
      [top, bottom],
      [left, right],
    ],
  };
}

function cropTrailing(s: Scratch, x: TensorInfo, cropH: number, cropW: number): TensorInfo {
  if (cropH === 0 && cropW === 0) return x;
  const [n, h, w, c] = x.shape;
  return s.stridedSlice(x, [0, 0, 0, 0], [n, h - cropH, w - cropW, c], [1, 1, 1, 1]);
}

// ---------------------------------------------------------------------------------------------------------------
// Conv2DBackpropFilter

/** The parts of tfjs-backend-wasm's BackendWasm used to read and write tensors on the wasm heap directly. */
interface WasmHeapAccess {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/** Cap on the floats of one im2col chunk of the filter gradient (8 MiB): chunks keep the GEMM short (XNNPACK does not block K). */
const IM2COL_CHUNK_FLOATS = 1 << 21;
/** Output positions per chunk of the filter gradient (the GEMM's K), within the float budget above. */
const IM2COL_CHUNK_POSITIONS = 4096;

/**
 * dW[kh, kw, ci, co] = sum over n, y, x of xpad[n, y*s + kh, x*s + kw, ci] * dy[n, y, x, co].
 *
 * The reduction runs over all N*Ho*Wo output positions, far too long for one XNNPACK GEMM (it would stream whole
 * operand rows from memory), so positions are cut into chunks of whole output rows of one image. Per chunk of K
 * positions: an im2col block [K, KH*KW*Ci] is copied straight on the wasm heap (padding written as zeros; the
 * backend's Slice/StridedSlice copy their whole input on every call, too slow here), dy's rows are transposed to
 * [Co, K], and XNNPACK's fully-connected GEMM gives dW^T [Co, KH*KW*Ci]; chunks are summed with AddN.
 */
function conv2DBackpropFilterNHWC(s: Scratch, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  const heap = s.backend as unknown as WasmHeapAccess;
  const cols = kh * kw * ci;
  const positions = Math.min(IM2COL_CHUNK_POSITIONS, Math.floor(IM2COL_CHUNK_FLOATS / cols));
  const rowsPerChunk = Math.max(1, Math.min(ho, Math.floor(positions / wo)));
  const partial: TensorInfo[] = [];
  // The GEMM streams its left operand once and re-reads the packed right one per row block: the larger of
  // KH*KW*Ci and Co goes on the left.
  const tallIm2col = cols >= co;
  for (let b = 0; b < n; b++) {
    for (let y0 = 0; y0 < ho; y0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, ho - y0);
      const k = rows * wo;
      const g: Im2colChunk = { b, y0, rows, wo, h, w, ci, kh, kw, sh, sw, dh, dw, top, left };
      const base = (b * ho + y0) * wo * co; // dy rows y0..y0+rows of image b are contiguous
      if (tallIm2col) {
        // dW [KH*KW*Ci, Co] = col^T [KH*KW*Ci, K] x dy_chunk [K, Co]: the small dy chunk is the packed operand.
        const colT = s.own(heap.makeOutput([1, cols, k], 'float32'));
        const dyChunk = s.own(heap.makeOutput([1, k, co], 'float32'));
        // Views are taken after the allocations: an allocation may grow (and move) the wasm heap.
        fillIm2colTransposed(heap.typedArrayFromHeap(colT), heap.typedArrayFromHeap(x), g);
        heap.typedArrayFromHeap(dyChunk).set(heap.typedArrayFromHeap(dy).subarray(base, base + k * co));
        partial.push(s.op('BatchMatMul', { a: colT, b: dyChunk }, { transposeA: false, transposeB: false }));
        s.release(colT);
        s.release(dyChunk);
      } else {
        // dW^T [Co, KH*KW*Ci] = dy_chunk^T [Co, K] x col [K, KH*KW*Ci].
        const col = s.own(heap.makeOutput([1, k, cols], 'float32'));
        const dyChunk = s.own(heap.makeOutput([1, k, co], 'float32'));
        fillIm2col(heap.typedArrayFromHeap(col), heap.typedArrayFromHeap(x), g);
        heap.typedArrayFromHeap(dyChunk).set(heap.typedArrayFromHeap(dy).subarray(base, base + k * co));
        const dyT = s.transpose(dyChunk, [0, 2, 1]);
        s.release(dyChunk);
        partial.push(s.op('BatchMatMul', { a: dyT, b: col }, { transposeA: false, transposeB: false }));
        // The GEMM has packed its own copy of the im2col block: free both now to keep memory flat.
        s.release(col);
        s.release(dyT);
      }
    }
  }
  const sum = partial.length === 1 ? partial[0] : s.op('AddN', partial as unknown as NamedTensorInfoMap);
  if (tallIm2col) return s.reshape(sum, [kh, kw, ci, co]);
  // [Co, KH*KW*Ci] -> [KH, KW, Ci, Co]
  return s.transpose(s.reshape(sum, [co, kh, kw, ci]), [1, 2, 3, 0]);
}

interface Im2colChunk {
  b: number;
  y0: number;
  rows: number;
  wo: number;
  h: number;
  w: number;
  ci: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

/** out[(i*kw + j)*ci + c, (y - y0)*wo + x] = x[b, y*sh + i*dh - top, x*sw + j*dw - left, c] (0 outside). */
function fillIm2colTransposed(out: Float32Array, xv: Float32Array, g: Im2colChunk): void {
  const k = g.rows * g.wo;
  const imageBase = g.b * g.h * g.w * g.ci;
  const { ci, wo, w, sw, left } = g;
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      const colShift = j * g.dw - left;
      // Output columns whose source column is inside the image: xx in [xFirst, xEnd).
      const xFirst = Math.min(wo, Math.max(0, Math.ceil(-colShift / sw)));
      const xEnd = Math.max(xFirst, Math.min(wo, Math.floor((w - 1 - colShift) / sw) + 1));
      for (let c = 0; c < ci; c++) {
        const rowOut = ((i * g.kw + j) * ci + c) * k;
        for (let yy = 0; yy < g.rows; yy++) {
          const r = (g.y0 + yy) * g.sh + i * g.dh - g.top;
          const o = rowOut + yy * wo;
          if (r < 0 || r >= g.h) {
            out.fill(0, o, o + wo);
            continue;
          }
          if (xFirst > 0) out.fill(0, o, o + xFirst);
          if (xEnd < wo) out.fill(0, o + xEnd, o + wo);
          let src = imageBase + (r * w + xFirst * sw + colShift) * ci + c;
          const step = sw * ci;
          for (let xx = xFirst; xx < xEnd; xx++, src += step) out[o + xx] = xv[src];
        }
      }
    }
  }
}

/** out[(y - y0)*wo + x, (i*kw + j)*ci + c] = x[b, y*sh + i*dh - top, x*sw + j*dw - left, c] (0 outside). */
function fillIm2col(out: Float32Array, xv: Float32Array, g: Im2colChunk): void {
  const cols = g.kh * g.kw * g.ci;
  const imageBase = g.b * g.h * g.w * g.ci;
  let o = 0;
  for (let yy = 0; yy < g.rows; yy++) {
    const y = g.y0 + yy;
    for (let xx = 0; xx < g.wo; xx++) {
      const cFirst = xx * g.sw - g.left;
      // With adjacent taps (dilation 1) fully inside the row, a filter row is one contiguous run of kw*ci floats.
      const wholeRow = g.dw === 1 && cFirst >= 0 && cFirst + g.kw <= g.w;
      for (let i = 0; i < g.kh; i++) {
        const r = y * g.sh + i * g.dh - g.top;
        if (r < 0 || r >= g.h) {
          out.fill(0, o, o + g.kw * g.ci);
          o += g.kw * g.ci;
          continue;
        }
        const rowBase = imageBase + r * g.w * g.ci;
        if (wholeRow) {
          const src = rowBase + cFirst * g.ci;
          out.set(xv.subarray(src, src + g.kw * g.ci), o);
          o += g.kw * g.ci;
          continue;
        }
        for (let j = 0; j < g.kw; j++) {
          const c0 = cFirst + j * g.dw;
          if (c0 < 0 || c0 >= g.w) {
            out.fill(0, o, o + g.ci);
          } else {
            const src = rowBase + c0 * g.ci;
            if (g.ci >= 8) out.set(xv.subarray(src, src + g.ci), o);
            else for (let c = 0; c < g.ci; c++) out[o + c] = xv[src + c];
          }
          o += g.ci;
        }
      }
    }
  }
  if (o !== g.rows * g.wo * cols) throw new Error('im2col: internal size mismatch');
}

type Shape4 = [number, number, number, number];

/** The attributes of tfjs's convolution gradient kernels (Conv2D and depthwise, filter and input gradients). */
interface ConvGradientAttrs {
  strides: [number, number] | number;
  /** Depthwise kernels only: Conv2D's gradients have no dilation. */
  dilations?: [number, number] | number;
  pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
  /** Conv2D kernels only: the depthwise ones are NHWC. */
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** The filter gradients' output shape. */
  filterShape?: Shape4;
  /** The input gradients' output shape. */
  inputShape?: Shape4;
}

/**
 * The geometry of a convolution gradient kernel. The forward input's shape is input `x`'s (filter gradients) or the
 * `inputShape` attribute (input gradients); the filter's is input `filter`'s (input gradients) or the `filterShape`
 * attribute (filter gradients). `info.dataFormat` tells NCHW from NHWC.
 */
function gradientGeometry(
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap | undefined,
  depthwise: boolean,
): { info: ConvInfo; filterShape: Shape4 } {
  const a = attrs as unknown as ConvGradientAttrs;
  const filterShape = (inputs.filter?.shape ?? a.filterShape) as Shape4;
  const info = backend_util.computeConv2DInfo(
    (inputs.x?.shape ?? a.inputShape) as Shape4,
    filterShape,
    a.strides,
    depthwise ? (a.dilations ?? 1) : 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
    backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC'),
  );
  return { info, filterShape };
}

/** An activation of a kernel in its data format, as NHWC (itself when it is NHWC already). */
function toNhwc(s: Scratch, t: TensorInfo, info: ConvInfo): TensorInfo {
  return info.dataFormat === 'channelsLast' ? t : s.transpose(t, TO_NHWC);
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { info } = gradientGeometry(inputs, attrs, false);
  return withScratch(backend, (s) =>
    conv2DBackpropFilterNHWC(s, toNhwc(s, x, info), toNhwc(s, dy, info), info),
  );
};

// ---------------------------------------------------------------------------------------------------------------
// Conv2DBackpropInput

let originalBackpropInput: KernelConfig | undefined;

/** tfjs-backend-wasm's own Conv2DBackpropInput (replaced by registration), for benchmarks; undefined before. */
export function originalWasmConv2DBackpropInput(): KernelConfig | undefined {
  return originalBackpropInput;
}

/** Input channels up to which dx goes through GEMM + col2im: a conv with so few output channels wastes XNNPACK. */
const COL2IM_MAX_CHANNELS = 4;

/**
 * dx for few input channels (a network's stem, e.g. 7x7 stride 2 from 1 channel): col = dy [N*Ho*Wo, Co] x
 * W^T [Co, KH*KW*Ci] on XNNPACK's GEMM, then col2im scatter-adds each row into dx on the wasm heap.
 */
function conv2DBackpropInputCol2im(
  s: Scratch,
  dy: TensorInfo,
  filter: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    inHeight: h,
    inWidth: w,
  } = info;
  const { top, left } = info.padInfo;
  const heap = s.backend as unknown as WasmHeapAccess;
  const cols = kh * kw * ci;
  const wT = s.transpose(s.reshape(filter, [cols, co]), [1, 0]);
  const col = s.op(
    'BatchMatMul',
    { a: s.reshape(dy, [1, n * ho * wo, co]), b: s.reshape(wT, [1, co, cols]) },
    { transposeA: false, transposeB: false },
  );
  const dx = s.own(heap.makeOutput([n, h, w, ci], 'float32'));
  const out = heap.typedArrayFromHeap(dx);
  const cv = heap.typedArrayFromHeap(col);
  out.fill(0);
  let p = 0;
  for (let b = 0; b < n; b++) {
    const imageBase = b * h * w * ci;
    for (let y = 0; y < ho; y++) {
      for (let x = 0; x < wo; x++, p++) {
        let o = p * cols;
        for (let i = 0; i < kh; i++) {
          const r = y * sh + i - top;
          if (r < 0 || r >= h) {
            o += kw * ci;
            continue;
          }
          const rowBase = imageBase + r * w * ci;
          for (let j = 0; j < kw; j++, o += ci) {
            const c0 = x * sw + j - left;
            if (c0 < 0 || c0 >= w) continue;
            const d = rowBase + c0 * ci;
            for (let c = 0; c < ci; c++) out[d + c] += cv[o + c];
          }
        }
      }
    }
  }
  return dx;
}

/**
 * dx: for stride 1, Conv2D(dy, flipped filter with in/out swapped) on XNNPACK (zero insertion is then a no-op);
 * for strided convs, few input channels, or padding larger than the filter, GEMM + col2im.
 */
function conv2DBackpropInputNHWC(s: Scratch, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  // Strided convs too: a conv on zero-inserted dy would spend (1 - 1/stride^2) of its work on zeros, while their
  // col2im is cheap (the output is the small, downsampled side).
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  if (info.inChannels <= COL2IM_MAX_CHANNELS || strided)
    return conv2DBackpropInputCol2im(s, dy, filter, info);
  const dyZ = zeroInsert(s, dy, info.strideHeight, info.strideWidth);
  const geometry = inputGradientPaddings(info, dyZ.shape[1], dyZ.shape[2]);
  if (geometry === null) return conv2DBackpropInputCol2im(s, dy, filter, info);
  const dyC = cropTrailing(s, dyZ, geometry.crop[0], geometry.crop[1]);
  const flipped = s.op('Reverse', { x: filter }, { dims: [0, 1] });
  const w = s.transpose(flipped, [0, 1, 3, 2]);
  return s.op('Conv2D', { x: dyC, filter: w }, {
    strides: [1, 1],
    pad: [[0, 0], ...geometry.pads, [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
}

const conv2DBackpropInput: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { info } = gradientGeometry(inputs, attrs, false);
  return withScratch(backend, (s) => {
    const dx = conv2DBackpropInputNHWC(s, toNhwc(s, dy, info), filter, info);
    return info.dataFormat === 'channelsLast' ? dx : s.transpose(dx, TO_NCHW);
  });
};

function withScratchOrNull(backend: unknown, body: (s: Scratch) => TensorInfo | null): TensorInfo | null {
  const s = new Scratch(backend as KernelBackend);
  try {
    const out = body(s);
    return out === null ? null : s.keep(out);
  } finally {
    s.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Depthwise convolution gradients

/**
 * dW[kh, kw, c, m] = sum over n, y, x of xpad[n, y*s + kh*d, x*s + kw*d, c] * dy[n, y, x, c*M + m]: per tap, a
 * strided slice of x times dy (broadcast over the multiplier M), summed over the N*Ho*Wo positions.
 */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { info, filterShape } = gradientGeometry(inputs, attrs, true);
  const [kh, kw, c, m] = filterShape;
  const { batchSize: n, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const p = n * ho * wo;
  return withScratch(backend, (s) => {
    const needH = (kh - 1) * dh + (ho - 1) * sh + 1;
    const needW = (kw - 1) * dw + (wo - 1) * sw + 1;
    const { top, left } = info.padInfo;
    const xP = s.pad(x, [
      [0, 0],
      [top, Math.max(0, needH - top - info.inHeight)],
      [left, Math.max(0, needW - left - info.inWidth)],
      [0, 0],
    ]);
    const dy3 = s.reshape(dy, [p, c, m]);
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const r0 = i * dh;
        const c0 = j * dw;
        const slice = s.stridedSlice(
          xP,
          [0, r0, c0, 0],
          [n, r0 + (ho - 1) * sh + 1, c0 + (wo - 1) * sw + 1, c],
          [1, sh, sw, 1],
        );
        const prod = s.op('Multiply', { a: s.reshape(slice, [p, c, 1]), b: dy3 });
        taps.push(s.op('Sum', { x: prod }, { axis: [0], keepDims: true }));
      }
    }
    const stacked =
      taps.length === 1 ? taps[0] : s.op('Concat', taps as unknown as NamedTensorInfoMap, { axis: 0 });
    return s.reshape(stacked, filterShape);
  });
};

/**
 * dx = depthwise conv (multiplier 1, C*M channels) of zero-inserted dy with the flipped filter, then summed over
 * the multiplier.
 */
const depthwiseBackpropInput: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { info, filterShape } = gradientGeometry(inputs, attrs, true);
  const [kh, kw, c, m] = filterShape;
  const out = withScratchOrNull(backend, (s) => {
    const dyZ = zeroInsert(s, dy, info.strideHeight, info.strideWidth);
    const geometry = inputGradientPaddings(info, dyZ.shape[1], dyZ.shape[2]);
    if (geometry === null) return null;
    const dyC = cropTrailing(s, dyZ, geometry.crop[0], geometry.crop[1]);
    const flipped = s.op('Reverse', { x: filter }, { dims: [0, 1] });
    const w = s.reshape(flipped, [kh, kw, c * m, 1]);
    const conv = s.op('DepthwiseConv2dNative', { x: dyC, filter: w }, {
      strides: [1, 1],
      dilations: [info.dilationHeight, info.dilationWidth],
      pad: [[0, 0], ...geometry.pads, [0, 0]],
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap);
    if (m === 1) return conv;
    const [nn, h, ww] = conv.shape;
    return s.op('Sum', { x: s.reshape(conv, [nn, h, ww, c, m]) }, { axis: [4], keepDims: false });
  });
  if (out === null) {
    throw new Error(
      `wasm DepthwiseConv2dNativeBackpropInput: padding ${JSON.stringify(info.padInfo)} larger than the filter ` +
        'is not supported',
    );
  }
  return out;
};

// ---------------------------------------------------------------------------------------------------------------
// Registration

let registered = false;

function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, WASM) !== undefined) unregisterKernel(config.kernelName, WASM);
  registerKernel(config);
}

/**
 * Registers the wasm training kernels (idempotent): Conv2DBackpropFilter, a fast Conv2DBackpropInput (replacing
 * the built-in naive loop), DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput. Call it
 * after importing `@tensorflow/tfjs-backend-wasm`; `useBackend('wasm')` does both.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from 'tfjs-restoration/backends';
 * registerWasmTrainingKernels();
 * ```
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  if (getKernel('Conv2D', WASM) === undefined) {
    throw new Error(
      'registerWasmTrainingKernels: import @tensorflow/tfjs-backend-wasm first (no wasm kernels found)',
    );
  }
  originalBackpropInput = getKernel('Conv2DBackpropInput', WASM);
  replaceKernel({ kernelName: 'Conv2DBackpropFilter', backendName: WASM, kernelFunc: conv2DBackpropFilter });
  replaceKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: WASM,
    kernelFunc: conv2DBackpropInput,
    // The original kernel stays callable (benchmarks compare against it): its wasm entry point is bound in its setup.
    setupFunc: originalBackpropInput?.setupFunc,
  });
  replaceKernel({
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: WASM,
    kernelFunc: depthwiseBackpropFilter,
  });
  replaceKernel({
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: WASM,
    kernelFunc: depthwiseBackpropInput,
  });
  registered = true;
}
