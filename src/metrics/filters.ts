/**
 * Float64 building blocks that reproduce SciPy's `ndimage` filters and NumPy's summation bit for bit, so the
 * SSIM built on them gives the same doubles as scikit-image.
 * @module
 */

/**
 * Index into a line of length `n` for a position `i` that may fall outside it, mirrored like SciPy's
 * `mode='reflect'` (half-sample symmetric: `d c b a | a b c d | d c b a`), for any distance.
 */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - 1 - k;
}

/**
 * Sum of `n` doubles starting at `data[start]` with stride `stride`, in exactly NumPy's pairwise order
 * (`pairwise_sum` in its loops: plain loop below 8 items, eight accumulators up to 128, halving above).
 *
 * ```ts
 * pairwiseSum(new Float64Array([0.1, 0.2, 0.3]), 0, 3); // same double as numpy.sum
 * ```
 */
export function pairwiseSum(data: ArrayLike<number>, start: number, n: number, stride = 1): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += data[start + i * stride];
    return res;
  }
  if (n <= 128) {
    let r0 = data[start];
    let r1 = data[start + stride];
    let r2 = data[start + 2 * stride];
    let r3 = data[start + 3 * stride];
    let r4 = data[start + 4 * stride];
    let r5 = data[start + 5 * stride];
    let r6 = data[start + 6 * stride];
    let r7 = data[start + 7 * stride];
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const p = start + i * stride;
      r0 += data[p];
      r1 += data[p + stride];
      r2 += data[p + 2 * stride];
      r3 += data[p + 3 * stride];
      r4 += data[p + 4 * stride];
      r5 += data[p + 5 * stride];
      r6 += data[p + 6 * stride];
      r7 += data[p + 7 * stride];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += data[start + i * stride];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(data, start, n2, stride) + pairwiseSum(data, start + n2 * stride, n - n2, stride);
}

/**
 * Sum of `n` contiguous doubles the way `numpy.sum`/`numpy.mean` reduce a float64 array (also a
 * non-contiguous view, taken in C order): pairwise within consecutive chunks of 8192 items (NumPy's iterator
 * buffer size), the chunk sums added one after another.
 */
export function numpySum(data: ArrayLike<number>, start = 0, n = data.length - start): number {
  let acc = 0;
  for (let i = 0; i < n; i += 8192) acc += pairwiseSum(data, start + i, Math.min(8192, n - i));
  return acc;
}

/** Mean of `n` contiguous doubles exactly as `numpy.mean` (see {@link numpySum}). */
export function numpyMean(data: ArrayLike<number>, start = 0, n = data.length - start): number {
  return numpySum(data, start, n) / n;
}

/**
 * 1-D moving average exactly like SciPy 1.10's `uniform_filter1d(mode='reflect')` (its C running sum on the
 * reflect-padded line: the first window summed in order, then `in[i+size-1] - in[i-1]` added per step, each
 * output being the running sum divided by `size`; verified bit for bit against SciPy 1.10.1). Reads `n` samples from `src` at `srcStart + i*srcStride`, writes `dst` likewise.
 */
export function uniformFilterLine(
  src: ArrayLike<number>,
  srcStart: number,
  srcStride: number,
  n: number,
  size: number,
  dst: Float64Array,
  dstStart: number,
  dstStride: number,
): void {
  const before = Math.floor(size / 2);
  const after = size - before - 1;
  let tmp = 0;
  for (let k = 0; k < size; k++) tmp += src[srcStart + reflectIndex(k - before, n) * srcStride];
  dst[dstStart] = tmp / size;
  for (let i = 1; i < n; i++) {
    const ai = i + after;
    const si = i - 1 - before;
    // Reflection is only needed near the ends (and for lines shorter than the window).
    const add = src[srcStart + (ai < n ? ai : reflectIndex(ai, n)) * srcStride];
    const sub = src[srcStart + (si >= 0 ? si : reflectIndex(si, n)) * srcStride];
    tmp += add - sub;
    dst[dstStart + i * dstStride] = tmp / size;
  }
}

/**
 * 2-D `scipy.ndimage.uniform_filter(src, size, mode='reflect')` on a row-major `height x width` float64 plane:
 * the 1-D filter along axis 0 (columns) then along axis 1 (rows), as SciPy does. The column pass runs on
 * whole rows at once (same arithmetic per column, cache-friendly). `line` is scratch of length >= width.
 * `dst` may not alias `src`.
 */
export function uniformFilter2d(
  src: Float64Array,
  width: number,
  height: number,
  size: number,
  dst: Float64Array,
  line: Float64Array,
): void {
  const before = Math.floor(size / 2);
  const after = size - before - 1;
  // Axis 0: per column, running sums advanced row by row.
  const acc = line;
  acc.fill(0, 0, width);
  for (let k = 0; k < size; k++) {
    const row = reflectIndex(k - before, height) * width;
    for (let x = 0; x < width; x++) acc[x] += src[row + x];
  }
  for (let x = 0; x < width; x++) dst[x] = acc[x] / size;
  for (let y = 1; y < height; y++) {
    const addRow = reflectIndex(y + after, height) * width;
    const subRow = reflectIndex(y - 1 - before, height) * width;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      acc[x] += src[addRow + x] - src[subRow + x];
      dst[out + x] = acc[x] / size;
    }
  }
  // Axis 1: per row, in place (each row is copied to `line` first).
  for (let y = 0; y < height; y++) {
    const out = y * width;
    for (let x = 0; x < width; x++) line[x] = dst[out + x];
    if (width >= size) {
      // Fast path: reflection only near the ends.
      let tmp = 0;
      for (let k = 0; k < size; k++) tmp += line[reflectIndex(k - before, width)];
      dst[out] = tmp / size;
      for (let x = 1; x < width; x++) {
        const ai = x + after;
        const si = x - 1 - before;
        const add = ai < width ? line[ai] : line[2 * width - 1 - ai];
        const sub = si >= 0 ? line[si] : line[-si - 1];
        tmp += add - sub;
        dst[out + x] = tmp / size;
      }
    } else {
      uniformFilterLine(line, 0, 1, width, size, dst, out, 1);
    }
  }
}

/**
 * Normalized 1-D Gaussian weights exactly as SciPy's `_gaussian_kernel1d(sigma, 0, radius)`:
 * `exp(-0.5 / sigma^2 * x^2)` for x in -radius..radius, divided by their (pairwise) sum.
 */
export function gaussianKernel1d(sigma: number, radius: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  const c = -0.5 / (sigma * sigma);
  for (let i = 0; i < k.length; i++) {
    const x = i - radius;
    k[i] = Math.exp(c * (x * x));
  }
  const sum = pairwiseSum(k, 0, k.length);
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * 1-D symmetric correlation with `weights` (odd length) like SciPy's `correlate1d(mode='reflect')` for
 * symmetric kernels: `out = in[0]*w[0] + sum_j (in[-j] + in[j]) * w[j]`, j from the outside in.
 */
export function correlateLine(
  src: ArrayLike<number>,
  srcStart: number,
  srcStride: number,
  n: number,
  weights: Float64Array,
  dst: Float64Array,
  dstStart: number,
  dstStride: number,
): void {
  const r = (weights.length - 1) / 2;
  for (let i = 0; i < n; i++) {
    const p = srcStart + i * srcStride;
    let v = src[p] * weights[r];
    if (i >= r && i + r < n) {
      for (let j = r; j >= 1; j--) v += (src[p - j * srcStride] + src[p + j * srcStride]) * weights[r - j];
    } else {
      for (let j = r; j >= 1; j--) {
        const a = src[srcStart + reflectIndex(i - j, n) * srcStride];
        const b = src[srcStart + reflectIndex(i + j, n) * srcStride];
        v += (a + b) * weights[r - j];
      }
    }
    dst[dstStart + i * dstStride] = v;
  }
}

/**
 * 2-D Gaussian filter like `scipy.ndimage.gaussian_filter(src, sigma, truncate, mode='reflect')` (axis 0 then
 * axis 1). `tmp` is scratch of the same length as `src`; `dst` may not alias `src` or `tmp`.
 */
export function gaussianFilter2d(
  src: Float64Array,
  width: number,
  height: number,
  weights: Float64Array,
  dst: Float64Array,
  tmp: Float64Array,
): void {
  for (let x = 0; x < width; x++) correlateLine(src, x, width, height, weights, tmp, x, width);
  for (let y = 0; y < height; y++) correlateLine(tmp, y * width, 1, width, weights, dst, y * width, 1);
}
