import { damage } from '../../masks/damage.js';
import type { MaskGenerator, MaskPresetName, Range } from '../../masks/generators.js';
import type { Params, Transform } from './types.js';
import { probability } from './types.js';

export interface RedamageOptions {
  /** Preset or generator of the new mask. Default `'competition'`. */
  generator?: MaskPresetName | MaskGenerator;
  /** Fill value or range; default the preset's. */
  fill?: number | Range;
  p?: number;
}

/**
 * Damages the gt again with a fresh mask and fill: input and mask are replaced by `damage(gt, ...)`, so each
 * epoch sees a new lost region. The gt must be the RGB original. Parameters are the damage seed. Targets:
 * input, mask (gt is read, not changed). Runs on plain images.
 */
export function redamage(options: RedamageOptions = {}): Transform {
  const p = probability('redamage', options.p, 1);
  return {
    name: 'Redamage',
    p,
    runsOn: 'plain',
    targets: ['input', 'mask'],
    sampleParams: (rng) => ({ seed: rng.uint32() }),
    apply(s, params: Params) {
      const d = damage(s.gt, {
        seed: params.seed as number,
        generator: options.generator,
        fill: options.fill,
      });
      return { input: d.input, gt: s.gt, mask: d.mask };
    },
  };
}
