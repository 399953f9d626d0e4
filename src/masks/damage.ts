import { toGray } from '../image/color.js';
import { assertSameSize, createImage, type Image, type Mask } from '../image/types.js';
import { maskPreset, type MaskGenerator, type MaskPresetName, type Range } from './generators.js';
import { createRng, type Rng } from '../random/rng.js';
import { competitionMask } from '../metrics/competition.js';

export interface DamageOptions {
  /** Seed of the draw (mask, then fill). Default 0. Ignored when `rng` is given. */
  seed?: number;
  /** A generator to draw from instead of `seed` (advanced: shares a stream across calls). */
  rng?: Rng;
  /** A preset name or a custom generator. Default `'competition'`. */
  generator?: MaskPresetName | MaskGenerator;
  /** A given mask instead of a generated one (1 = lost). */
  mask?: Mask;
  /** The fill gray: one value or an inclusive range to draw from. Default: the preset's range, else [0, 255]. */
  fill?: number | Range;
}

/** One damaged sample in the competition's form. */
export interface DamagedSample {
  /** Gray image (Pillow `convert('L')`) with every lost pixel set to `fill`. */
  input: Image;
  /** 1 where lost. */
  mask: Mask;
  /** The original photo (a copy; RGB if the photo was RGB). */
  gt: Image;
  /** The fill gray that was used. */
  fill: number;
}

/**
 * Damages a photo like the competition: converts it to gray exactly like Pillow `convert('L')` and fills one
 * lost region with a single constant gray. The mask is drawn first, then the fill, both from `seed`.
 *
 * ```ts
 * const { input, mask, gt } = damage(photo, { seed: 7 }); // competition-style
 * const strokes = damage(photo, { seed: 7, generator: 'lama-thick', fill: [0, 255] });
 * ```
 */
export function damage(photo: Image, options: DamageOptions = {}): DamagedSample {
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const gen = options.generator ?? 'competition';
  let generator: MaskGenerator;
  let fillRange: Range = [0, 255];
  if (typeof gen === 'string') {
    const preset = maskPreset(gen);
    generator = preset.generator;
    fillRange = preset.fill;
  } else generator = gen;
  if (options.fill !== undefined)
    fillRange = typeof options.fill === 'number' ? [options.fill, options.fill] : options.fill;
  const [lo, hi] = fillRange;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > 255 || lo > hi)
    throw new RangeError(
      `damage: fill must be an integer or range within 0..255, got ${JSON.stringify(options.fill)}`,
    );
  let mask: Mask;
  if (options.mask) {
    assertSameSize(photo, options.mask, 'damage: photo and mask');
    if (options.mask.channels !== 1) throw new RangeError('damage: mask must have 1 channel');
    mask = createImage(
      photo.width,
      photo.height,
      1,
      options.mask.data.map((v) => (v ? 1 : 0)),
    ) as Mask;
  } else mask = generator(rng.fork(1), photo.width, photo.height);
  const fill = rng.int(lo, hi);
  const input = toGray(photo);
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) input.data[i] = fill;
  return {
    input,
    mask,
    gt: createImage(photo.width, photo.height, photo.channels, photo.data.slice()),
    fill,
  };
}

/**
 * The exact lost region of a damaged input given its original: pixels where `input` differs from
 * `toGray(gt)`. A lost pixel whose original gray happens to equal the fill value is indistinguishable and
 * reported as not lost (the competition's own definition of the region has the same property). It is
 * `competitionMask` (tfjs-restoration/metrics) for a gray input, checked to be one.
 */
export function recoverMask(input: Image, gt: Image): Mask {
  assertSameSize(input, gt, 'recoverMask: input and gt');
  if (input.channels !== 1)
    throw new RangeError(`recoverMask: input must be gray, got ${input.channels} channels`);
  return competitionMask(input, gt);
}

/** Intersection over union of two masks (1 when both are empty). */
export function maskIoU(a: Mask, b: Mask): number {
  assertSameSize(a, b, 'maskIoU');
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i] !== 0;
    const y = b.data[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}
