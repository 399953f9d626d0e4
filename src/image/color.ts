import { createImage, type Image } from './types.js';

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
