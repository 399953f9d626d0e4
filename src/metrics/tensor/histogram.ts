/**
 * Hue histograms on batched tensors (tfjs-core only): an exact form that reproduces OpenCV's 8-bit hue and
 * `calcHist`, and a soft, differentiable form for losses. Inputs are NHWC RGB float32 in [0, 1]
 * (`v` stands for the 8-bit value `round(v * 255)`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { HDIV180 } from '../../image/color.js';

const HUE_BINS = 180;

/**
 * `fn(x)` computed out of sight of the gradient tape, with a zero gradient for `x`. tfjs-core registers no
 * gradient for comparisons or bincounts, and `tf.where` sends a (zero) gradient to its condition, so a
 * condition (or a hard histogram) built from a differentiated tensor would otherwise break `tf.grad`.
 * The ops inside a `customGrad` forward are not taped.
 */
function untaped(x: tf.Tensor, fn: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const { shape, dtype } = input; // no tensor reference kept for the backward pass
    return { value: fn(input), gradFunc: () => tf.zeros(shape, dtype) };
  });
  return f(x);
}

/**
 * The three channel planes `[B,H,W]` of an NHWC RGB tensor. Transposing to channels-first and unstacking is
 * several times faster on the CPU backend than `tf.split` on the last axis; all steps are differentiable.
 */
function rgbPlanes(t: tf.Tensor): tf.Tensor[] {
  const [b, h, w] = t.shape;
  return tf.unstack(tf.transpose(tf.reshape(t, [-1, 3])), 0).map((p) => tf.reshape(p, [b, h, w]));
}

function checkRgb(t: tf.Tensor, name: string, what: string): asserts t is tf.Tensor4D {
  if (t.rank !== 4 || t.shape[3] !== 3)
    throw new RangeError(`${what}: ${name} must be NHWC RGB [B,H,W,3], got shape [${t.shape.join(', ')}]`);
}

/**
 * OpenCV's 8-bit hue (0..179) of each pixel, exactly: the [0, 1] values are rounded to 8-bit integers and
 * the 12-bit fixed-point formula of `cvtColor(RGB2HSV)` runs in int32. Not differentiable. `[B,H,W,3]` ->
 * int32 `[B,H,W]`.
 *
 * ```ts
 * const hue = hueOpenCvTensor(rgb); // same values as hueOpenCv on the 8-bit image
 * ```
 */
export function hueOpenCvTensor(rgb: tf.Tensor4D): tf.Tensor3D {
  checkRgb(rgb, 'rgb', 'hueOpenCvTensor');
  return tf.tidy(() => {
    const q = tf.cast(tf.round(tf.mul(tf.clipByValue(rgb, 0, 1), 255)), 'int32');
    const [r, g, b] = rgbPlanes(q);
    const v = tf.maximum(tf.maximum(r, g), b);
    const diff = tf.sub(v, tf.minimum(tf.minimum(r, g), b));
    const isR = tf.equal(v, r);
    const isG = tf.logicalAnd(tf.logicalNot(isR), tf.equal(v, g));
    const twice = tf.mul(diff, tf.scalar(2, 'int32'));
    const num = tf.where(
      isR,
      tf.sub(g, b),
      tf.where(isG, tf.add(tf.sub(b, r), twice), tf.add(tf.sub(r, g), tf.add(twice, twice))),
    );
    const hdiv = tf.gather(tf.tensor1d(HDIV180, 'int32'), diff);
    const h = tf.floorDiv(tf.add(tf.mul(num, hdiv), tf.scalar(2048, 'int32')), tf.scalar(4096, 'int32'));
    return tf.where(
      tf.less(h, tf.scalar(0, 'int32')),
      tf.add(h, tf.scalar(HUE_BINS, 'int32')),
      h,
    ) as tf.Tensor3D;
  });
}

/**
 * Continuous hue in OpenCV's units ([0, 180), i.e. degrees / 2) of each pixel, differentiable almost
 * everywhere: `60 (g - b) / d`, `120 + 60 (b - r) / d` or `240 + 60 (r - g) / d` degrees by the largest
 * channel (ties as OpenCV: r, then g), `d = max - min`. Gray pixels (`d` < 1e-6) get hue 0 and zero gradient.
 * `[B,H,W,3]` -> `[B,H,W]`.
 */
export function hueTensor(rgb: tf.Tensor4D): tf.Tensor3D {
  checkRgb(rgb, 'rgb', 'hueTensor');
  return tf.tidy(() => {
    const [r, g, b] = rgbPlanes(rgb);
    const v = tf.maximum(tf.maximum(r, g), b);
    const d = tf.sub(v, tf.minimum(tf.minimum(r, g), b));
    // Branch selectors, invisible to the gradient tape (see untaped).
    const channels = rgbPlanes;
    const maxOf = (c: tf.Tensor[]): tf.Tensor => tf.maximum(tf.maximum(c[0], c[1]), c[2]);
    const gray = untaped(rgb, (t) => {
      const c = channels(t);
      return tf.less(tf.sub(maxOf(c), tf.minimum(tf.minimum(c[0], c[1]), c[2])), 1e-6);
    });
    const isR = untaped(rgb, (t) => {
      const c = channels(t);
      return tf.equal(maxOf(c), c[0]);
    });
    const isG = untaped(rgb, (t) => {
      const c = channels(t);
      const m = maxOf(c);
      return tf.logicalAnd(tf.notEqual(m, c[0]), tf.equal(m, c[1]));
    });
    const safe = tf.where(gray, tf.onesLike(d), d);
    const hr = tf.div(tf.sub(g, b), safe);
    const hg = tf.add(2, tf.div(tf.sub(b, r), safe));
    const hb = tf.add(4, tf.div(tf.sub(r, g), safe));
    const sextant = tf.where(isR, hr, tf.where(isG, hg, hb)); // in [-1, 5)
    const h = tf.mul(sextant, 30); // OpenCV units
    const wrapped = tf.where(
      untaped(h, (t) => tf.less(t, 0)),
      tf.add(h, HUE_BINS),
      h,
    );
    return tf.where(gray, tf.zerosLike(wrapped), wrapped) as tf.Tensor3D;
  });
}

/**
 * Sums `values` into `size` bins by `ids` (int32, same length), differentiable with respect to `values`:
 * forward with `denseBincount` (linear time on every backend, unlike `unsortedSegmentSum` on the CPU
 * backend), backward by gathering the upstream gradient at each value's bin.
 */
function segmentSum(values: tf.Tensor1D, ids: tf.Tensor1D, size: number): tf.Tensor1D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // `ids` is saved for the backward pass: a closure would see it disposed once the caller's tidy ends.
    (args[1] as tf.GradSaveFunc)([ids]);
    return {
      value: tf.denseBincount(ids, args[0] as tf.Tensor1D, size),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.gather(dy, saved[0]),
    };
  });
  return f(values) as tf.Tensor1D;
}

/** Options of {@link hueHistogramTensor}. */
export interface HueHistogramTensorOptions {
  /**
   * `'hard'` (default): OpenCV-exact counts (not differentiable). `'soft'`: each pixel spreads a unit weight
   * over nearby bins with a Gaussian kernel of `bandwidth` bins on the circular hue axis (differentiable).
   */
  mode?: 'hard' | 'soft';
  /** Soft-mode kernel sigma, in bins (= OpenCV hue units). Default 1. */
  bandwidth?: number;
  /** Divide by the L2 norm like `cv2.normalize` (default true). */
  normalize?: boolean;
}

/**
 * 180-bin hue histograms per image, `[B,H,W,3]` -> `[B,180]`. The hard form equals
 * `histogram(image, { channel: 'hue' })` of the plain API (then L2-normalized in float32). The soft form puts
 * `exp(-dist² / (2 bandwidth²))` (normalized per pixel, kernel cut at 3 bandwidths) on the bins around the
 * continuous hue (`hueTensor`), with `dist` the circular distance to the bin's hue value.
 *
 * ```ts
 * const h = hueHistogramTensor(rgb, { mode: 'soft', bandwidth: 1.5 });
 * ```
 */
export function hueHistogramTensor(rgb: tf.Tensor4D, options: HueHistogramTensorOptions = {}): tf.Tensor2D {
  checkRgb(rgb, 'rgb', 'hueHistogramTensor');
  const mode = options.mode ?? 'hard';
  if (mode !== 'hard' && mode !== 'soft')
    throw new RangeError(`hueHistogramTensor: mode must be 'hard' or 'soft', got ${String(mode)}`);
  const bandwidth = options.bandwidth ?? 1;
  if (!(bandwidth > 0)) throw new RangeError(`hueHistogramTensor: bandwidth must be > 0, got ${bandwidth}`);
  const [batch, height, width] = rgb.shape;
  const pixels = height * width;
  return tf.tidy(() => {
    let hist: tf.Tensor2D;
    if (mode === 'hard') {
      // Exact counts have no gradient: computed untaped so tf.grad of a sum including them still works.
      hist = untaped(rgb, (t) => {
        const image = tf.floorDiv(tf.range(0, batch * pixels, 1, 'int32'), tf.scalar(pixels, 'int32'));
        const hue = tf.reshape(hueOpenCvTensor(t as tf.Tensor4D), [batch * pixels]);
        const ids = tf.add(tf.mul(image, tf.scalar(HUE_BINS, 'int32')), hue) as tf.Tensor1D;
        const ones = tf.ones([batch * pixels], 'float32') as tf.Tensor1D;
        return tf.reshape(tf.denseBincount(ids, ones, batch * HUE_BINS), [batch, HUE_BINS]);
      }) as tf.Tensor2D;
    } else {
      const hue = tf.reshape(hueTensor(rgb), [batch * pixels]);
      const reach = Math.max(1, Math.ceil(3 * bandwidth));
      const base = tf.floor(hue);
      const offsets = tf.range(-reach, reach + 2, 1, 'float32'); // bins floor(h)-reach .. floor(h)+reach+1
      const binsF = tf.add(tf.expandDims(base, 1), tf.expandDims(offsets, 0)); // [P, K]
      const dist = tf.sub(tf.expandDims(hue, 1), binsF);
      const weights = tf.exp(tf.div(tf.square(dist), -2 * bandwidth * bandwidth));
      const normalized = tf.div(weights, tf.sum(weights, 1, true));
      const bins = tf.mod(
        tf.add(tf.cast(binsF, 'int32'), tf.scalar(HUE_BINS, 'int32')),
        tf.scalar(HUE_BINS, 'int32'),
      );
      const image = tf.floorDiv(tf.range(0, batch * pixels, 1, 'int32'), tf.scalar(pixels, 'int32'));
      const segments = tf.add(tf.mul(tf.expandDims(image, 1), tf.scalar(HUE_BINS, 'int32')), bins);
      const flat = segmentSum(
        tf.reshape(normalized, [-1]) as tf.Tensor1D,
        tf.reshape(segments, [-1]) as tf.Tensor1D,
        batch * HUE_BINS,
      );
      hist = tf.reshape(flat, [batch, HUE_BINS]);
    }
    if (options.normalize === false) return hist;
    const norm = tf.sqrt(tf.sum(tf.square(hist), 1, true));
    return tf.div(hist, tf.maximum(norm, 1e-12)) as tf.Tensor2D;
  });
}

/**
 * Correlation of histograms row by row, `[B,K]` x `[B,K]` -> `[B]`, the formula of `cv2.compareHist`
 * HISTCMP_CORREL: `(Σab − ΣaΣb/K) / sqrt((Σa² − (Σa)²/K)(Σb² − (Σb)²/K))`, and 1 where the denominator
 * squared is <= DBL_EPSILON (a flat histogram). Differentiable.
 */
export function histogramCorrelationTensor(h1: tf.Tensor2D, h2: tf.Tensor2D): tf.Tensor1D {
  if (h1.rank !== 2 || h1.shape.some((d, i) => d !== h2.shape[i]))
    throw new RangeError(
      `histogramCorrelationTensor: expected two [B,K] tensors of one shape, got [${h1.shape.join(', ')}] and [${h2.shape.join(', ')}]`,
    );
  const k = h1.shape[1];
  return tf.tidy(() => {
    const s1 = tf.sum(h1, 1);
    const s2 = tf.sum(h2, 1);
    const num = tf.sub(tf.sum(tf.mul(h1, h2), 1), tf.div(tf.mul(s1, s2), k));
    const d1 = tf.sub(tf.sum(tf.square(h1), 1), tf.div(tf.square(s1), k));
    const d2 = tf.sub(tf.sum(tf.square(h2), 1), tf.div(tf.square(s2), k));
    const denom2 = tf.mul(d1, d2);
    const flat = untaped(denom2, (t) => tf.lessEqual(tf.abs(t), Number.EPSILON));
    const safe = tf.where(flat, tf.onesLike(denom2), denom2);
    return tf.where(flat, tf.onesLike(num), tf.div(num, tf.sqrt(safe))) as tf.Tensor1D;
  });
}

/**
 * The competition's color term per image on tensors: correlation of the L2-normalized 180-bin hue
 * histograms of `gt` and `pred`, `[B]`. `mode: 'hard'` (default) matches the plain
 * `hueHistogramSimilarity` to float32 rounding; `'soft'` is differentiable (see {@link hueHistogramTensor}).
 *
 * ```ts
 * const c = hueHistogramSimilarityTensor(gt, pred, { mode: 'soft' });
 * ```
 */
export function hueHistogramSimilarityTensor(
  gt: tf.Tensor4D,
  pred: tf.Tensor4D,
  options: Omit<HueHistogramTensorOptions, 'normalize'> = {},
): tf.Tensor1D {
  return tf.tidy(() =>
    histogramCorrelationTensor(hueHistogramTensor(gt, options), hueHistogramTensor(pred, options)),
  );
}
