/**
 * Binary morphology on masks with Euclidean disks, via exact squared Euclidean distance transforms
 * (Felzenszwalb & Huttenlocher's lower-envelope algorithm, O(pixels)). Disk of radius r = pixels whose center is
 * at Euclidean distance <= r from the origin. Also connected-component labeling.
 * @module
 */
import { createImage, type Mask } from '../image/types.js';

const INF = 1e20;

function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

/**
 * Squared Euclidean distance from each pixel to the nearest pixel where `isSource(value)` holds
 * (0 on source pixels; 1e20 when there is no source at all).
 */
export function squaredDistanceTo(mask: Mask, sourceValue: 0 | 1): Float64Array {
  const { width: w, height: h, data } = mask;
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = (data[i] !== 0 ? 1 : 0) === sourceValue ? 0 : INF;
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[y * w + x];
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = out[row + x];
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x];
  }
  return out;
}

/** Erosion by a disk of radius r: pixels whose disk lies inside the mask (outside the image counts as set). */
export function erodeMask(mask: Mask, r: number): Mask {
  return diskMorphology(mask, r, 0);
}

/** Dilation by a disk of radius r. */
export function dilateMask(mask: Mask, r: number): Mask {
  return diskMorphology(mask, r, 1);
}

/**
 * Erosion (`near` 0: the pixels farther than r from every unset pixel) or dilation (`near` 1: the pixels within r
 * of a set pixel), from the squared distance to the nearest pixel of value `near`.
 */
function diskMorphology(mask: Mask, r: number, near: 0 | 1): Mask {
  const d = squaredDistanceTo(mask, near);
  const r2 = r * r;
  const set = near === 1 ? (x: number) => x <= r2 : (x: number) => x > r2;
  return createImage(
    mask.width,
    mask.height,
    1,
    Uint8Array.from(d, (x) => (set(x) ? 1 : 0)),
  ) as Mask;
}

/** Opening (erosion then dilation) by a disk of radius r: removes parts thinner than the disk. */
export function openMask(mask: Mask, r: number): Mask {
  return dilateMask(erodeMask(mask, r), r);
}

/** Connected components of the pixels where `mask` is non-zero. */
export interface Components {
  /** Label per pixel: 0 = background, 1..count = component. */
  labels: Int32Array;
  count: number;
  /** Pixel count per label (index 0 unused). */
  sizes: number[];
}

/**
 * Labels connected components of equal-valued pixels of a 1-channel image (`byValue`) or of the non-zero
 * pixels of a mask. `connectivity` 4 or 8.
 */
export function labelComponents(
  image: { width: number; height: number; data: Uint8Array },
  options: { connectivity?: 4 | 8; byValue?: boolean } = {},
): Components {
  const { width: w, height: h, data } = image;
  const eight = (options.connectivity ?? 8) === 8;
  const byValue = options.byValue ?? false;
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const stack = new Int32Array(w * h);
  const nb = new Int32Array(8);
  let count = 0;
  for (let start = 0; start < w * h; start++) {
    if (labels[start] !== 0 || (!byValue && data[start] === 0)) continue;
    const value = data[start];
    count++;
    let top = 0;
    stack[top++] = start;
    labels[start] = count;
    let size = 0;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const y = (p / w) | 0;
      const x = p - y * w;
      let n = 0;
      if (x > 0) nb[n++] = p - 1;
      if (x < w - 1) nb[n++] = p + 1;
      if (y > 0) {
        nb[n++] = p - w;
        if (eight && x > 0) nb[n++] = p - w - 1;
        if (eight && x < w - 1) nb[n++] = p - w + 1;
      }
      if (y < h - 1) {
        nb[n++] = p + w;
        if (eight && x > 0) nb[n++] = p + w - 1;
        if (eight && x < w - 1) nb[n++] = p + w + 1;
      }
      for (let k = 0; k < n; k++) {
        const q = nb[k];
        if (labels[q] !== 0) continue;
        if (byValue ? data[q] !== value : data[q] === 0) continue;
        labels[q] = count;
        stack[top++] = q;
      }
    }
    sizes.push(size);
  }
  return { labels, count, sizes };
}

/** The largest connected component of a mask (empty mask if none). */
export function largestComponent(mask: Mask, connectivity: 4 | 8 = 8): Mask {
  const { labels, sizes } = labelComponents(mask, { connectivity });
  let best = 0;
  for (let i = 1; i < sizes.length; i++) if (sizes[i] > sizes[best]) best = i;
  const out = new Uint8Array(labels.length);
  if (best > 0) for (let i = 0; i < labels.length; i++) out[i] = labels[i] === best ? 1 : 0;
  return createImage(mask.width, mask.height, 1, out) as Mask;
}

/** Fills holes: background regions not 4-connected to the image border become set. */
export function fillHoles(mask: Mask): Mask {
  const { width: w, height: h } = mask;
  const bg = new Uint8Array(w * h);
  for (let i = 0; i < bg.length; i++) bg[i] = mask.data[i] ? 0 : 1;
  const { labels, count } = labelComponents({ width: w, height: h, data: bg }, { connectivity: 4 });
  const outside = new Uint8Array(count + 1);
  for (let x = 0; x < w; x++) {
    outside[labels[x]] = 1;
    outside[labels[(h - 1) * w + x]] = 1;
  }
  for (let y = 0; y < h; y++) {
    outside[labels[y * w]] = 1;
    outside[labels[y * w + w - 1]] = 1;
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] || !outside[labels[i]] ? 1 : 0;
  return createImage(w, h, 1, out) as Mask;
}
