/**
 * Rasterizers that write 1s into a {@link Mask}. Pixel rules, in image coordinates where pixel (row r,
 * column c) is the point (r, c) — its center — and rows grow downward:
 *
 * - {@link fillPolygon}: a pixel is set when its center is inside the polygon, **on one of its edges, or on a
 *   vertex** (within 1e-12). This is exactly `skimage.draw.polygon` / `polygon2mask` (scikit-image 0.19.3):
 *   the same crossing-number test (O'Rourke's left/right ray crossings, even–odd rule, so self-intersecting
 *   polygons have holes where they overlap twice), the same float64 arithmetic, and the same scan window
 *   (rows `trunc(max(0, min r))..min(H-1, ceil(max r))`, likewise for columns). Vertices may lie off the
 *   image; only pixels inside it are set.
 * - {@link fillEllipse}: like `skimage.draw.ellipse(r, c, r_radius, c_radius, shape, rotation)`: pixels with
 *   normalized distance strictly below 1 within the rotated bounding box.
 * - {@link fillRect}: integer rows `top..top+height-1` and columns `left..left+width-1`, clipped.
 * - {@link drawThickLine}: a "capsule": pixels whose center is within `width / 2` of the segment (round caps);
 *   close to `cv2.line(..., thickness)` in OpenCV but not bit-exact.
 * @module
 */
import { createImage, type Mask } from '../image/types.js';

/** A new all-zero mask. */
export function emptyMask(width: number, height: number): Mask {
  return createImage(width, height, 1) as Mask;
}

/**
 * The point-in-polygon test of scikit-image (`skimage/_shared/geometry.pyx`, `point_in_polygon`):
 * 0 outside, 1 inside, 2 on a vertex, 3 on an edge. `xs`/`ys` are the vertex coordinates.
 */
export function pointInPolygon(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  x: number,
  y: number,
): 0 | 1 | 2 | 3 {
  const n = xs.length;
  const eps = 1e-12;
  let x1 = xs[n - 1] - x;
  let y1 = ys[n - 1] - y;
  let rCross = 0;
  let lCross = 0;
  for (let i = 0; i < n; i++) {
    const x0 = xs[i] - x;
    const y0 = ys[i] - y;
    if (-eps < x0 && x0 < eps && -eps < y0 && y0 < eps) return 2;
    if (y0 > 0 !== y1 > 0) {
      if ((x0 * y1 - x1 * y0) / (y1 - y0) > 0) rCross++;
    }
    if (y0 < 0 !== y1 < 0) {
      if ((x0 * y1 - x1 * y0) / (y1 - y0) < 0) lCross++;
    }
    x1 = x0;
    y1 = y0;
  }
  if ((rCross & 1) !== (lCross & 1)) return 3;
  return rCross & 1 ? 1 : 0;
}

/** A polygon as parallel arrays of vertex rows and columns (float pixel coordinates). */
export interface Polygon {
  rows: readonly number[];
  cols: readonly number[];
}

/**
 * Sets to 1 every pixel of `mask` inside the polygon, on its boundary or on a vertex — exactly like
 * `skimage.draw.polygon2mask(shape, np.stack([rows, cols], 1))` (see the module comment).
 * Returns the number of pixels newly set.
 *
 * ```ts
 * const mask = emptyMask(64, 64);
 * fillPolygon(mask, { rows: [10, 50, 50], cols: [32, 10, 54] }); // a triangle
 * ```
 */
export function fillPolygon(mask: Mask, polygon: Polygon): number {
  const { rows, cols } = polygon;
  if (rows.length !== cols.length)
    throw new RangeError(`fillPolygon: ${rows.length} rows but ${cols.length} columns`);
  if (rows.length === 0) return 0;
  for (let i = 0; i < rows.length; i++)
    if (!Number.isFinite(rows[i]) || !Number.isFinite(cols[i]))
      throw new RangeError(`fillPolygon: vertex ${i} is not finite (${rows[i]}, ${cols[i]})`);
  const { width, height, data } = mask;
  // Scan window as skimage: int() truncates toward zero, and only the upper end is clipped to the image.
  const minR = Math.trunc(Math.max(0, Math.min(...rows)));
  const maxR = Math.min(height - 1, Math.ceil(Math.max(...rows)));
  const minC = Math.trunc(Math.max(0, Math.min(...cols)));
  const maxC = Math.min(width - 1, Math.ceil(Math.max(...cols)));
  const xs = Float64Array.from(cols);
  const ys = Float64Array.from(rows);
  let count = 0;
  for (let r = minR; r <= maxR; r++) {
    for (let c = minC; c <= maxC; c++) {
      if (pointInPolygon(xs, ys, c, r) !== 0) {
        const k = r * width + c;
        if (data[k] === 0) count++;
        data[k] = 1;
      }
    }
  }
  return count;
}

/** Python's float modulo (the result has the sign of the divisor). */
function pyMod(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

/**
 * Sets to 1 the pixels of an ellipse centred at (`row`, `col`) with semi-axes `rRadius` (rows) and `cRadius`
 * (columns), rotated by `rotation` radians counter-clockwise — like `skimage.draw.ellipse` with `shape` given.
 * Returns the number of pixels newly set.
 */
export function fillEllipse(
  mask: Mask,
  row: number,
  col: number,
  rRadius: number,
  cRadius: number,
  rotation = 0,
): number {
  if (!(rRadius > 0) || !(cRadius > 0))
    throw new RangeError(`fillEllipse: radii must be positive, got ${rRadius}, ${cRadius}`);
  const { width, height, data } = mask;
  const rot = pyMod(rotation, Math.PI);
  const sin = Math.sin(rot);
  const cos = Math.cos(rot);
  const rRadRot = Math.abs(rRadius * cos) + cRadius * sin;
  const cRadRot = rRadius * sin + Math.abs(cRadius * cos);
  const top = Math.max(0, Math.ceil(row - rRadRot));
  const left = Math.max(0, Math.ceil(col - cRadRot));
  const bottom = Math.min(height - 1, Math.floor(row + rRadRot));
  const right = Math.min(width - 1, Math.floor(col + cRadRot));
  // skimage evaluates on the box-local grid with a shifted center; keep the same float operations.
  const rOrg = row - top;
  const cOrg = col - left;
  let count = 0;
  for (let i = 0; i <= bottom - top; i++) {
    const dr = i - rOrg;
    for (let j = 0; j <= right - left; j++) {
      const dc = j - cOrg;
      const a = (dr * cos + dc * sin) / rRadius;
      const b = (dr * sin - dc * cos) / cRadius;
      if (a * a + b * b < 1) {
        const k = (top + i) * width + left + j;
        if (data[k] === 0) count++;
        data[k] = 1;
      }
    }
  }
  return count;
}

/** Sets to 1 the integer rectangle `top..top+height-1` x `left..left+width-1`, clipped to the mask. */
export function fillRect(mask: Mask, top: number, left: number, height: number, width: number): number {
  const r0 = Math.max(0, Math.round(top));
  const c0 = Math.max(0, Math.round(left));
  const r1 = Math.min(mask.height, Math.round(top + height));
  const c1 = Math.min(mask.width, Math.round(left + width));
  let count = 0;
  for (let r = r0; r < r1; r++)
    for (let c = c0; c < c1; c++) {
      const k = r * mask.width + c;
      if (mask.data[k] === 0) count++;
      mask.data[k] = 1;
    }
  return count;
}

/**
 * Sets to 1 the pixels whose center lies within `width / 2` of the segment from (r0, c0) to (r1, c1):
 * a line with round caps, so consecutive strokes join smoothly. Returns the number of pixels newly set.
 */
export function drawThickLine(
  mask: Mask,
  r0: number,
  c0: number,
  r1: number,
  c1: number,
  width: number,
): number {
  const half = Math.max(0.5, width / 2);
  const h2 = half * half;
  const top = Math.max(0, Math.floor(Math.min(r0, r1) - half));
  const bottom = Math.min(mask.height - 1, Math.ceil(Math.max(r0, r1) + half));
  const left = Math.max(0, Math.floor(Math.min(c0, c1) - half));
  const right = Math.min(mask.width - 1, Math.ceil(Math.max(c0, c1) + half));
  const dr = r1 - r0;
  const dc = c1 - c0;
  const len2 = dr * dr + dc * dc;
  let count = 0;
  for (let r = top; r <= bottom; r++)
    for (let c = left; c <= right; c++) {
      let t = len2 === 0 ? 0 : ((r - r0) * dr + (c - c0) * dc) / len2;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const er = r - (r0 + t * dr);
      const ec = c - (c0 + t * dc);
      if (er * er + ec * ec <= h2) {
        const k = r * mask.width + c;
        if (mask.data[k] === 0) count++;
        mask.data[k] = 1;
      }
    }
  return count;
}

/** Number of lost (non-zero) pixels of a mask. */
export function maskArea(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== 0) n++;
  return n;
}

/** Fraction of lost pixels, in [0, 1]. */
export function maskCoverage(mask: Mask): number {
  return maskArea(mask) / (mask.width * mask.height);
}
