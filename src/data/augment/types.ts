import type { Sample } from '../../image/types.js';
import type { Rng } from '../../random/rng.js';

/** JSON-serializable parameters drawn by a transform; replaying them re-applies it exactly. */
export type Params = Record<string, unknown>;

/**
 * One augmentation. It says what it runs on: every transform here runs on **plain images** (the
 * `Image` type of `tfjs-restoration/image`), on the CPU, before tensors are made; none runs on tensors.
 */
export interface Transform {
  /** A stable name used in replay records. */
  readonly name: string;
  /** Probability of applying the transform, in [0, 1]. */
  readonly p: number;
  /** What the transform runs on. */
  readonly runsOn: 'plain';
  /** Which targets it changes, for docs and checks. */
  readonly targets: readonly ('input' | 'gt' | 'mask')[];
  /** Draws the parameters for `sample` (all randomness comes from `rng`). */
  sampleParams(rng: Rng, sample: Sample): Params;
  /** Applies the transform with the given parameters; pure: returns a new sample. */
  apply(sample: Sample, params: Params): Sample;
}

/** What a pipeline did to one sample: one entry per transform, in order. */
export interface ReplayEntry {
  name: string;
  applied: boolean;
  params?: Params;
  /** For `OneOf`: which child ran, with its entry. */
  child?: { index: number; entry: ReplayEntry };
  /** For nested `Compose`: the entries of its transforms. */
  children?: ReplayEntry[];
}

/**
 * A transform's probability: the `p` option, or `fallback` when it is not given, checked to lie in [0, 1] (the
 * error names the transform).
 *
 * ```ts
 * probability('horizontalFlip', options.p, 0.5); // options.p ?? 0.5
 * ```
 */
export function probability(name: string, p: number | undefined, fallback: number): number {
  const value = p ?? fallback;
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name}: p must be in [0, 1], got ${value}`);
  return value;
}

export function checkSample(name: string, s: Sample): void {
  const { input, gt, mask } = s;
  if (
    input.width !== gt.width ||
    input.height !== gt.height ||
    mask.width !== gt.width ||
    mask.height !== gt.height
  )
    throw new RangeError(
      `${name}: input ${input.width}x${input.height}, gt ${gt.width}x${gt.height} and mask ${mask.width}x${mask.height} must have the same size`,
    );
  if (mask.channels !== 1) throw new RangeError(`${name}: mask must have 1 channel, got ${mask.channels}`);
}
