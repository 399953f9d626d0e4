/**
 * SSIM on batched tensors (tfjs-core only): differentiable forms of {@link ../ssim.ssim} and
 * {@link ../ssim.maskedSsim} for training losses and fast batched evaluation.
 *
 * Inputs are NHWC float32 in [0, 1]; a value `v` stands for the 8-bit value `v * 255`, so `uint8 / 255`
 * tensors give the plain forms' results up to float32 rounding (~1e-5; the plain forms are the bit-exact
 * reference). The data range is in the same [0, 1] units: the default 1 is the plain forms' 255.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MaskedSsimOptions, SsimOptions } from '../ssim.js';

/**
 * Options of the tensor SSIM forms: the plain forms' {@link SsimOptions}, with values in [0, 1] (a numeric
 * `dataRange` defaults to 1, i.e. 255 in 8-bit; `'prediction'` is max - min of each whole `b`). The same type under
 * the name this subpath has always exported.
 */
export type SsimTensorOptions = SsimOptions;

/**
 * Options of {@link maskedSsimTensor} (uniform window only): those of the plain {@link MaskedSsimOptions} it
 * supports; `dataRange` is a number (in [0, 1] units), `'prediction'` (default: max - min of each whole
 * prediction, as the competition) or `'region'` (max - min of its masked pixels).
 */
export type MaskedSsimTensorOptions = Pick<
  MaskedSsimOptions,
  'windowSize' | 'k1' | 'k2' | 'sampleCovariance' | 'dataRange'
>;

function check4d(t: tf.Tensor, name: string, what: string): asserts t is tf.Tensor4D {
  if (t.rank !== 4)
    throw new RangeError(`${what}: ${name} must be NHWC (rank 4), got shape [${t.shape.join(', ')}]`);
}

function checkSame(a: tf.Tensor4D, b: tf.Tensor4D, what: string): void {
  if (a.shape.some((d, i) => d !== b.shape[i]))
    throw new RangeError(`${what}: a has shape [${a.shape.join(', ')}] but b has [${b.shape.join(', ')}]`);
}

function gaussianWeights(sigma: number): number[] {
  const radius = Math.trunc(3.5 * sigma + 0.5);
  const w: number[] = [];
  for (let x = -radius; x <= radius; x++) w.push(Math.exp((-0.5 / (sigma * sigma)) * x * x));
  const sum = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / sum);
}

/** SSIM map terms from local means; shapes broadcast. `C1`, `C2` are per-image `[B,1,1,1]` or scalars. */
function ssimFromMoments(
  ux: tf.Tensor,
  uy: tf.Tensor,
  vx: tf.Tensor,
  vy: tf.Tensor,
  vxy: tf.Tensor,
  c1: tf.Tensor | number,
  c2: tf.Tensor | number,
): tf.Tensor {
  const a1 = tf.add(tf.mul(tf.mul(2, ux), uy), c1);
  const a2 = tf.add(tf.mul(2, vxy), c2);
  const b1 = tf.add(tf.add(tf.square(ux), tf.square(uy)), c1);
  const b2 = tf.add(tf.add(vx, vy), c2);
  return tf.div(tf.mul(a1, a2), tf.mul(b1, b2));
}

function constants(
  b: tf.Tensor,
  dataRange: SsimTensorOptions['dataRange'],
  k1: number,
  k2: number,
  axes: number[],
  what: string,
): [tf.Tensor | number, tf.Tensor | number] {
  if (dataRange === undefined || typeof dataRange === 'number') {
    const r = dataRange ?? 1;
    if (!Number.isFinite(r) || r < 0) throw new RangeError(`${what}: dataRange must be >= 0, got ${r}`);
    return [(k1 * r) ** 2, (k2 * r) ** 2];
  }
  if (dataRange !== 'prediction')
    throw new RangeError(`${what}: dataRange must be a number or 'prediction', got ${String(dataRange)}`);
  const r = tf.sub(tf.max(b, axes, true), tf.min(b, axes, true));
  return [tf.square(tf.mul(k1, r)), tf.square(tf.mul(k2, r))];
}

/**
 * Mean SSIM per image of two NHWC batches in [0, 1] (`a` the reference, `b` the prediction): the
 * differentiable float32 form of the plain `ssim` (same window, covariance, constants and the same border
 * left out: only windows fully inside the image count, i.e. a 'valid' filter). Returns shape `[batch]`.
 * Local variances are computed around each image's mean to limit float32 cancellation.
 *
 * ```ts
 * const s = ssimTensor(gt, pred, { dataRange: 'prediction' }); // the competition's S per image
 * const loss = tf.sub(1, tf.mean(ssimTensor(gt, pred)));
 * ```
 */
export function ssimTensor(a: tf.Tensor4D, b: tf.Tensor4D, options: SsimTensorOptions = {}): tf.Tensor1D {
  check4d(a, 'a', 'ssimTensor');
  check4d(b, 'b', 'ssimTensor');
  checkSame(a, b, 'ssimTensor');
  const gaussian = (options.window ?? 'uniform') === 'gaussian';
  const size = gaussian ? 2 * Math.trunc(3.5 * (options.sigma ?? 1.5) + 0.5) + 1 : (options.windowSize ?? 7);
  if (!Number.isInteger(size) || size < 1 || size % 2 !== 1)
    throw new RangeError(`ssimTensor: windowSize must be an odd positive integer, got ${size}`);
  const [, height, width, channels] = a.shape;
  if (height < size || width < size)
    throw new RangeError(
      `ssimTensor: images are ${width}x${height}, smaller than the ${size}x${size} window`,
    );
  const sample = options.sampleCovariance ?? !gaussian;
  const np = size * size;
  const covNorm = sample ? np / (np - 1) : 1;
  return tf.tidy(() => {
    let filter: (t: tf.Tensor4D) => tf.Tensor4D;
    if (gaussian) {
      const w = gaussianWeights(options.sigma ?? 1.5);
      const kv = tf.tile(tf.tensor4d(w, [size, 1, 1, 1]), [1, 1, channels, 1]);
      const kh = tf.tile(tf.tensor4d(w, [1, size, 1, 1]), [1, 1, channels, 1]);
      filter = (t) => tf.depthwiseConv2d(tf.depthwiseConv2d(t, kv, 1, 'valid'), kh, 1, 'valid');
    } else {
      // Separable box filter as two depthwise convolutions: much faster than avgPool on the CPU backend
      // (forward and backward), same 'valid' windows.
      const box = new Array<number>(size).fill(1 / size);
      const kv = tf.tile(tf.tensor4d(box, [size, 1, 1, 1]), [1, 1, channels, 1]);
      const kh = tf.tile(tf.tensor4d(box, [1, size, 1, 1]), [1, 1, channels, 1]);
      filter = (t) => tf.depthwiseConv2d(tf.depthwiseConv2d(t, kv, 1, 'valid'), kh, 1, 'valid');
    }
    const [c1, c2] = constants(
      b,
      options.dataRange,
      options.k1 ?? 0.01,
      options.k2 ?? 0.03,
      [1, 2, 3],
      'ssimTensor',
    );
    const ma = tf.mean(a, [1, 2], true);
    const mb = tf.mean(b, [1, 2], true);
    const x = tf.sub(a, ma) as tf.Tensor4D;
    const y = tf.sub(b, mb) as tf.Tensor4D;
    const ux0 = filter(x);
    const uy0 = filter(y);
    const vx = tf.mul(covNorm, tf.sub(filter(tf.square(x)), tf.square(ux0)));
    const vy = tf.mul(covNorm, tf.sub(filter(tf.square(y)), tf.square(uy0)));
    const vxy = tf.mul(covNorm, tf.sub(filter(tf.mul(x, y)), tf.mul(ux0, uy0)));
    const s = ssimFromMoments(tf.add(ux0, ma), tf.add(uy0, mb), vx, vy, vxy, c1, c2);
    return tf.mean(s, [1, 2, 3]) as tf.Tensor1D;
  });
}

/**
 * `tf.gather(params, indices)` of rows `[P, C]` -> `[N, C]` with a fast gradient: tfjs's own gather gradient
 * goes through `unsortedSegmentSum`, which the CPU backend runs in O(P x N); here the backward pass is one
 * weighted `denseBincount` (linear time). `indices` must be distinct (they are mask pixels).
 */
function gatherRows(params: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
  const [p, c] = params.shape;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    return {
      value: tf.gather(x, tf.tensor1d(indices, 'int32')),
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => {
          const ids = new Int32Array(indices.length * c);
          for (let i = 0, k = 0; i < indices.length; i++)
            for (let j = 0; j < c; j++) ids[k++] = indices[i] * c + j;
          const flat = tf.denseBincount(
            tf.tensor1d(ids, 'int32'),
            tf.reshape(dy, [-1]) as tf.Tensor1D,
            p * c,
          );
          return tf.reshape(flat, [p, c]);
        }),
    };
  });
  return f(params) as tf.Tensor2D;
}

/** Masks for the masked forms: a `[B,H,W,1]` / `[B,H,W]` tensor (read on the CPU) or plain 0/1 arrays. */
export type TensorMasks = tf.Tensor | readonly { readonly data: ArrayLike<number> }[];

/** Flat pixel indices where each image's mask is > 0 (computed on the CPU). */
export function maskIndices(masks: TensorMasks, batch: number, pixels: number, what: string): Int32Array[] {
  let read: (b: number) => ArrayLike<number>;
  if (masks instanceof tf.Tensor) {
    if (masks.size !== batch * pixels)
      throw new RangeError(
        `${what}: mask has shape [${masks.shape.join(', ')}], expected ${batch} x ${pixels} pixels (one channel)`,
      );
    const all = masks.dataSync();
    read = (b) => all.subarray(b * pixels, (b + 1) * pixels);
  } else {
    if (masks.length !== batch)
      throw new RangeError(`${what}: ${masks.length} masks for a batch of ${batch}`);
    read = (b) => {
      const d = masks[b].data;
      if (d.length !== pixels)
        throw new RangeError(`${what}: mask ${b} has ${d.length} pixels, expected ${pixels}`);
      return d;
    };
  }
  const out: Int32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const d = read(b);
    let n = 0;
    for (let i = 0; i < pixels; i++) if (d[i] > 0) n++;
    const idx = new Int32Array(n);
    for (let i = 0, k = 0; i < pixels; i++) if (d[i] > 0) idx[k++] = i;
    out.push(idx);
  }
  return out;
}

/**
 * The competition's masked SSIM per image on tensors: the masked pixels in row-major order as a sequence
 * (gathered with indices computed on the CPU from `masks`), a 1-D 7-sample window per channel (covariance
 * normalized by 7/6), data range `'prediction'` unless given: max - min of each WHOLE prediction image,
 * masked pixels or not, as the competition's `data_range=pred.max() - pred.min()`; `'region'` takes it over
 * the masked prediction pixels only. Differentiable with respect to `pred` (and `gt`). Returns shape `[batch]`.
 *
 * ```ts
 * const m = maskedSsimTensor(gt, pred, masks); // masks: [B,H,W,1] tensor or plain Mask[]
 * const own = maskedSsimTensor(gt, pred, masks, { dataRange: 'region' }); // range of the lost pixels only
 * ```
 * @throws RangeError when an image's mask has fewer than 7 pixels (naming the batch index).
 */
export function maskedSsimTensor(
  gt: tf.Tensor4D,
  pred: tf.Tensor4D,
  masks: TensorMasks,
  options: MaskedSsimTensorOptions = {},
): tf.Tensor1D {
  check4d(gt, 'gt', 'maskedSsimTensor');
  check4d(pred, 'pred', 'maskedSsimTensor');
  checkSame(gt, pred, 'maskedSsimTensor');
  const [batch, height, width, channels] = gt.shape;
  const size = options.windowSize ?? 7;
  if (!Number.isInteger(size) || size < 1 || size % 2 !== 1)
    throw new RangeError(`maskedSsimTensor: windowSize must be an odd positive integer, got ${size}`);
  const indices = maskIndices(masks, batch, height * width, 'maskedSsimTensor');
  indices.forEach((idx, b) => {
    if (idx.length < size)
      throw new RangeError(
        `maskedSsimTensor: mask ${b} has ${idx.length} pixel(s) > 0, fewer than the window size ${size}`,
      );
  });
  const covNorm = (options.sampleCovariance ?? true) ? size / (size - 1) : 1;
  const dataRange = options.dataRange ?? 'prediction';
  if (dataRange !== 'prediction' && dataRange !== 'region' && typeof dataRange !== 'number')
    throw new RangeError(
      `maskedSsimTensor: dataRange must be a number, 'prediction' or 'region', got ${String(dataRange)}`,
    );
  return tf.tidy(() => {
    const flatGt = tf.reshape(gt, [batch, height * width, channels]);
    const flatPred = tf.reshape(pred, [batch, height * width, channels]);
    const per: tf.Scalar[] = [];
    for (let b = 0; b < batch; b++) {
      const n = indices[b].length;
      const gx = gatherRows(
        tf.squeeze(tf.slice(flatGt, [b, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D,
        indices[b],
      );
      const gy = gatherRows(
        tf.squeeze(tf.slice(flatPred, [b, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D,
        indices[b],
      );
      // 'prediction': the whole image b (all pixels and channels); 'region': its gathered masked pixels.
      const [c1, c2] =
        dataRange === 'region'
          ? constants(gy, 'prediction', options.k1 ?? 0.01, options.k2 ?? 0.03, [0, 1], 'maskedSsimTensor')
          : constants(
              tf.slice(flatPred, [b, 0, 0], [1, -1, -1]),
              dataRange,
              options.k1 ?? 0.01,
              options.k2 ?? 0.03,
              [0, 1, 2],
              'maskedSsimTensor',
            );
      const mx = tf.mean(gx, 0, true);
      const my = tf.mean(gy, 0, true);
      const x = tf.reshape(tf.sub(gx, mx), [1, n, 1, channels]) as tf.Tensor4D;
      const y = tf.reshape(tf.sub(gy, my), [1, n, 1, channels]) as tf.Tensor4D;
      const filter = (t: tf.Tensor4D): tf.Tensor4D => tf.avgPool(t, [size, 1], 1, 'valid');
      const ux0 = filter(x);
      const uy0 = filter(y);
      const vx = tf.mul(covNorm, tf.sub(filter(tf.square(x)), tf.square(ux0)));
      const vy = tf.mul(covNorm, tf.sub(filter(tf.square(y)), tf.square(uy0)));
      const vxy = tf.mul(covNorm, tf.sub(filter(tf.mul(x, y)), tf.mul(ux0, uy0)));
      const s = ssimFromMoments(
        tf.add(ux0, tf.reshape(mx, [1, 1, 1, channels])),
        tf.add(uy0, tf.reshape(my, [1, 1, 1, channels])),
        vx,
        vy,
        vxy,
        c1,
        c2,
      );
      per.push(tf.mean(s));
    }
    return tf.stack(per) as tf.Tensor1D;
  });
}
