/**
 * Structural similarity (SSIM) on plain 8-bit images and sequences, computed in float64 exactly like
 * scikit-image 0.19's `structural_similarity` (same filters, same operation order, same NumPy summation),
 * so results match it bit for bit for the uniform window. No tfjs.
 * @module
 */
import type { Image, Mask } from '../image/types.js';
import { reflectIndex, gaussianFilter2d, gaussianKernel1d, numpyMean, uniformFilter2d } from './filters.js';

/**
 * Options of every SSIM function, plain and tensor (`ssimTensor` in `tfjs-restoration/metrics/tensor` takes the
 * same, as `SsimTensorOptions`). Values are in the images' units: 0..255 for the plain 8-bit forms, [0, 1] for the
 * tensor forms, which is all that differs (a numeric `dataRange` and its default).
 */
export interface SsimOptions {
  /**
   * `'uniform'` (default): a `windowSize` x `windowSize` box window with sample covariance, like
   * scikit-image's default. `'gaussian'`: an 11-tap Gaussian window (sigma 1.5, truncate 3.5) with population
   * covariance, like `structural_similarity(gaussian_weights=True, use_sample_covariance=False)` and
   * Wang et al. 2004.
   */
  window?: 'uniform' | 'gaussian';
  /** Side of the uniform window, odd. Default 7. Ignored for the Gaussian window. */
  windowSize?: number;
  /** Gaussian sigma. Default 1.5 (the window radius is `int(3.5 * sigma + 0.5)`). */
  sigma?: number;
  /**
   * The dynamic range `L` in `C1 = (K1 L)^2, C2 = (K2 L)^2`: a number, or `'prediction'` for
   * `max(b) - min(b)` over the whole second argument, all pixels and channels (the competition's choice,
   * `pred.max() - pred.min()`). Default 255 for the plain forms, 1 for the tensor forms.
   * A prediction with a single value gives `L = 0`, so `C1 = C2 = 0`: see {@link ssim} for what happens then.
   */
  dataRange?: number | 'prediction';
  /** Normalize covariances by N-1 instead of N. Default: true for `'uniform'`, false for `'gaussian'`. */
  sampleCovariance?: boolean;
  /** Default 0.01. */
  k1?: number;
  /** Default 0.03. */
  k2?: number;
}

/**
 * Options of the masked forms ({@link maskedSsim}, {@link regionSsim}): those of {@link SsimOptions}, and
 * `dataRange: 'region'` for `max - min` of the prediction over the masked pixels only (all channels).
 * `'prediction'` stays the whole prediction's range, masked pixels or not, as the competition computes it.
 */
export interface MaskedSsimOptions extends Omit<SsimOptions, 'dataRange'> {
  /** A number, `'prediction'` (the whole prediction's `max - min`) or `'region'` (the masked pixels'). */
  dataRange?: number | 'prediction' | 'region';
}

interface ResolvedOptions {
  gaussian: boolean;
  size: number;
  weights: Float64Array | null;
  sampleCovariance: boolean;
  k1: number;
  k2: number;
}

function resolve(options: Omit<SsimOptions, 'dataRange'>, what: string): ResolvedOptions {
  const gaussian = (options.window ?? 'uniform') === 'gaussian';
  if (options.window !== undefined && options.window !== 'uniform' && options.window !== 'gaussian')
    throw new RangeError(`${what}: window must be 'uniform' or 'gaussian', got ${String(options.window)}`);
  let size = options.windowSize ?? 7;
  let weights: Float64Array | null = null;
  if (gaussian) {
    const sigma = options.sigma ?? 1.5;
    if (!(sigma > 0)) throw new RangeError(`${what}: sigma must be positive, got ${sigma}`);
    const radius = Math.trunc(3.5 * sigma + 0.5);
    size = 2 * radius + 1;
    weights = gaussianKernel1d(sigma, radius);
  } else if (!Number.isInteger(size) || size < 1 || size % 2 !== 1) {
    throw new RangeError(`${what}: windowSize must be an odd positive integer, got ${size}`);
  }
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  if (!(k1 >= 0) || !(k2 >= 0)) throw new RangeError(`${what}: k1 and k2 must be >= 0, got ${k1}, ${k2}`);
  return { gaussian, size, weights, sampleCovariance: options.sampleCovariance ?? !gaussian, k1, k2 };
}

function rangeOf(data: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

function resolveRange(dataRange: SsimOptions['dataRange'], pred: ArrayLike<number>, what: string): number {
  if (dataRange === undefined) return 255;
  if (dataRange === 'prediction') return rangeOf(pred);
  if (typeof dataRange !== 'number' || !Number.isFinite(dataRange) || dataRange < 0)
    throw new RangeError(
      `${what}: dataRange must be a finite number >= 0 or 'prediction', got ${String(dataRange)}` +
        ((dataRange as unknown) === 'region' ? ` ('region' needs a mask: maskedSsim, regionSsim)` : ''),
    );
  return dataRange;
}

/**
 * The data range of a masked form: `'region'` is `max - min` of `pred` over the pixels where `mask > 0`
 * (all channels); `'prediction'` that of the whole `pred`; a number as is; `undefined` gives `fallback`.
 */
function resolveMaskedRange(
  dataRange: MaskedSsimOptions['dataRange'],
  fallback: 'prediction' | number,
  pred: Image,
  mask: Mask,
  what: string,
): number {
  const r = dataRange ?? fallback;
  if (r !== 'region') {
    if (r === 'prediction' || typeof r === 'number') return resolveRange(r, pred.data, what);
    throw new RangeError(
      `${what}: dataRange must be a finite number >= 0, 'prediction' or 'region', got ${String(r)}`,
    );
  }
  const ch = pred.channels;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i] === 0) continue;
    for (let c = 0; c < ch; c++) {
      const v = pred.data[i * ch + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return hi - lo;
}

/**
 * Per-pixel SSIM map in place of `ux` from the five filtered planes, in scikit-image's operation order
 * (`A1 = 2*ux*uy + C1`, `A2 = 2*vxy + C2`, `B1 = ux^2 + uy^2 + C1`, `B2 = vx + vy + C2`, `S = A1*A2 / (B1*B2)`).
 */
function ssimMap(
  ux: Float64Array,
  uy: Float64Array,
  uxx: Float64Array,
  uyy: Float64Array,
  uxy: Float64Array,
  covNorm: number,
  c1: number,
  c2: number,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) ux[i] = ssimAt(ux[i], uy[i], uxx[i], uyy[i], uxy[i], covNorm, c1, c2);
}

/** Scratch planes reused across channels (no per-pixel allocation). */
class Planes {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly p: Float64Array;
  readonly f: Float64Array[];
  readonly tmp: Float64Array;
  readonly line: Float64Array;
  constructor(n: number, width: number) {
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.p = new Float64Array(n);
    this.f = [0, 1, 2, 3, 4].map(() => new Float64Array(n));
    this.tmp = new Float64Array(n);
    this.line = new Float64Array(Math.max(width, 1));
  }
}

/** Mean SSIM of one 2-D float64 channel pair (already loaded into `planes.x`, `planes.y`). */
function channelSsim2d(
  planes: Planes,
  width: number,
  height: number,
  opts: ResolvedOptions,
  c1: number,
  c2: number,
): number {
  const n = width * height;
  const { x, y, p, f, tmp, line } = planes;
  const filter = (src: Float64Array, dst: Float64Array): void => {
    if (opts.weights) gaussianFilter2d(src, width, height, opts.weights, dst, tmp);
    else uniformFilter2d(src, width, height, opts.size, dst, line);
  };
  filter(x, f[0]);
  filter(y, f[1]);
  for (let i = 0; i < n; i++) p[i] = x[i] * x[i];
  filter(p, f[2]);
  for (let i = 0; i < n; i++) p[i] = y[i] * y[i];
  filter(p, f[3]);
  for (let i = 0; i < n; i++) p[i] = x[i] * y[i];
  filter(p, f[4]);
  const np = opts.size * opts.size;
  const covNorm = opts.sampleCovariance ? np / (np - 1) : 1;
  const pad = (opts.size - 1) / 2;
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  // numpy's mean over the cropped view reduces it in C order: gather the interior contiguously first.
  let k = 0;
  for (let r = pad; r < height - pad; r++) {
    const start = r * width + pad;
    ssimMap(f[0], f[1], f[2], f[3], f[4], covNorm, c1, c2, start, start + innerW);
    for (let i = start; i < start + innerW; i++) p[k++] = f[0][i];
  }
  return numpyMean(p, 0, innerW * innerH);
}

/** Five running window sums (x, y, x², y², xy) per column, reused across rows and channels. */
class Sums {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly xy: Float64Array;
  constructor(n: number) {
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.xx = new Float64Array(n);
    this.yy = new Float64Array(n);
    this.xy = new Float64Array(n);
  }
  clear(): void {
    this.x.fill(0);
    this.y.fill(0);
    this.xx.fill(0);
    this.yy.fill(0);
    this.xy.fill(0);
  }
}

/**
 * Uniform-window SSIM of channel `c` of two interleaved 8-bit images, streamed row by row: the five column
 * running sums of SciPy's axis-0 pass, then per interior row the five axis-1 running sums and the SSIM of
 * each interior pixel, written to `out` (C order). Same doubles as filtering whole planes, far less memory
 * traffic. Returns the number of values written.
 */
function uniformSsimRows(
  a: Uint8Array,
  b: Uint8Array,
  channels: number,
  c: number,
  width: number,
  height: number,
  size: number,
  covNorm: number,
  c1: number,
  c2: number,
  col: Sums,
  row: Sums,
  out: Float64Array,
): number {
  const before = (size - 1) / 2;
  const after = before;
  const pad = before;
  col.clear();
  const { x: cx, y: cy, xx: cxx, yy: cyy, xy: cxy } = col;
  const { x: rx, y: ry, xx: rxx, yy: ryy, xy: rxy } = row;
  for (let k = 0; k < size; k++) {
    const base = reflectIndex(k - before, height) * width;
    for (let x = 0; x < width; x++) {
      const p = (base + x) * channels + c;
      const u = a[p];
      const v = b[p];
      cx[x] += u;
      cy[x] += v;
      cxx[x] += u * u;
      cyy[x] += v * v;
      cxy[x] += u * v;
    }
  }
  let k = 0;
  for (let yRow = 0; yRow < height; yRow++) {
    if (yRow > 0) {
      const ai = yRow + after;
      const si = yRow - 1 - before;
      const addBase = (ai < height ? ai : reflectIndex(ai, height)) * width;
      const subBase = (si >= 0 ? si : reflectIndex(si, height)) * width;
      for (let x = 0; x < width; x++) {
        const pa = (addBase + x) * channels + c;
        const ps = (subBase + x) * channels + c;
        const ua = a[pa];
        const va = b[pa];
        const us = a[ps];
        const vs = b[ps];
        cx[x] += ua - us;
        cy[x] += va - vs;
        cxx[x] += ua * ua - us * us;
        cyy[x] += va * va - vs * vs;
        cxy[x] += ua * va - us * vs;
      }
    }
    if (yRow < pad || yRow >= height - pad) continue;
    // Axis-0 outputs of this row.
    for (let x = 0; x < width; x++) {
      rx[x] = cx[x] / size;
      ry[x] = cy[x] / size;
      rxx[x] = cxx[x] / size;
      ryy[x] = cyy[x] / size;
      rxy[x] = cxy[x] / size;
    }
    // Axis-1 running sums along the row, SSIM at the interior columns.
    let tx = 0;
    let ty = 0;
    let txx = 0;
    let tyy = 0;
    let txy = 0;
    for (let j = 0; j < size; j++) {
      const q = reflectIndex(j - before, width);
      tx += rx[q];
      ty += ry[q];
      txx += rxx[q];
      tyy += ryy[q];
      txy += rxy[q];
    }
    for (let x = 0; x < width - pad; x++) {
      if (x > 0) {
        const ai = x + after;
        const si = x - 1 - before;
        const qa = ai < width ? ai : reflectIndex(ai, width);
        const qs = si >= 0 ? si : reflectIndex(si, width);
        tx += rx[qa] - rx[qs];
        ty += ry[qa] - ry[qs];
        txx += rxx[qa] - rxx[qs];
        tyy += ryy[qa] - ryy[qs];
        txy += rxy[qa] - rxy[qs];
      }
      if (x < pad) continue;
      out[k++] = ssimAt(tx / size, ty / size, txx / size, tyy / size, txy / size, covNorm, c1, c2);
    }
  }
  return k;
}

/** SSIM of one window from its means, in scikit-image's operation order. */
function ssimAt(
  mx: number,
  my: number,
  mxx: number,
  myy: number,
  mxy: number,
  covNorm: number,
  c1: number,
  c2: number,
): number {
  const vx = covNorm * (mxx - mx * mx);
  const vy = covNorm * (myy - my * my);
  const vxy = covNorm * (mxy - mx * my);
  const a1 = 2 * mx * my + c1;
  const a2 = 2 * vxy + c2;
  const b1 = mx * mx + my * my + c1;
  const b2 = vx + vy + c2;
  return (a1 * a2) / (b1 * b2);
}

function checkPair(a: Image, b: Image, what: string): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new RangeError(`${what}: a is ${a.width}x${a.height} but b is ${b.width}x${b.height}`);
  if (a.channels !== b.channels)
    throw new RangeError(`${what}: a has ${a.channels} channels but b has ${b.channels}`);
}

/**
 * Mean SSIM of two 8-bit images (`a` the reference, `b` the prediction), per channel then averaged over
 * channels: `structural_similarity(a, b, channel_axis=-1, ...)` of scikit-image 0.19 with the same defaults
 * (7x7 uniform window, sample covariance, K1 0.01, K2 0.03, the `(size-1)/2` border left out of the mean).
 * With the uniform window the result is bit-identical to scikit-image; with the Gaussian one it agrees to
 * ~1e-15 (the kernel's `exp` may differ in the last bit).
 *
 * Zero data range (`dataRange: 'prediction'` and a constant `b`): `C1 = C2 = 0`, so every window where both
 * images are flat computes 0/0. Like the reference we do not guard it: the result is `NaN` when any such
 * window exists, else the finite value the reference gives.
 *
 * ```ts
 * const s = ssim(gt, pred, { dataRange: 'prediction' }); // the competition's S
 * const wang = ssim(gt, pred, { window: 'gaussian' });
 * ```
 * @throws RangeError when sizes or channels differ or an image is smaller than the window.
 */
export function ssim(a: Image, b: Image, options: SsimOptions = {}): number {
  checkPair(a, b, 'ssim');
  const opts = resolve(options, 'ssim');
  const { width, height, channels } = a;
  if (width < opts.size || height < opts.size)
    throw new RangeError(
      `ssim: images are ${width}x${height}, smaller than the ${opts.size}x${opts.size} window`,
    );
  const range = resolveRange(options.dataRange, b.data, 'ssim');
  const c1 = (opts.k1 * range) ** 2;
  const c2 = (opts.k2 * range) ** 2;
  const n = width * height;
  let sum = 0;
  if (!opts.weights) {
    const np = opts.size * opts.size;
    const covNorm = opts.sampleCovariance ? np / (np - 1) : 1;
    const col = new Sums(width);
    const row = new Sums(width);
    const out = new Float64Array((width - opts.size + 1) * (height - opts.size + 1));
    for (let c = 0; c < channels; c++) {
      const count = uniformSsimRows(
        a.data,
        b.data,
        channels,
        c,
        width,
        height,
        opts.size,
        covNorm,
        c1,
        c2,
        col,
        row,
        out,
      );
      sum += numpyMean(out, 0, count);
    }
    return sum / channels;
  }
  const planes = new Planes(n, width);
  for (let c = 0; c < channels; c++) {
    for (let i = 0, j = c; i < n; i++, j += channels) {
      planes.x[i] = a.data[j];
      planes.y[i] = b.data[j];
    }
    sum += channelSsim2d(planes, width, height, opts, c1, c2);
  }
  return sum / channels;
}

/**
 * Mean SSIM of two 1-D float sequences: scikit-image's `structural_similarity` on 1-D arrays (a `windowSize`
 * sliding window, default 7, sample covariance `7/6`; `(size-1)/2` samples at each end left out of the mean).
 * `dataRange` as in {@link SsimOptions}; `'prediction'` uses `b`. Only the uniform window is supported in 1-D.
 *
 * ```ts
 * ssim1d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 9], { dataRange: 255 });
 * ```
 * @throws RangeError when lengths differ or are shorter than the window.
 */
export function ssim1d(a: ArrayLike<number>, b: ArrayLike<number>, options: SsimOptions = {}): number {
  if (options.window === 'gaussian') throw new RangeError(`ssim1d: only the uniform window is supported`);
  const opts = resolve(options, 'ssim1d');
  if (a.length !== b.length) throw new RangeError(`ssim1d: a has ${a.length} samples but b has ${b.length}`);
  if (a.length < opts.size)
    throw new RangeError(`ssim1d: ${a.length} samples, fewer than the window size ${opts.size}`);
  const range = resolveRange(options.dataRange, b, 'ssim1d');
  return sequenceSsim(Float64Array.from(a), Float64Array.from(b), opts.size, range, opts);
}

function sequenceSsim(
  x: Float64Array,
  y: Float64Array,
  size: number,
  range: number,
  opts: Pick<ResolvedOptions, 'k1' | 'k2' | 'sampleCovariance'>,
): number {
  // SciPy's 1-D running sums of x, y, x², y², xy (reflect padding), fused; SSIM at the interior samples.
  const n = x.length;
  const covNorm = opts.sampleCovariance ? size / (size - 1) : 1;
  const c1 = (opts.k1 * range) ** 2;
  const c2 = (opts.k2 * range) ** 2;
  const half = (size - 1) / 2;
  const out = new Float64Array(n - 2 * half);
  let tx = 0;
  let ty = 0;
  let txx = 0;
  let tyy = 0;
  let txy = 0;
  for (let k = 0; k < size; k++) {
    const q = reflectIndex(k - half, n);
    const u = x[q];
    const v = y[q];
    tx += u;
    ty += v;
    txx += u * u;
    tyy += v * v;
    txy += u * v;
  }
  let k = 0;
  for (let i = 0; i < n - half; i++) {
    if (i > 0) {
      const ai = i + half;
      const si = i - 1 - half;
      const qa = ai < n ? ai : reflectIndex(ai, n);
      const qs = si >= 0 ? si : reflectIndex(si, n);
      const ua = x[qa];
      const va = y[qa];
      const us = x[qs];
      const vs = y[qs];
      tx += ua - us;
      ty += va - vs;
      txx += ua * ua - us * us;
      tyy += va * va - vs * vs;
      txy += ua * va - us * vs;
    }
    if (i < half) continue;
    out[k++] = ssimAt(tx / size, ty / size, txx / size, tyy / size, txy / size, covNorm, c1, c2);
  }
  return numpyMean(out, 0, k);
}

/** Number of mask pixels that are > 0. */
function countMask(mask: Mask): number {
  let count = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] > 0) count++;
  return count;
}

function checkMask(image: Image, mask: Mask, what: string): void {
  if (mask.channels !== 1) throw new RangeError(`${what}: mask must have 1 channel, got ${mask.channels}`);
  if (mask.width !== image.width || mask.height !== image.height)
    throw new RangeError(
      `${what}: mask is ${mask.width}x${mask.height} but the images are ${image.width}x${image.height}`,
    );
}

/**
 * The competition's masked SSIM (its "M" term): the pixels where `mask > 0`, taken in row-major order as
 * an N x channels sequence (`gt[mask > 0]` in NumPy), compared per channel with a 1-D 7-sample window
 * ({@link ssim1d}, covariance normalized by 7/6) and averaged over channels. `dataRange` defaults to
 * `'prediction'` here: `max - min` over the WHOLE prediction (every pixel and channel, masked or not), as
 * the competition's `data_range=pred.max() - pred.min()` does. `dataRange: 'region'` takes it over the
 * masked prediction pixels only (not the reference: a prediction flat in the region gives range 0 then).
 *
 * With the default, a prediction flat over the lost region but not elsewhere (the gray input copied to
 * RGB, say) gets a finite M, as in the reference; only a prediction constant over the whole image has
 * range 0, and then M is `NaN` where some window of the truth is flat too, else 0 (see {@link ssim}).
 *
 * ```ts
 * const m = maskedSsim(gt, pred, mask); // the competition's M
 * const own = maskedSsim(gt, pred, mask, { dataRange: 'region' }); // range of the lost pixels only
 * ```
 * @throws RangeError when fewer than `windowSize` (7) pixels are masked (the reference raises then too),
 * or when sizes/channels differ.
 */
export function maskedSsim(gt: Image, pred: Image, mask: Mask, options: MaskedSsimOptions = {}): number {
  checkPair(gt, pred, 'maskedSsim');
  checkMask(gt, mask, 'maskedSsim');
  if (options.window === 'gaussian') throw new RangeError(`maskedSsim: only the uniform window is supported`);
  const opts = resolve(options, 'maskedSsim');
  const count = countMask(mask);
  if (count < opts.size)
    throw new RangeError(
      `maskedSsim: the mask has ${count} pixel(s) > 0, fewer than the window size ${opts.size} ` +
        `(the reference raises too); images ${gt.width}x${gt.height}`,
    );
  const ch = gt.channels;
  const xs: Float64Array[] = [];
  const ys: Float64Array[] = [];
  for (let c = 0; c < ch; c++) {
    xs.push(new Float64Array(count));
    ys.push(new Float64Array(count));
  }
  let k = 0;
  const m = mask.data;
  for (let i = 0; i < m.length; i++) {
    if (m[i] === 0) continue;
    for (let c = 0; c < ch; c++) {
      xs[c][k] = gt.data[i * ch + c];
      ys[c][k] = pred.data[i * ch + c];
    }
    k++;
  }
  const range = resolveMaskedRange(options.dataRange, 'prediction', pred, mask, 'maskedSsim');
  let sum = 0;
  for (let c = 0; c < ch; c++) sum += sequenceSsim(xs[c], ys[c], opts.size, range, opts);
  return sum / ch;
}

/**
 * SSIM restricted to a region (`mask > 0`) that never reads pixels outside it, by normalized convolution.
 * With `m` the 0/1 mask and `F` the window filter (uniform `windowSize` box or Gaussian, reflect padding):
 *
 * ```text
 * W   = F(m)
 * μx  = F(m·x) / W            μy  = F(m·y) / W
 * σx² = F(m·x²) / W − μx²     σy² = F(m·y²) / W − μy²     σxy = F(m·x·y) / W − μx·μy
 * S   = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),  C1 = (K1 L)², C2 = (K2 L)²
 * regionSsim = mean over channels of (mean of S over the pixels with m = 1)
 * ```
 *
 * Covariances are population ones (no N/(N-1): the effective sample count varies per pixel, so the
 * `sampleCovariance` option is ignored here) and there is no border crop (reflection mirrors the mask too, so
 * nothing leaks in). `dataRange` defaults to 255; `'region'` is `max - min` of `b` over the region,
 * `'prediction'` that of the whole `b` (the one option that reads pixels outside the region).
 *
 * ```ts
 * const r = regionSsim(gt, pred, mask); // structure of the lost region in its 2-D context
 * ```
 * @throws RangeError when the mask is empty or sizes/channels differ.
 */
export function regionSsim(a: Image, b: Image, mask: Mask, options: MaskedSsimOptions = {}): number {
  checkPair(a, b, 'regionSsim');
  checkMask(a, mask, 'regionSsim');
  const opts = resolve(options, 'regionSsim');
  const { width, height, channels } = a;
  const n = width * height;
  const m = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (mask.data[i] > 0) {
      m[i] = 1;
      count++;
    }
  }
  if (count === 0) throw new RangeError(`regionSsim: the mask (${width}x${height}) has no pixel > 0`);
  const range = resolveMaskedRange(options.dataRange, 255, b, mask, 'regionSsim');
  const c1 = (opts.k1 * range) ** 2;
  const c2 = (opts.k2 * range) ** 2;
  const planes = new Planes(n, width);
  const { x, y, p, f, tmp, line } = planes;
  const filter = (src: Float64Array, dst: Float64Array): void => {
    if (opts.weights) gaussianFilter2d(src, width, height, opts.weights, dst, tmp);
    else uniformFilter2d(src, width, height, opts.size, dst, line);
  };
  const w = new Float64Array(n);
  filter(m, w);
  let total = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0, j = c; i < n; i++, j += channels) {
      x[i] = a.data[j];
      y[i] = b.data[j];
    }
    for (let i = 0; i < n; i++) p[i] = m[i] * x[i];
    filter(p, f[0]);
    for (let i = 0; i < n; i++) p[i] = m[i] * y[i];
    filter(p, f[1]);
    for (let i = 0; i < n; i++) p[i] = m[i] * x[i] * x[i];
    filter(p, f[2]);
    for (let i = 0; i < n; i++) p[i] = m[i] * y[i] * y[i];
    filter(p, f[3]);
    for (let i = 0; i < n; i++) p[i] = m[i] * x[i] * y[i];
    filter(p, f[4]);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (m[i] === 0) continue;
      const wi = w[i];
      const mx = f[0][i] / wi;
      const my = f[1][i] / wi;
      const vx = f[2][i] / wi - mx * mx;
      const vy = f[3][i] / wi - my * my;
      const vxy = f[4][i] / wi - mx * my;
      p[k++] = ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
    total += numpyMean(p, 0, count);
  }
  return total / channels;
}
