import { createImage, type Image, type Mask } from '../image/types.js';
import { dilateMask, labelComponents, openMask } from './morphology.js';

export interface DetectOptions {
  /**
   * Radius (px at 512, scaled with the shorter side) of the opening that cuts off leaks: photo pixels that
   * happen to equal the fill value and touch the region. Default 3.
   */
  openRadius?: number;
  /** Candidates smaller than this fraction of the image are ignored. Default 0.001. */
  minCoverage?: number;
  /**
   * Inclusive range of plausible fill values; candidates outside it are down-weighted (not excluded).
   * Default [0, 255] (no prior). The competition's fills lie in [0, 86].
   */
  fillRange?: readonly [number, number];
  /**
   * Radius (px at 512) of a second, wider opening that cuts wide leaks such as the band of equal gray a smooth
   * sky gradient makes through the region. Default 8.
   */
  wideRadius?: number;
  /** How many constant regions to examine (the most likely by size and hard edges). Default 8. */
  maxCandidates?: number;
  /**
   * A region whose edge softness (the share of the pixels just outside it within 2 gray levels of its value) is at
   * least this is taken for a flat area of the photo, not a filled region, and is never returned. Default 0.6: on
   * 500 competition-style damages of 140 photos the lost region's softness was at most 0.35; on the same photos
   * undamaged, every constant region examined had at least 0.69. (A fill one gray level off a flat background,
   * e.g. 7 in a near-black 6, is as soft as the photo's own flat areas and goes undetected.)
   */
  maxSoftness?: number;
}

/** The detected lost region and what led to it. */
export interface DetectedRegion {
  /** Whether a lost region was found; false for an image with no constant, hard-edged region (an undamaged photo). */
  found: boolean;
  /** 1 where the pixel is judged lost (all 0 when none was found). */
  mask: Mask;
  /** The constant gray of the region, or -1 when none was found. */
  fill: number;
  /**
   * Examined candidates, best score first: gray value, raw size, refined size, edge softness (0..1), compactness
   * (4π area / ring², a diagnostic: 0.6-0.8 for drawn rectangles and ellipses) and score.
   */
  candidates: {
    value: number;
    size: number;
    refined: number;
    softness: number;
    compactness: number;
    score: number;
  }[];
}

/**
 * Estimates the lost region of a competition-style input (a gray photo with one region filled by a constant
 * gray), without the original. An image with no such region (an undamaged photo) gets an all-0 mask;
 * {@link detectLostRegionDetailed} says so with `found: false`, and describes the method.
 *
 * ```ts
 * const mask = detectLostRegion(input); // 1 = lost
 * ```
 */
export function detectLostRegion(input: Image, options: DetectOptions = {}): Mask {
  return detectLostRegionDetailed(input, options).mask;
}

/**
 * The detector behind {@link detectLostRegion}:
 * 1. label 8-connected regions of exactly equal gray; the candidates are the few with the largest size ×
 *    (1 − edge softness), so a small filled region is examined even where the photo has many larger flat areas;
 * 2. refine each: an opening by a small disk, then by a wider one, cuts leaks (photo pixels equal to the fill
 *    that touch the region, e.g. the iso-gray band of a smooth sky); the largest piece, with any other piece
 *    at least 5% of its size that is not soft-edged (a region drawn in several pieces), is the core. The
 *    candidate's pixels within the small radius (+1) of the core are kept, and so is every other piece of the
 *    candidate touching them that is small next to the core (extent at most half the core's, area at most a
 *    quarter) and not soft-edged (at most half of its outside neighbours within 2 gray levels of the fill):
 *    these are the corners and star tips the openings rounded off, while long bands, large flat areas and
 *    smooth-area leaks stay cut;
 * 3. score = refined size × (1 − softness), where softness is the share of the pixels just outside the region
 *    within 2 gray levels of its value (naturally flat areas fade into their surroundings, a filled region
 *    does not); further down-weighted for shapes spanning the whole width or height of the image (black
 *    bars, clipped borders), for ragged shapes (the openings removed more than half: texture, not a filled
 *    shape) and for values outside `fillRange`. The best candidate whose softness is under `maxSoftness` wins;
 *    with none, nothing is found (`found: false`, an all-0 mask).
 *
 * Limit: when the fill equals the gray of a flat area of the photo that touches the region, the two form one
 * constant blob and are returned together.
 */
export function detectLostRegionDetailed(input: Image, options: DetectOptions = {}): DetectedRegion {
  if (input.channels !== 1)
    throw new RangeError(
      `detectLostRegion: input must be a gray (1-channel) image, got ${input.channels} channels`,
    );
  const { width: w, height: h, data } = input;
  const scale = Math.min(w, h) / 512;
  const radius = Math.max(1, (options.openRadius ?? 3) * scale);
  const minSize = Math.max(16, (options.minCoverage ?? 0.001) * w * h);
  const [fLo, fHi] = options.fillRange ?? [0, 255];
  const maxCandidates = options.maxCandidates ?? 8;
  const maxSoftness = options.maxSoftness ?? 0.6;
  const wideRadius = Math.max(radius, (options.wideRadius ?? 8) * scale);

  const { labels, sizes } = labelComponents(input, { connectivity: 8, byValue: true });
  // Rank the constant regions by size x (1 - edge softness) before refining any: a photo has many flat areas
  // larger than a small lost region, but they fade into their surroundings and a filled region does not.
  const ring = new Int32Array(sizes.length);
  const softRing = new Int32Array(sizes.length);
  for (let y = 0, i = 0; y < h; y++)
    for (let x = 0; x < w; x++, i++) {
      const l = labels[i];
      if (sizes[l] < minSize) continue;
      const v = data[i];
      // 4-neighbours of another label hold another value (equal neighbours share a label).
      if (x > 0 && labels[i - 1] !== l) {
        ring[l]++;
        if (Math.abs(data[i - 1] - v) <= 2) softRing[l]++;
      }
      if (x < w - 1 && labels[i + 1] !== l) {
        ring[l]++;
        if (Math.abs(data[i + 1] - v) <= 2) softRing[l]++;
      }
      if (y > 0 && labels[i - w] !== l) {
        ring[l]++;
        if (Math.abs(data[i - w] - v) <= 2) softRing[l]++;
      }
      if (y < h - 1 && labels[i + w] !== l) {
        ring[l]++;
        if (Math.abs(data[i + w] - v) <= 2) softRing[l]++;
      }
    }
  const prior = (l: number) => sizes[l] * Math.max(0.02, ring[l] > 0 ? 1 - softRing[l] / ring[l] : 0);
  const order: number[] = [];
  for (let i = 1; i < sizes.length; i++) if (sizes[i] >= minSize) order.push(i);
  order.sort((a, b) => prior(b) - prior(a));
  order.length = Math.min(order.length, maxCandidates);
  // Bounding boxes of the candidates, so each is refined on a small crop (fast, and few large allocations).
  const boxes = new Map<number, { x0: number; y0: number; x1: number; y1: number; first: number }>();
  const slot: ({ x0: number; y0: number; x1: number; y1: number; first: number } | undefined)[] = new Array(
    sizes.length,
  );
  for (const label of order) {
    slot[label] = { x0: w, y0: h, x1: -1, y1: -1, first: -1 };
    boxes.set(label, slot[label]!);
  }
  for (let y = 0, i = 0; y < h; y++)
    for (let x = 0; x < w; x++, i++) {
      const b = slot[labels[i]];
      if (b === undefined) continue;
      if (b.first < 0) b.first = i;
      if (x < b.x0) b.x0 = x;
      if (x > b.x1) b.x1 = x;
      if (y < b.y0) b.y0 = y;
      if (y > b.y1) b.y1 = y;
    }

  let best:
    | { label: number; keep: Uint8Array; box: { x0: number; y0: number; cw: number }; score: number }
    | undefined;
  const candidates: DetectedRegion['candidates'] = [];
  const margin = Math.ceil(radius) + 2;
  for (const label of order) {
    const b = boxes.get(label)!;
    const value = data[b.first];
    const x0 = Math.max(0, b.x0 - margin);
    const y0 = Math.max(0, b.y0 - margin);
    const cw = Math.min(w - 1, b.x1 + margin) - x0 + 1;
    const ch = Math.min(h - 1, b.y1 + margin) - y0 + 1;
    const comp = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++) comp[y * cw + x] = labels[(y0 + y) * w + x0 + x] === label ? 1 : 0;
    const compMask = createImage(cw, ch, 1, comp) as Mask;
    const grayCrop = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++)
      grayCrop.set(data.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + cw), y * cw);
    const keep = refineCandidate(compMask, grayCrop, value, radius, wideRadius);
    let refined = 0;
    let minX = w;
    let maxX = -1;
    let minY = h;
    let maxY = -1;
    for (let y = 0, i = 0; y < ch; y++)
      for (let x = 0; x < cw; x++, i++) {
        if (keep[i]) {
          refined++;
          if (x + x0 < minX) minX = x + x0;
          if (x + x0 > maxX) maxX = x + x0;
          if (y + y0 < minY) minY = y + y0;
          if (y + y0 > maxY) maxY = y + y0;
        }
      }
    // Outer ring: pixels just outside the refined region. A filled region meets the photo with a step of
    // arbitrary size; a naturally flat area (clipped highlight, black background) fades into its surroundings,
    // so most of its ring is within 2 gray levels of its value.
    let ring = 0;
    let soft = 0;
    for (let y = 0, i = 0; y < ch; y++)
      for (let x = 0; x < cw; x++, i++) {
        if (keep[i]) continue;
        if (
          (x > 0 && keep[i - 1]) ||
          (x < cw - 1 && keep[i + 1]) ||
          (y > 0 && keep[i - cw]) ||
          (y < ch - 1 && keep[i + cw])
        ) {
          ring++;
          if (Math.abs(data[(y0 + y) * w + x0 + x] - value) <= 2) soft++;
        }
      }
    const softness = ring > 0 ? soft / ring : 1;
    // Isoperimetric quotient 4πA/P² (P counted as the outer ring's pixels): near 0.6-0.8 for a drawn rectangle or
    // ellipse, far lower for the ragged iso-gray areas of a photo.
    const compactness = ring > 0 ? (4 * Math.PI * refined) / (ring * ring) : 0;
    let score = refined * Math.max(0.02, 1 - softness);
    if (refined > 0) {
      if ((minX === 0 && maxX === w - 1) || (minY === 0 && maxY === h - 1)) score *= 0.25;
      if (refined < 0.5 * sizes[label]) score *= 0.5;
    }
    if (value < fLo || value > fHi) score *= 0.25;
    candidates.push({ value, size: sizes[label], refined, softness, compactness, score });
    if (softness < maxSoftness && (!best || score > best.score))
      best = { label, keep, box: { x0, y0, cw }, score };
  }
  candidates.sort((a, b) => b.score - a.score);
  const out = createImage(w, h, 1) as Mask;
  if (!best || best.score === 0) return { found: false, mask: out, fill: -1, candidates };
  const { keep, box } = best;
  for (let i = 0; i < keep.length; i++)
    if (keep[i]) out.data[(box.y0 + Math.floor(i / box.cw)) * w + box.x0 + (i % box.cw)] = 1;
  return { found: true, mask: out, fill: data[boxes.get(best.label)!.first], candidates };
}

/** Extent (largest bounding-box side) and area of the set pixels of `data` (width `w`). */
function extentOf(data: Uint8Array, w: number): { extent: number; area: number } {
  let x0 = Infinity;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  let area = 0;
  for (let i = 0; i < data.length; i++)
    if (data[i]) {
      area++;
      const y = (i / w) | 0;
      const x = i - y * w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  return { extent: area ? Math.max(x1 - x0 + 1, y1 - y0 + 1) : 0, area };
}

/** Step 2 of the detector on one candidate (a crop): returns the kept pixels. */
function refineCandidate(
  comp: Mask,
  gray: Uint8Array,
  value: number,
  radius: number,
  wideRadius: number,
): Uint8Array {
  const { width: cw, height: ch } = comp;
  let core = majorPieces(openMask(comp, radius), comp.data, gray, value);
  if (wideRadius > radius) {
    const wide = majorPieces(openMask(core, wideRadius), comp.data, gray, value);
    // Keep the wide opening only when it leaves a substantial core (thin shapes would vanish).
    if (extentOf(wide.data, cw).area >= 0.3 * extentOf(core.data, cw).area) core = wide;
  }
  const coreStats = extentOf(core.data, cw);
  const near = dilateMask(core, radius + 1);
  const keep = new Uint8Array(cw * ch);
  const rest = new Uint8Array(cw * ch);
  for (let i = 0; i < keep.length; i++) {
    if (!comp.data[i]) continue;
    if (near.data[i]) keep[i] = 1;
    else rest[i] = 1;
  }
  const pieces = labelComponents({ width: cw, height: ch, data: rest }, { connectivity: 8 });
  if (pieces.count === 0) return keep;
  // Per piece: bounding box, and whether it touches the kept pixels.
  const n = pieces.count + 1;
  const bx0 = new Int32Array(n).fill(cw);
  const bx1 = new Int32Array(n).fill(-1);
  const by0 = new Int32Array(n).fill(ch);
  const by1 = new Int32Array(n).fill(-1);
  const touches = new Uint8Array(n);
  const ring = new Int32Array(n);
  const softRing = new Int32Array(n);
  for (let y = 0, i = 0; y < ch; y++)
    for (let x = 0; x < cw; x++, i++) {
      const l = pieces.labels[i];
      if (!l) continue;
      if (x < bx0[l]) bx0[l] = x;
      if (x > bx1[l]) bx1[l] = x;
      if (y < by0[l]) by0[l] = y;
      if (y > by1[l]) by1[l] = y;
      // Ring: 4-neighbours outside the candidate. A leak (photo pixels equal to the fill) sits in a smooth
      // area, so its ring is mostly within 2 levels of the fill; a rounded-off tip of the shape is not.
      for (const q of [i - 1, i + 1, i - cw, i + cw]) {
        if (q < 0 || q >= rest.length || comp.data[q]) continue;
        if ((q === i - 1 && x === 0) || (q === i + 1 && x === cw - 1)) continue;
        ring[l]++;
        if (Math.abs(gray[q] - value) <= 2) softRing[l]++;
      }
      if (!touches[l])
        for (let dy = -1; dy <= 1 && !touches[l]; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < ch && xx >= 0 && xx < cw && keep[yy * cw + xx]) {
              touches[l] = 1;
              break;
            }
          }
    }
  const accept = new Uint8Array(n);
  for (let l = 1; l < n; l++) {
    const extent = Math.max(bx1[l] - bx0[l] + 1, by1[l] - by0[l] + 1);
    const soft = ring[l] > 0 && softRing[l] > 0.5 * ring[l];
    accept[l] =
      touches[l] && !soft && extent <= 0.5 * coreStats.extent && pieces.sizes[l] <= 0.25 * coreStats.area
        ? 1
        : 0;
  }
  for (let i = 0; i < keep.length; i++) if (accept[pieces.labels[i]]) keep[i] = 1;
  return keep;
}

/**
 * The largest piece of a mask plus every other piece at least 5% of its size whose outside neighbours (other
 * than the candidate's own pixels `comp`) are mostly farther than 2 gray levels from `value`: a region drawn as several pieces (a
 * self-intersecting polygon) stays whole, while flat photo areas of the same gray stay out.
 */
function majorPieces(mask: Mask, comp: Uint8Array, gray: Uint8Array, value: number): Mask {
  const { width: w, height: h } = mask;
  const { labels, sizes, count } = labelComponents(mask, { connectivity: 8 });
  if (count <= 1) return mask;
  let largest = 1;
  for (let l = 2; l <= count; l++) if (sizes[l] > sizes[largest]) largest = l;
  const ring = new Int32Array(count + 1);
  const soft = new Int32Array(count + 1);
  for (let y = 0, i = 0; y < h; y++)
    for (let x = 0; x < w; x++, i++) {
      const l = labels[i];
      if (!l || l === largest || sizes[l] < 0.05 * sizes[largest]) continue;
      for (let k = 0; k < 4; k++) {
        const xx = k === 0 ? x - 1 : k === 1 ? x + 1 : x;
        const yy = k === 2 ? y - 1 : k === 3 ? y + 1 : y;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const q = yy * w + xx;
        if (comp[q]) continue; // the candidate's own pixels (cut by the opening) say nothing
        ring[l]++;
        if (Math.abs(gray[q] - value) <= 2) soft[l]++;
      }
    }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const l = labels[i];
    if (
      l &&
      (l === largest || (sizes[l] >= 0.05 * sizes[largest] && ring[l] > 0 && soft[l] <= 0.5 * ring[l]))
    )
      out[i] = 1;
  }
  return createImage(w, h, 1, out) as Mask;
}
