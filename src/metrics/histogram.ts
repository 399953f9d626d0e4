/**
 * Histograms and histogram comparison exactly like OpenCV 4.6's `calcHist`, `normalize` and `compareHist`
 * (including the order in which its SSE2 code sums, so results agree to the last bit). No tfjs.
 * @module
 */
import { hueOpenCv, lumaPil } from '../image/color.js';
import type { Image } from '../image/types.js';

/** Which per-pixel value a histogram counts. HSV values are OpenCV's 8-bit ones (H 0..179); gray is Pillow's. */
export type HistogramChannel = 'hue' | 'saturation' | 'value' | 'r' | 'g' | 'b' | 'gray';

export interface HistogramOptions {
  /** Default `'hue'`. */
  channel?: HistogramChannel;
  /** Number of bins. Default 180 for hue, 256 otherwise. */
  bins?: number;
  /** `[low, high)` of the binned values (as float32, like OpenCV). Default `[0, 180]` for hue, else `[0, 256]`. */
  range?: readonly [number, number];
  /**
   * `'none'` (default): raw counts, like `cv2.calcHist`. `'l2'`: divided by the Euclidean norm like
   * `cv2.normalize(h, h)` (the competition's choice). `'l1'`: divided by the sum (`NORM_L1`).
   * Normalized values are rounded to float32 the way OpenCV stores them.
   */
  normalize?: 'none' | 'l2' | 'l1';
}

/** Comparison methods, named after `cv2.HISTCMP_CORREL`, `_INTERSECT`, `_BHATTACHARYYA`, `_CHISQR`. */
export type HistogramComparison = 'correlation' | 'intersection' | 'bhattacharyya' | 'chi-square';

const CHANNELS: readonly HistogramChannel[] = ['hue', 'saturation', 'value', 'r', 'g', 'b', 'gray'];
const SDIV = new Int32Array(256);
for (let i = 1; i < 256; i++) SDIV[i] = Math.round((255 << 12) / i);

/** Reads one channel value of pixel `i` (RGB data) as an integer 0..255. */
function channelValue(data: Uint8Array, i: number, channel: HistogramChannel): number {
  const r = data[i];
  const g = data[i + 1];
  const b = data[i + 2];
  switch (channel) {
    case 'hue':
      return hueOpenCv(r, g, b);
    case 'saturation': {
      const v = Math.max(r, g, b);
      return ((v - Math.min(r, g, b)) * SDIV[v] + (1 << 11)) >> 12;
    }
    case 'value':
      return Math.max(r, g, b);
    case 'r':
      return r;
    case 'g':
      return g;
    case 'b':
      return b;
    default:
      return lumaPil(r, g, b);
  }
}

/**
 * Histogram of one channel of an 8-bit image, binned like `cv2.calcHist([img], [c], None, [bins], range)`:
 * value `v` falls in bin `floor(v * bins/(high-low) - low * bins/(high-low))` (clamped) when
 * `low <= v < high`, else it is not counted. A 1-channel image counts as gray replicated to RGB.
 * Returns float32 counts (or normalized values), like OpenCV.
 *
 * ```ts
 * const hue = histogram(photo, { channel: 'hue', normalize: 'l2' }); // 180 bins, the competition's
 * const red = histogram(photo, { channel: 'r', bins: 32 });
 * ```
 */
export function histogram(image: Image, options: HistogramOptions = {}): Float32Array {
  const channel = options.channel ?? 'hue';
  if (!CHANNELS.includes(channel))
    throw new RangeError(`histogram: channel must be one of ${CHANNELS.join(', ')}; got ${String(channel)}`);
  const bins = options.bins ?? (channel === 'hue' ? 180 : 256);
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  const [lowIn, highIn] = options.range ?? [0, channel === 'hue' ? 180 : 256];
  const low = Math.fround(lowIn);
  const high = Math.fround(highIn);
  if (!(high > low)) throw new RangeError(`histogram: range must have low < high, got [${lowIn}, ${highIn}]`);
  // OpenCV's 8-bit lookup table: a = bins/(high-low), b = -a*low, idx = floor(v*a + b), clamped.
  const a = bins / (high - low);
  const b = -a * low;
  const table = new Int32Array(256);
  for (let v = 0; v < 256; v++) {
    if (v >= low && v < high) table[v] = Math.min(Math.max(Math.floor(v * a + b), 0), bins - 1);
    else table[v] = -1;
  }
  const counts = new Float64Array(bins);
  const n = image.width * image.height;
  const data = image.data;
  if (image.channels === 1) {
    // Gray replicated to RGB: hue and saturation are 0, every other channel is the gray value.
    const zero = channel === 'hue' || channel === 'saturation';
    for (let i = 0; i < n; i++) {
      const t = table[zero ? 0 : data[i]];
      if (t >= 0) counts[t]++;
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const t = table[channelValue(data, j, channel)];
      if (t >= 0) counts[t]++;
    }
  }
  const out = Float32Array.from(counts);
  const mode = options.normalize ?? 'none';
  if (mode === 'none') return out;
  if (mode !== 'l2' && mode !== 'l1')
    throw new RangeError(`histogram: normalize must be 'none', 'l2' or 'l1', got ${String(mode)}`);
  return normalizeHistogram(out, mode);
}

/**
 * `cv2.normalize(h, h, norm_type=NORM_L2 | NORM_L1)` on a float32 histogram: the norm in double, the scale
 * `1/norm` (0 when the norm is <= DBL_EPSILON) rounded to float32, each bin `fround(h * scale)`.
 * Returns a new array.
 */
export function normalizeHistogram(hist: Float32Array, norm: 'l2' | 'l1' = 'l2'): Float32Array {
  let s = 0;
  if (norm === 'l2') {
    // OpenCV's normL2Sqr: unrolled by four, each group summed before it is added.
    let i = 0;
    for (; i <= hist.length - 4; i += 4) {
      const v0 = hist[i];
      const v1 = hist[i + 1];
      const v2 = hist[i + 2];
      const v3 = hist[i + 3];
      s += v0 * v0 + v1 * v1 + v2 * v2 + v3 * v3;
    }
    for (; i < hist.length; i++) s += hist[i] * hist[i];
    s = Math.sqrt(s);
  } else {
    for (let i = 0; i < hist.length; i++) s += Math.abs(hist[i]);
  }
  const scale = Math.fround(s > Number.EPSILON ? 1 / s : 0);
  const out = new Float32Array(hist.length);
  for (let i = 0; i < hist.length; i++) out[i] = Math.fround(hist[i] * scale);
  return out;
}

/**
 * Compares two histograms exactly like `cv2.compareHist` (OpenCV 4.6, SSE2 build) on float32 data:
 * - `'correlation'` (HISTCMP_CORREL): Pearson correlation of the bins; 1 when a histogram is flat
 *   (|denominator| <= DBL_EPSILON). 1 = identical shape.
 * - `'intersection'` (HISTCMP_INTERSECT): sum of bin-wise minima.
 * - `'bhattacharyya'` (HISTCMP_BHATTACHARYYA): `sqrt(1 - sum sqrt(h1 h2) / sqrt(sum h1 sum h2))`; 0 = identical.
 * - `'chi-square'` (HISTCMP_CHISQR): `sum (h1 - h2)^2 / h1` over bins with h1 != 0; 0 = identical.
 *
 * Inputs are rounded to float32 (OpenCV requires CV_32F). Sums run in double in OpenCV's order: four bins at
 * a time in two double lanes (even bins in one, odd in the other), lanes added at the end.
 *
 * ```ts
 * const c = compareHistograms(histogram(gt, { normalize: 'l2' }), histogram(pred, { normalize: 'l2' }), 'correlation');
 * ```
 */
export function compareHistograms(
  h1: ArrayLike<number>,
  h2: ArrayLike<number>,
  method: HistogramComparison = 'correlation',
): number {
  if (h1.length !== h2.length)
    throw new RangeError(`compareHistograms: h1 has ${h1.length} bins but h2 has ${h2.length}`);
  if (h1.length === 0) throw new RangeError(`compareHistograms: empty histograms`);
  const a = Float32Array.from(h1);
  const b = Float32Array.from(h2);
  const len = a.length;
  const simdEnd = len - (len % 4);
  switch (method) {
    case 'correlation': {
      let s1a = 0, s1b = 0, s2a = 0, s2b = 0, s11a = 0, s11b = 0, s12a = 0, s12b = 0, s22a = 0, s22b = 0; // prettier-ignore
      let j = 0;
      for (; j < simdEnd; j += 2) {
        const x0 = a[j];
        const y0 = b[j];
        const x1 = a[j + 1];
        const y1 = b[j + 1];
        s12a = x0 * y0 + s12a;
        s12b = x1 * y1 + s12b;
        s11a = x0 * x0 + s11a;
        s11b = x1 * x1 + s11b;
        s22a = y0 * y0 + s22a;
        s22b = y1 * y1 + s22b;
        s1a += x0;
        s1b += x1;
        s2a += y0;
        s2b += y1;
      }
      let s12 = s12a + s12b;
      let s11 = s11a + s11b;
      let s22 = s22a + s22b;
      let s1 = s1a + s1b;
      let s2 = s2a + s2b;
      for (; j < len; j++) {
        s12 += a[j] * b[j];
        s1 += a[j];
        s11 += a[j] * a[j];
        s2 += b[j];
        s22 += b[j] * b[j];
      }
      const scale = 1 / len;
      const num = s12 - s1 * s2 * scale;
      const denom2 = (s11 - s1 * s1 * scale) * (s22 - s2 * s2 * scale);
      return Math.abs(denom2) > Number.EPSILON ? num / Math.sqrt(denom2) : 1;
    }
    case 'intersection': {
      let ra = 0;
      let rb = 0;
      let j = 0;
      for (; j < simdEnd; j += 4) {
        ra += Math.min(a[j], b[j]) + Math.min(a[j + 2], b[j + 2]);
        rb += Math.min(a[j + 1], b[j + 1]) + Math.min(a[j + 3], b[j + 3]);
      }
      let result = ra + rb;
      for (; j < len; j++) result += Math.min(a[j], b[j]);
      return result;
    }
    case 'bhattacharyya': {
      let s1a = 0, s1b = 0, s2a = 0, s2b = 0, ra = 0, rb = 0; // prettier-ignore
      let j = 0;
      for (; j < simdEnd; j += 2) {
        s1a += a[j];
        s1b += a[j + 1];
        s2a += b[j];
        s2b += b[j + 1];
        ra += Math.sqrt(a[j] * b[j]);
        rb += Math.sqrt(a[j + 1] * b[j + 1]);
      }
      let s1 = s1a + s1b;
      let s2 = s2a + s2b;
      let result = ra + rb;
      for (; j < len; j++) {
        result += Math.sqrt(a[j] * b[j]);
        s1 += a[j];
        s2 += b[j];
      }
      s1 *= s2;
      s1 = Math.abs(s1) > 1.1920928955078125e-7 ? 1 / Math.sqrt(s1) : 1;
      return Math.sqrt(Math.max(1 - result * s1, 0));
    }
    case 'chi-square': {
      let result = 0;
      for (let j = 0; j < len; j++) {
        // OpenCV subtracts the two floats in float precision before widening to double.
        const d = Math.fround(a[j] - b[j]);
        if (Math.abs(a[j]) > Number.EPSILON) result += (d * d) / a[j];
      }
      return result;
    }
    default:
      throw new RangeError(
        `compareHistograms: method must be 'correlation', 'intersection', 'bhattacharyya' or 'chi-square', got ${String(method)}`,
      );
  }
}

/**
 * The competition's color term ("C"): hue histograms of both images (OpenCV 8-bit HSV, 180 bins over
 * [0, 180)), L2-normalized, compared by correlation. 1 = same hue distribution.
 *
 * ```ts
 * const c = hueHistogramSimilarity(gt, pred);
 * ```
 */
export function hueHistogramSimilarity(gt: Image, pred: Image): number {
  return compareHistograms(
    histogram(gt, { channel: 'hue', normalize: 'l2' }),
    histogram(pred, { channel: 'hue', normalize: 'l2' }),
    'correlation',
  );
}
