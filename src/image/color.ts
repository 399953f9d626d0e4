import { createImage, type Image, type Mask } from './types.js';

/**
 * Gray value of one RGB pixel exactly as Pillow's `Image.convert('L')`: ITU-R 601-2 luma
 * (0.299, 0.587, 0.114) in 16-bit fixed point, rounded half up. Returns an integer in 0..255.
 */
export function lumaPil(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/**
 * Converts an RGB image to gray exactly as Pillow's `convert('L')`. A 1-channel image is returned as a copy.
 *
 * ```ts
 * const gray = toGray(photo); // gray.channels === 1
 * ```
 */
export function toGray(image: Image): Image {
  const { width, height, data } = image;
  if (image.channels === 1) return createImage(width, height, 1, data.slice());
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = lumaPil(data[j], data[j + 1], data[j + 2]);
  return createImage(width, height, 1, out);
}

/** Repeats a gray image into three equal channels (a gray photo stored as RGB). RGB input is copied. */
export function grayToRgb(image: Image): Image {
  const { width, height, data } = image;
  if (image.channels === 3) return createImage(width, height, 3, data.slice());
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[j] = out[j + 1] = out[j + 2] = data[i];
  return createImage(width, height, 3, out);
}

// OpenCV's 8-bit RGB->HSV works in 12-bit fixed point with reciprocal tables (color_hsv.simd.hpp).
const HSV_SHIFT = 12;
const HSV_ROUND = 1 << (HSV_SHIFT - 1);
const SDIV = new Int32Array(256);
/**
 * OpenCV's hue reciprocal table: `HDIV180[d] = round((180 << 12) / (6 d))` for d = max - min in 1..255
 * (0 at d = 0). Shared with the tensor hue in src/metrics/tensor/histogram.ts; not re-exported by the
 * image entry point.
 *
 * ```ts
 * const hue = (num * HDIV180[diff] + 2048) >> 12; // then + 180 when negative
 * ```
 */
export const HDIV180 = new Int32Array(256);
for (let i = 1; i < 256; i++) {
  SDIV[i] = Math.round((255 << HSV_SHIFT) / i);
  HDIV180[i] = Math.round((180 << HSV_SHIFT) / (6 * i));
}

/**
 * Hue of one RGB pixel exactly as OpenCV's `cvtColor(..., COLOR_RGB2HSV)` on 8-bit data: 0..179.
 * Gray pixels (r = g = b) have hue 0.
 */
export function hueOpenCv(r: number, g: number, b: number): number {
  const v = Math.max(r, g, b);
  const diff = v - Math.min(r, g, b);
  let h: number;
  if (v === r) h = g - b;
  else if (v === g) h = b - r + 2 * diff;
  else h = r - g + 4 * diff;
  h = (h * HDIV180[diff] + HSV_ROUND) >> HSV_SHIFT;
  return h < 0 ? h + 180 : h;
}

/**
 * Converts RGB to HSV exactly as OpenCV's 8-bit `COLOR_RGB2HSV`: H in 0..179, S and V in 0..255,
 * interleaved like the input.
 */
export function rgbToHsv(image: Image): Image {
  if (image.channels !== 3)
    throw new RangeError(`rgbToHsv: expected a 3-channel image, got ${image.channels}`);
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let j = 0; j < data.length; j += 3) {
    const r = data[j];
    const g = data[j + 1];
    const b = data[j + 2];
    const v = Math.max(r, g, b);
    const diff = v - Math.min(r, g, b);
    out[j] = hueOpenCv(r, g, b);
    out[j + 1] = (diff * SDIV[v] + HSV_ROUND) >> HSV_SHIFT;
    out[j + 2] = v;
  }
  return createImage(width, height, 3, out);
}

/** Options of {@link matchLuminance}. */
export interface MatchLuminanceOptions {
  /**
   * Factor on each pixel's chroma (its channels' differences from its luma) before it is fitted into the
   * gamut: 1 keeps the colors' strength, 0 gives the gray image itself, 0.5 halves the saturation and keeps
   * the hue. Default 1.
   */
  chromaGain?: number;
  /** Pixels (1) where `maskChromaGain` replaces `chromaGain`, e.g. the lost region. */
  mask?: Mask;
  /** The gain inside `mask`; default `chromaGain`. */
  maskChromaGain?: number;
  /**
   * Added to every pixel's chroma before the gain, in 8-bit levels of R, G and B (its luma part is removed, so the
   * luma stays the gray image's): a correction of the colorizer's overall tint, e.g. {@link meanChromaOffset} fitted
   * on validation photos. Default none.
   */
  chromaOffset?: readonly [number, number, number];
}

/**
 * Gives an RGB image the luma of a gray image and keeps its hue: each pixel becomes `gray + t (rgb - luma)`
 * channel by channel, luma with Pillow's `convert('L')` weights 0.299, 0.587, 0.114 (they sum to 1, so the luma
 * is exactly `gray` before rounding), `t` = `chromaGain`, lowered where needed so that no channel leaves
 * 0..255 (the chroma is scaled toward gray instead of clamping a channel, which would change the luma and the
 * hue of a saturated pixel: white asked of a saturated blue gives white, not light blue at the wrong
 * lightness). Rounded to bytes.
 *
 * ```ts
 * const colored = matchLuminance(colorizerOutput, grayInput);
 * const muted = matchLuminance(colorizerOutput, grayInput, { chromaGain: 0.5 });
 * ```
 * @throws RangeError when the images do not fit (RGB and gray of one size) or the gain is negative.
 */
export function matchLuminance(rgb: Image, gray: Image, options: MatchLuminanceOptions = {}): Image {
  if (rgb.channels !== 3 || gray.channels !== 1 || rgb.width !== gray.width || rgb.height !== gray.height)
    throw new RangeError(
      `matchLuminance: expected an RGB image and a gray image of one size, got ${rgb.width}x${rgb.height}x` +
        `${rgb.channels} and ${gray.width}x${gray.height}x${gray.channels}`,
    );
  const gain = options.chromaGain ?? 1;
  const maskGain = options.maskChromaGain ?? gain;
  for (const [name, g] of [
    ['chromaGain', gain],
    ['maskChromaGain', maskGain],
  ] as const)
    if (!(g >= 0 && Number.isFinite(g)))
      throw new RangeError(`matchLuminance: ${name} must be a finite number >= 0, got ${String(g)}`);
  const mask = options.mask;
  if (mask && (mask.width !== gray.width || mask.height !== gray.height || mask.channels !== 1))
    throw new RangeError(
      `matchLuminance: mask is ${mask.width}x${mask.height}x${mask.channels}, expected ${gray.width}x${gray.height}x1`,
    );
  const offset = options.chromaOffset ?? [0, 0, 0];
  if (offset.length !== 3 || offset.some((v) => !Number.isFinite(v)))
    throw new RangeError(
      `matchLuminance: chromaOffset must be 3 finite numbers (R, G, B levels), got [${offset.join(', ')}]`,
    );
  // The offset's own luma removed: it moves the hue, never the lightness.
  const offsetLuma = (offset[0] * 299 + offset[1] * 587 + offset[2] * 114) / 1000;
  const [o0, o1, o2] = offset.map((v) => v - offsetLuma);
  const out = new Uint8Array(rgb.data.length);
  const d = rgb.data;
  const c = [0, 0, 0];
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 3) {
    const y = gray.data[i];
    const luma = (d[j] * 299 + d[j + 1] * 587 + d[j + 2] * 114) / 1000;
    c[0] = d[j] - luma + o0;
    c[1] = d[j + 1] - luma + o1;
    c[2] = d[j + 2] - luma + o2;
    // The largest t <= gain with y + t * chroma in [0, 255] for all three channels.
    let t = mask?.data[i] ? maskGain : gain;
    for (let k = 0; k < 3; k++) {
      if (c[k] > 0 && y + t * c[k] > 255) t = (255 - y) / c[k];
      else if (c[k] < 0 && y + t * c[k] < 0) t = -y / c[k];
    }
    for (let k = 0; k < 3; k++) {
      const v = Math.round(y + t * c[k]);
      out[j + k] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return createImage(rgb.width, rgb.height, 3, out);
}

/**
 * The mean chroma difference of truth and prediction over all pixels of pairs of RGB images: per channel, the mean
 * of `(truth - luma(truth)) - (pred - luma(pred))` in 8-bit levels, luma with Pillow's weights. Added as
 * {@link MatchLuminanceOptions.chromaOffset}, it cancels a colorizer's overall tint on those images (a colorizer
 * trained for a few dozen steps swings between casts from one epoch to the next).
 *
 * ```ts
 * const offset = meanChromaOffset(valGts, valColors);
 * const rgb = matchLuminance(colors, gray, { chromaOffset: offset });
 * ```
 * @throws RangeError on no pairs, unequal list lengths, or images that are not RGB of one size pairwise.
 */
export function meanChromaOffset(
  truths: readonly Image[],
  preds: readonly Image[],
): [number, number, number] {
  if (truths.length === 0 || truths.length !== preds.length)
    throw new RangeError(
      `meanChromaOffset: expected as many truths as predictions (at least 1), got ${truths.length} and ${preds.length}`,
    );
  const sum = [0, 0, 0];
  let n = 0;
  truths.forEach((t, i) => {
    const p = preds[i];
    if (t.channels !== 3 || p.channels !== 3 || t.width !== p.width || t.height !== p.height)
      throw new RangeError(
        `meanChromaOffset: pair ${i}: expected two RGB images of one size, got ${t.width}x${t.height}x${t.channels} ` +
          `and ${p.width}x${p.height}x${p.channels}`,
      );
    const a = t.data;
    const b = p.data;
    for (let j = 0; j < a.length; j += 3) {
      const la = (a[j] * 299 + a[j + 1] * 587 + a[j + 2] * 114) / 1000;
      const lb = (b[j] * 299 + b[j + 1] * 587 + b[j + 2] * 114) / 1000;
      for (let k = 0; k < 3; k++) sum[k] += a[j + k] - la - (b[j + k] - lb);
    }
    n += a.length / 3;
  });
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}
