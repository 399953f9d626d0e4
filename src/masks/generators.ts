/**
 * Seeded mask generators. A {@link MaskGenerator} draws one mask from an {@link Rng}; the same seed gives the
 * same mask on every platform. Sizes in options are **pixels at 512x512** and scale with the image's shorter
 * side (`scale = min(width, height) / 512`), so a preset keeps its look at other resolutions.
 * @module
 */
import type { Mask } from '../image/types.js';
import { labelComponents, largestComponent } from './morphology.js';
import { createRng, type Rng } from '../random/rng.js';
import {
  drawThickLine,
  emptyMask,
  fillEllipse,
  fillPolygon,
  fillRect,
  maskArea,
  type Polygon,
} from './raster.js';

/** Draws one mask (1 = lost) of the given size. Must take all its randomness from `rng`. */
export type MaskGenerator = (rng: Rng, width: number, height: number) => Mask;

/** A closed range `[min, max]`. */
export type Range = readonly [number, number];

function checkRange(name: string, r: Range, min = -Infinity): void {
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1]) || r[0] < min)
    throw new RangeError(
      `${name}: expected a range [min, max] with ${min} <= min <= max, got ${JSON.stringify(r)}`,
    );
}

const scaleOf = (width: number, height: number): number => Math.min(width, height) / 512;

/** Which polygon family: `random` vertices (may self-intersect), `star`-shaped around a center, or `convex`. */
export type PolygonShape = 'random' | 'star' | 'convex';

export interface PolygonOptions {
  /** Families to draw from, uniformly. Default all three. */
  shapes?: readonly PolygonShape[];
  /** Number of vertices, inclusive. Default [3, 20]. */
  points?: Range;
  /** Side lengths of the bounding box the polygon is scaled into (px at 512). Default [50, 512]. */
  boxSize?: Range;
  /** Retry while the filled area is below this many pixels (at 512). Default 25^2 = 625. */
  minArea?: number;
  /** Retries before giving up with an error. Default 100. */
  maxTries?: number;
}

/** Vertex rows/cols of a polygon of family `shape` with `n` points, normalized to the unit square [0, 1]^2. */
export function unitPolygon(rng: Rng, shape: PolygonShape, n: number): Polygon {
  const rows: number[] = [];
  const cols: number[] = [];
  if (shape === 'random') {
    for (let i = 0; i < n; i++) {
      rows.push(rng.float());
      cols.push(rng.float());
    }
  } else {
    // Sorted angles around a center: distinct radii give a star-shaped polygon, equal radii a convex one.
    const angles: number[] = [];
    for (let i = 0; i < n; i++) angles.push(rng.float() * 2 * Math.PI);
    angles.sort((a, b) => a - b);
    for (const a of angles) {
      const radius = shape === 'star' ? rng.uniform(0.3, 1) : 1;
      rows.push(radius * Math.sin(a));
      cols.push(radius * Math.cos(a));
    }
  }
  return normalizePolygon({ rows, cols });
}

/** Maps a polygon's bounding box onto the unit square (a degenerate axis maps to 0.5). */
function normalizePolygon(p: Polygon): Polygon {
  const norm = (v: readonly number[]): number[] => {
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    return v.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0.5));
  };
  return { rows: norm(p.rows), cols: norm(p.cols) };
}

/** Scales a unit polygon into the box with top-left (top, left) and the given size in pixels (inclusive ends). */
function placePolygon(p: Polygon, top: number, left: number, height: number, width: number): Polygon {
  return {
    rows: p.rows.map((r) => top + r * (height - 1)),
    cols: p.cols.map((c) => left + c * (width - 1)),
  };
}

/**
 * Random polygons like the generator participants trained with: a random box (sides in `boxSize`, fully
 * inside the image), 3–20 points of a random / star-shaped / convex polygon scaled into the box, rasterized
 * like `skimage.draw.polygon2mask`, retried while the area is under `minArea`.
 *
 * ```ts
 * const gen = polygonMask({ shapes: ['star'] });
 * const mask = gen(createRng(1), 512, 512);
 * ```
 */
export function polygonMask(options: PolygonOptions = {}): MaskGenerator {
  const shapes = options.shapes ?? (['random', 'star', 'convex'] as const);
  const points = options.points ?? [3, 20];
  const boxSize = options.boxSize ?? [50, 512];
  const minArea = options.minArea ?? 625;
  const maxTries = options.maxTries ?? 100;
  if (shapes.length === 0) throw new RangeError('polygonMask: shapes must not be empty');
  for (const s of shapes)
    if (s !== 'random' && s !== 'star' && s !== 'convex')
      throw new RangeError(`polygonMask: unknown shape '${s}', expected random, star or convex`);
  checkRange('polygonMask: points', points, 1);
  checkRange('polygonMask: boxSize', boxSize, 1);
  return (rng, width, height) => {
    const s = scaleOf(width, height);
    for (let t = 0; t < maxTries; t++) {
      const bh = Math.min(height, rng.int(Math.round(boxSize[0] * s), Math.round(boxSize[1] * s)));
      const bw = Math.min(width, rng.int(Math.round(boxSize[0] * s), Math.round(boxSize[1] * s)));
      const top = rng.int(0, height - bh);
      const left = rng.int(0, width - bw);
      const shape = rng.pick(shapes);
      const n = rng.int(points[0], points[1]);
      const mask = emptyMask(width, height);
      const area = fillPolygon(mask, placePolygon(unitPolygon(rng, shape, n), top, left, bh, bw));
      if (area >= minArea * s * s) return mask;
    }
    throw new Error(`polygonMask: no polygon reached minArea ${minArea} in ${maxTries} tries`);
  };
}

export interface RectangleOptions {
  /** Side lengths (px at 512), inclusive. Default [90, 150]. */
  sides?: Range;
}

/** Axis-aligned rectangles fully inside the image. */
export function rectangleMask(options: RectangleOptions = {}): MaskGenerator {
  const sides = options.sides ?? [90, 150];
  checkRange('rectangleMask: sides', sides, 1);
  return (rng, width, height) => {
    const s = scaleOf(width, height);
    const h = Math.min(height, rng.int(Math.round(sides[0] * s), Math.round(sides[1] * s)));
    const w = Math.min(width, rng.int(Math.round(sides[0] * s), Math.round(sides[1] * s)));
    const mask = emptyMask(width, height);
    fillRect(mask, rng.int(0, height - h), rng.int(0, width - w), h, w);
    return mask;
  };
}

export interface EllipseOptions {
  /** Diameter along the first axis (px at 512). Default [120, 160]. */
  diameter?: Range;
  /** Ratio of the second axis to the first; [1, 1] draws circles. Default [1, 1]. */
  aspect?: Range;
  /** Draw a random rotation in [0, pi). Default false. */
  rotate?: boolean;
}

/** Ellipses (circles by default) fully inside the image, rasterized like `skimage.draw.ellipse`. */
export function ellipseMask(options: EllipseOptions = {}): MaskGenerator {
  const diameter = options.diameter ?? [120, 160];
  const aspect = options.aspect ?? [1, 1];
  checkRange('ellipseMask: diameter', diameter, 1);
  checkRange('ellipseMask: aspect', aspect, 0.01);
  return (rng, width, height) => {
    const s = scaleOf(width, height);
    const ra = (rng.uniform(diameter[0], diameter[1]) * s) / 2;
    const rb = ra * rng.uniform(aspect[0], aspect[1]);
    const rot = options.rotate ? rng.float() * Math.PI : 0;
    const ext = Math.min(Math.max(ra, rb), Math.min(width, height) / 2);
    const row = rng.uniform(ext, height - ext);
    const col = rng.uniform(ext, width - ext);
    const mask = emptyMask(width, height);
    fillEllipse(mask, row, col, ra, rb, rot);
    return mask;
  };
}

export interface StrokeOptions {
  /** Number of strokes, inclusive. */
  times?: Range;
  /** Maximal brush width (px at 512); each segment draws `5 + int(0..maxWidth-1)`. */
  maxWidth?: number;
  /** Maximal turning angle per segment, radians. */
  maxAngle?: number;
  /** Maximal segment length (px at 512); each draws `10 + uniform(0, maxLen)`. */
  maxLen?: number;
}

/**
 * Free-form brush strokes in the style of LaMa's irregular masks: each stroke starts at a random point and
 * makes 1–5 segments with a random angle, length and brush width, drawn as round-capped thick lines.
 */
export function strokeMask(options: StrokeOptions = {}): MaskGenerator {
  const times = options.times ?? [4, 10];
  const maxWidth = options.maxWidth ?? 100;
  const maxAngle = options.maxAngle ?? 4;
  const maxLen = options.maxLen ?? 200;
  checkRange('strokeMask: times', times, 0);
  return (rng, width, height) => {
    const s = scaleOf(width, height);
    const mask = emptyMask(width, height);
    const n = rng.int(times[0], times[1]);
    for (let i = 0; i < n; i++) {
      let r = rng.int(0, height - 1);
      let c = rng.int(0, width - 1);
      const segments = 1 + rng.int(0, 4);
      for (let j = 0; j < segments; j++) {
        let angle = 0.01 + rng.float() * maxAngle;
        if (i % 2 === 0) angle = 2 * Math.PI - angle;
        const len = (10 + rng.float() * maxLen) * s;
        const brush = (5 + rng.int(0, Math.max(0, Math.round(maxWidth) - 1))) * s;
        const r1 = Math.min(height - 1, Math.max(0, Math.round(r + len * Math.sin(angle))));
        const c1 = Math.min(width - 1, Math.max(0, Math.round(c + len * Math.cos(angle))));
        drawThickLine(mask, r, c, r1, c1, brush);
        r = r1;
        c = c1;
      }
    }
    return mask;
  };
}

export interface BoxOptions {
  /** Number of boxes, inclusive. Default [1, 3]. */
  times?: Range;
  /** Side lengths (px at 512). Default [30, 150]. */
  size?: Range;
  /** Distance kept from the image border (px at 512). Default 0. */
  margin?: number;
}

/** Axis-aligned boxes in the style of LaMa's box masks (several may overlap). */
export function boxMask(options: BoxOptions = {}): MaskGenerator {
  const times = options.times ?? [1, 3];
  const size = options.size ?? [30, 150];
  const margin = options.margin ?? 0;
  checkRange('boxMask: times', times, 0);
  checkRange('boxMask: size', size, 1);
  return (rng, width, height) => {
    const s = scaleOf(width, height);
    const m = Math.round(margin * s);
    const mask = emptyMask(width, height);
    const n = rng.int(times[0], times[1]);
    for (let i = 0; i < n; i++) {
      const h = Math.max(
        1,
        Math.min(height - 2 * m, rng.int(Math.round(size[0] * s), Math.round(size[1] * s))),
      );
      const w = Math.max(
        1,
        Math.min(width - 2 * m, rng.int(Math.round(size[0] * s), Math.round(size[1] * s))),
      );
      fillRect(mask, rng.int(m, Math.max(m, height - m - h)), rng.int(m, Math.max(m, width - m - w)), h, w);
    }
    return mask;
  };
}

/** Union of the masks of several generators, each drawn with probability `p` (default 1). */
export function unionMask(parts: readonly { generator: MaskGenerator; p?: number }[]): MaskGenerator {
  return (rng, width, height) => {
    const out = emptyMask(width, height);
    for (const part of parts) {
      // Draw the coin first so the stream does not depend on whether earlier parts fired.
      const fire = rng.chance(part.p ?? 1);
      const sub = rng.fork();
      if (!fire) continue;
      const m = part.generator(sub, width, height);
      for (let i = 0; i < out.data.length; i++) if (m.data[i]) out.data[i] = 1;
    }
    return out;
  };
}

/** Picks one generator per mask with probability proportional to its weight. */
export function mixedMask(parts: readonly { generator: MaskGenerator; weight: number }[]): MaskGenerator {
  if (parts.length === 0) throw new RangeError('mixedMask: needs at least one generator');
  const total = parts.reduce((a, p) => a + p.weight, 0);
  for (const p of parts)
    if (!(p.weight >= 0)) throw new RangeError(`mixedMask: weights must be >= 0, got ${p.weight}`);
  if (!(total > 0)) throw new RangeError('mixedMask: weights must not all be 0');
  return (rng, width, height) => {
    let u = rng.float() * total;
    for (const p of parts) {
      if (u < p.weight) return p.generator(rng, width, height);
      u -= p.weight;
    }
    return parts[parts.length - 1].generator(rng, width, height);
  };
}

export interface CoverageOptions {
  /** Minimal fraction of lost pixels. Default 0. */
  min?: number;
  /** Maximal fraction of lost pixels (the cap). Default 1. */
  max?: number;
  /** Draws before giving up. Default 50. When none fits, the draw closest to the range is returned. */
  maxTries?: number;
}

/**
 * Coverage cap: redraws until the lost fraction is within [min, max]. If no draw fits within `maxTries`,
 * returns the draw closest to the range (never loops forever).
 */
export function withCoverage(generator: MaskGenerator, options: CoverageOptions): MaskGenerator {
  const min = options.min ?? 0;
  const max = options.max ?? 1;
  const maxTries = options.maxTries ?? 50;
  if (!(min >= 0 && min <= max && max <= 1))
    throw new RangeError(`withCoverage: expected 0 <= min <= max <= 1, got min ${min}, max ${max}`);
  return (rng, width, height) => {
    let best: Mask | undefined;
    let bestGap = Infinity;
    for (let t = 0; t < maxTries; t++) {
      const m = generator(rng, width, height);
      const cov = maskArea(m) / (width * height);
      const gap = cov < min ? min - cov : cov > max ? cov - max : 0;
      if (gap === 0) return m;
      if (gap < bestGap) {
        best = m;
        bestGap = gap;
      }
    }
    return best as Mask;
  };
}

/**
 * Redraws until the mask is one 8-connected piece (thin star tips can rasterize into stray pixels); after
 * `maxTries` draws it keeps the largest piece of the last draw.
 */
export function connectedMask(generator: MaskGenerator, maxTries = 20): MaskGenerator {
  return (rng, width, height) => {
    let m = generator(rng, width, height);
    for (let t = 1; t < maxTries && labelComponents(m, { connectivity: 8 }).count > 1; t++)
      m = generator(rng, width, height);
    return labelComponents(m, { connectivity: 8 }).count > 1 ? largestComponent(m) : m;
  };
}

/** Names of the built-in presets. */
export type MaskPresetName = 'competition' | 'participants' | 'lama-thin' | 'lama-medium' | 'lama-thick';

/** A preset: a generator and the fill gray range that goes with it. */
export interface MaskPreset {
  generator: MaskGenerator;
  /** Default range of the constant fill value, inclusive. */
  fill: Range;
  description: string;
}

/**
 * The built-in presets:
 * - `competition`: the distribution seen in the DACON 2024 inputs — one connected shape: a rectangle (sides
 *   90–150 px), a circle (120–160 px across), a triangle (box up to 330x480), or a star-shaped or convex polygon
 *   (3–20 points), redrawn until it is one 8-connected piece covering 4–11% of the image; fill gray 0–86.
 * - `participants`: the generator participants trained with ({@link polygonMask} defaults); fill 0–255.
 * - `lama-thin` / `lama-medium` / `lama-thick`: free-form strokes (+ boxes for medium/thick) in the style of
 *   LaMa's 512 presets (parameters from memory of its configs, not verified), medium and thick redrawn while
 *   they cover more than half the image; fill 0–255.
 */
export function maskPreset(name: MaskPresetName): MaskPreset {
  switch (name) {
    case 'competition': {
      const polygons = (shapes: PolygonShape[], points: Range, boxSize: Range): MaskGenerator =>
        polygonMask({ shapes, points, boxSize, minArea: 0 });
      const triangle: MaskGenerator = (rng, w, h) => {
        const s = scaleOf(w, h);
        const bh = Math.min(h, rng.int(Math.round(120 * s), Math.round(480 * s)));
        const bw = Math.min(w, rng.int(Math.round(100 * s), Math.round(330 * s)));
        const mask = emptyMask(w, h);
        const unit = unitPolygon(rng, 'convex', 3);
        fillPolygon(mask, placePolygon(unit, rng.int(0, h - bh), rng.int(0, w - bw), bh, bw));
        return mask;
      };
      const generator = withCoverage(
        connectedMask(
          mixedMask([
            { generator: rectangleMask({ sides: [90, 150] }), weight: 0.25 },
            { generator: ellipseMask({ diameter: [120, 160] }), weight: 0.15 },
            { generator: triangle, weight: 0.15 },
            { generator: polygons(['star'], [3, 20], [100, 260]), weight: 0.25 },
            { generator: polygons(['convex'], [3, 20], [100, 260]), weight: 0.2 },
          ]),
        ),
        { min: 0.04, max: 0.11, maxTries: 100 },
      );
      return { generator, fill: [0, 86], description: 'DACON 2024 competition-style single shape' };
    }
    case 'participants':
      return {
        generator: polygonMask(),
        fill: [0, 255],
        description: 'random/star/convex polygons in a box',
      };
    case 'lama-thin':
      return {
        generator: strokeMask({ times: [4, 50], maxWidth: 10, maxAngle: 4, maxLen: 40 }),
        fill: [0, 255],
        description: 'LaMa-style thin strokes',
      };
    case 'lama-medium':
      return {
        generator: withCoverage(
          unionMask([
            { generator: strokeMask({ times: [4, 10], maxWidth: 100, maxAngle: 4, maxLen: 200 }) },
            { generator: boxMask({ times: [1, 5], size: [30, 150], margin: 0 }), p: 0.3 },
          ]),
          { max: 0.5 },
        ),
        fill: [0, 255],
        description: 'LaMa-style medium strokes and boxes',
      };
    case 'lama-thick':
      return {
        generator: withCoverage(
          unionMask([
            { generator: strokeMask({ times: [1, 5], maxWidth: 250, maxAngle: 4, maxLen: 450 }) },
            { generator: boxMask({ times: [1, 4], size: [30, 300], margin: 10 }), p: 0.5 },
          ]),
          { max: 0.5 },
        ),
        fill: [0, 255],
        description: 'LaMa-style thick strokes and boxes',
      };
    default:
      throw new RangeError(
        `maskPreset: unknown preset '${String(name)}', expected competition, participants, lama-thin, lama-medium or lama-thick`,
      );
  }
}

/** All preset names, for CLIs and docs. */
export const MASK_PRESETS: readonly MaskPresetName[] = [
  'competition',
  'participants',
  'lama-thin',
  'lama-medium',
  'lama-thick',
];

/** Draws one mask from a generator with a fresh generator seeded by `seed`. */
export function generateMask(generator: MaskGenerator, seed: number, width: number, height: number): Mask {
  return generator(createRng(seed), width, height);
}
