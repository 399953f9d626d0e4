/**
 * Classical inpainting: Telea's fast-marching method (A. Telea, "An image inpainting technique based on the fast
 * marching method", J. Graphics Tools 9(1), 2004), the algorithm behind OpenCV's `cv2.INPAINT_TELEA`.
 * Plain images only (no tfjs).
 * @module
 */
import { createImage, type Image, type Mask } from './types.js';

/** Options of {@link inpaintTelea}. */
export interface InpaintOptions {
  /**
   * Radius of the neighbourhood each filled pixel is estimated from, in pixels (OpenCV's `inpaintRadius`);
   * default 5.
   */
  radius?: number;
}

const KNOWN = 0;
const BAND = 1;
const INSIDE = 2;
const CHANGE = 3;
const FAR = 1e6;
const F = Math.fround;

/** A binary min-heap of pixel indices keyed by arrival time; equal times pop in push order (first in, first out). */
class Heap {
  private idx = new Int32Array(1024);
  private key = new Float64Array(1024);
  private order = new Float64Array(1024);
  private n = 0;
  private count = 0;
  get size(): number {
    return this.n;
  }
  private less(a: number, b: number): boolean {
    return this.key[a] < this.key[b] || (this.key[a] === this.key[b] && this.order[a] < this.order[b]);
  }
  private move(to: number, from: number): void {
    this.idx[to] = this.idx[from];
    this.key[to] = this.key[from];
    this.order[to] = this.order[from];
  }
  private swap(a: number, b: number): void {
    const [i, k, o] = [this.idx[a], this.key[a], this.order[a]];
    this.move(a, b);
    [this.idx[b], this.key[b], this.order[b]] = [i, k, o];
  }
  push(pixel: number, t: number): void {
    if (this.n === this.idx.length) this.grow();
    let c = this.n++;
    [this.idx[c], this.key[c], this.order[c]] = [pixel, t, this.count++];
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!this.less(c, p)) break;
      this.swap(c, p);
      c = p;
    }
  }
  pop(): number {
    const top = this.idx[0];
    if (--this.n > 0) {
      this.move(0, this.n);
      for (let p = 0; ;) {
        const l = 2 * p + 1;
        let m = p;
        if (l < this.n && this.less(l, m)) m = l;
        if (l + 1 < this.n && this.less(l + 1, m)) m = l + 1;
        if (m === p) break;
        this.swap(p, m);
        p = m;
      }
    }
    return top;
  }
  private grow(): void {
    const cap = this.idx.length * 2;
    for (const k of ['idx', 'key', 'order'] as const) {
      const a = new (this[k].constructor as Float64ArrayConstructor)(cap);
      a.set(this[k]);
      (this as unknown as Record<string, unknown>)[k] = a;
    }
  }
}

/**
 * The fast-marching grid: flags and arrival times on the image plus a one-pixel border (index `(y + 1) * W + x +
 * 1` for image pixel (x, y)), as OpenCV lays it out.
 */
interface Grid {
  W: number;
  H: number;
  flags: Uint8Array;
  t: Float32Array;
}

/** Arrival time from the two neighbours `a` and `b` (float32 result, double arithmetic, as OpenCV). */
function solvePair(g: Grid, a: number, b: number): number {
  const ta = g.t[a];
  const tb = g.t[b];
  const m = Math.min(ta, tb);
  const aIn = g.flags[a] === INSIDE;
  const bIn = g.flags[b] === INSIDE;
  let sol: number;
  if (!aIn && !bIn)
    sol = Math.abs(ta - tb) >= 1 ? 1 + m : (ta + tb + Math.sqrt(2 - (ta - tb) * (ta - tb))) * 0.5;
  else if (!aIn) sol = 1 + ta;
  else if (!bIn) sol = 1 + tb;
  else sol = 1 + m;
  return F(sol);
}

/** Arrival time at grid cell `i`: the least over its four pairs of axis neighbours. */
function arrival(g: Grid, i: number): number {
  const { W } = g;
  return Math.min(
    Math.min(solvePair(g, i - W, i - 1), solvePair(g, i + W, i - 1)),
    Math.min(solvePair(g, i - W, i + 1), solvePair(g, i + W, i + 1)),
  );
}

/** Pushes every nonzero cell of `cells` with time 0, in row-major order. */
function pushAll(heap: Heap, cells: Uint8Array): void {
  for (let i = 0; i < cells.length; i++) if (cells[i]) heap.push(i, 0);
}

/** `dilate(region)` with a (2r+1)-square (r = 0: the 4-neighbour cross) minus the region, border cleared. */
function ring(region: Uint8Array, W: number, H: number, r: number): Uint8Array {
  const out = new Uint8Array(W * H);
  for (let y = 1; y < H - 1; y++)
    for (let x = 1; x < W - 1; x++) {
      if (!region[y * W + x]) continue;
      if (r === 0) {
        for (const j of [y * W + x - 1, y * W + x + 1, (y - 1) * W + x, (y + 1) * W + x]) out[j] = 1;
        continue;
      }
      for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r); yy++)
        for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) out[yy * W + xx] = 1;
    }
  for (let i = 0; i < W * H; i++) if (region[i]) out[i] = 0;
  for (let x = 0; x < W; x++) out[x] = out[(H - 1) * W + x] = 0;
  for (let y = 0; y < H; y++) out[y * W] = out[y * W + W - 1] = 0;
  return out;
}

/**
 * Fills the masked pixels of an image by Telea's fast-marching inpainting, a port of OpenCV's `cv2.inpaint(image,
 * mask, radius, cv2.INPAINT_TELEA)`: the lost region is filled from its boundary inwards, each pixel a weighted
 * average of the known pixels within `radius` (weighted by distance, by alignment with the boundary's normal and
 * by closeness in arrival time) plus OpenCV's first-order correction term. Arithmetic follows OpenCV's float32
 * and double steps, its tie order (first in, first out) and its border handling. Pixels outside the mask are
 * copied byte for byte; 1- or 3-channel images (the channels share the weights).
 *
 * Agreement with OpenCV 4.6 on the golden fixtures is stated in `test/image-inpaint.test.ts`.
 *
 * ```ts
 * const filled = inpaintTelea(damagedGray, detectLostRegion(damagedGray)); // a model-free restoration
 * ```
 */
export function inpaintTelea(image: Image, mask: Mask, options: InpaintOptions = {}): Image {
  const { width: w, height: h, channels: c } = image;
  if (mask.width !== w || mask.height !== h || mask.channels !== 1)
    throw new RangeError(
      `inpaintTelea: mask is ${mask.width}x${mask.height}x${mask.channels}, expected ${w}x${h}x1 like the image`,
    );
  if (c !== 1 && c !== 3) throw new RangeError(`inpaintTelea: image must have 1 or 3 channels, got ${c}`);
  const radius = options.radius ?? 5;
  if (!(Number.isFinite(radius) && radius > 0))
    throw new RangeError(`inpaintTelea: radius must be a positive number, got ${String(options.radius)}`);
  const range = Math.min(100, Math.max(1, Math.round(radius)));
  const out = image.data.slice();
  const W = w + 2;
  const H = h + 2;
  const region = new Uint8Array(W * H);
  let lost = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (mask.data[y * w + x]) {
        region[(y + 1) * W + x + 1] = 1;
        lost++;
      }
  if (lost === 0) return createImage(w, h, c, out);

  // The narrow band (known pixels touching the region) starts at time 0; a ring of known pixels within `range`
  // of the region gets negative distances by marching outwards; everything else known stays at FAR.
  const band = ring(region, W, H, 0);
  const t = new Float32Array(W * H).fill(FAR);
  for (let i = 0; i < W * H; i++) if (band[i]) t[i] = 0;
  const outer: Grid = {
    W,
    H,
    flags: ring(region, W, H, range).map((v, i) => (band[i] ? BAND : v ? INSIDE : KNOWN)),
    t,
  };
  const outHeap = new Heap();
  pushAll(outHeap, band);
  march(outer, outHeap, () => undefined, CHANGE);
  for (let i = 0; i < W * H; i++) if (outer.flags[i] === CHANGE) t[i] = -t[i];

  const grid: Grid = { W, H, flags: region.map((v, i) => (v ? INSIDE : band[i] ? BAND : KNOWN)), t };
  const { flags } = grid;
  const heap = new Heap();
  pushAll(heap, band);
  const Ia = new Float32Array(c);
  const Jx = new Float32Array(c);
  const Jy = new Float32Array(c);
  const sw = new Float32Array(c);
  const notIn = (i: number) => flags[i] !== INSIDE;
  const px = (y: number, x: number, k: number) => out[(y * w + x) * c + k];
  march(grid, heap, (i, ti) => {
    const y = (i / W) | 0;
    const x = i - y * W;
    const gtx = gradient(t, notIn, i, 1, ti);
    const gty = gradient(t, notIn, i, W, ti);
    Ia.fill(0);
    Jx.fill(0);
    Jy.fill(0);
    sw.fill(F(1e-20));
    for (let k = y - range; k <= y + range; k++) {
      if (k <= 0 || k >= H - 1) continue;
      // OpenCV's quirky indices for the image gradient at the first and last rows/columns.
      const km = k - 1 + (k === 1 ? 1 : 0);
      const kp = k - 1 - (k === H - 2 ? 1 : 0);
      for (let l = x - range; l <= x + range; l++) {
        if (l <= 0 || l >= W - 1) continue;
        const q = k * W + l;
        if (flags[q] === INSIDE || (l - x) * (l - x) + (k - y) * (k - y) > range * range) continue;
        const lm = l - 1 + (l === 1 ? 1 : 0);
        const lp = l - 1 - (l === W - 2 ? 1 : 0);
        const ry = y - k;
        const rx = x - l;
        const vl = F(rx * rx + ry * ry);
        const dst = F(1 / F(vl * F(Math.sqrt(vl))));
        const lev = F(1 / F(1 + Math.abs(F(t[q] - ti))));
        let dir = F(F(rx * gtx) + F(ry * gty));
        if (Math.abs(dir) <= 0.01) dir = F(0.000001);
        const wgt = Math.abs(F(F(dst * lev) * dir));
        const right = notIn(q + 1);
        const left = notIn(q - 1);
        const down = notIn(q + W);
        const up = notIn(q - W);
        for (let ch = 0; ch < c; ch++) {
          let gx = 0;
          if (right)
            gx = left ? (px(km, lp + 1, ch) - px(km, lm - 1, ch)) * 2 : px(km, lp + 1, ch) - px(km, lm, ch);
          else if (left) gx = px(km, lp, ch) - px(km, lm - 1, ch);
          let gy = 0;
          if (down)
            gy = up ? (px(kp + 1, lm, ch) - px(km - 1, lm, ch)) * 2 : px(kp + 1, lm, ch) - px(km, lm, ch);
          else if (up) gy = px(kp, lm, ch) - px(km - 1, lm, ch);
          Ia[ch] = F(Ia[ch] + F(wgt * px(k - 1, l - 1, ch)));
          Jx[ch] = F(Jx[ch] - F(wgt * F(gx * rx)));
          Jy[ch] = F(Jy[ch] - F(wgt * F(gy * ry)));
          sw[ch] = F(sw[ch] + wgt);
        }
      }
    }
    for (let ch = 0; ch < c; ch++) {
      const norm = F(F(Math.sqrt(F(F(Jx[ch] * Jx[ch]) + F(Jy[ch] * Jy[ch])))) + F(1e-20));
      const sat = F(F(Ia[ch] / sw[ch]) + F(F(Jx[ch] + Jy[ch]) / norm));
      out[((y - 1) * w + x - 1) * c + ch] = roundHalfEven(sat + ROUND_OFFSET);
    }
  });
  return createImage(w, h, c, out);
}

/** OpenCV rounds the filled value after adding one half (its `round_cast`), so it rounds up by about a half. */
const ROUND_OFFSET = 0.5;

/** Round half to even and saturate to 0..255 (OpenCV's `cvRound` + `saturate_cast<uchar>`). */
function roundHalfEven(v: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * The fast-marching loop: pops the earliest cell, marks it `done`, and gives each inside 4-neighbour its arrival
 * time, hands it to `visit`, and pushes it as band.
 */
function march(g: Grid, heap: Heap, visit: (i: number, t: number) => void, done = KNOWN): void {
  const { W, H, flags, t } = g;
  while (heap.size > 0) {
    const i = heap.pop();
    flags[i] = done;
    for (const j of [i - W, i - 1, i + W, i + 1]) {
      const y = (j / W) | 0;
      const x = j - y * W;
      if (y <= 0 || x <= 0 || y >= H - 1 || x >= W - 1) continue;
      if (flags[j] !== INSIDE) continue;
      const tj = arrival(g, j);
      t[j] = tj;
      visit(j, tj);
      flags[j] = BAND;
      heap.push(j, tj);
    }
  }
}

/** OpenCV's one-sided or central difference of T at cell `i` along `step` (1: x, W: y). */
function gradient(
  t: Float32Array,
  notIn: (i: number) => boolean,
  i: number,
  step: number,
  ti: number,
): number {
  const a = notIn(i + step);
  const b = notIn(i - step);
  if (a && b) return F(F(t[i + step] - t[i - step]) * 0.5);
  if (a) return F(t[i + step] - ti);
  if (b) return F(ti - t[i - step]);
  return 0;
}
