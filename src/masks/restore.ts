import { grayToRgb, toGray } from '../image/color.js';
import { inpaintTelea } from '../image/inpaint.js';
import type { Image, Mask } from '../image/types.js';
import { detectLostRegion, type DetectOptions } from './detect.js';

/** Options of {@link classicalRestore}. */
export interface ClassicalRestoreOptions {
  /** Neighbourhood radius of the fill ({@link inpaintTelea}). Default 5. */
  radius?: number;
  /** Options of {@link detectLostRegion}, used when no mask is given. */
  detect?: DetectOptions;
}

/**
 * A model-free restoration of a competition-style input: the lost region filled by fast-marching inpainting
 * ({@link inpaintTelea}, equal to OpenCV's `INPAINT_TELEA`), the gray photo returned as RGB with three equal
 * channels (no colorization). It is the baseline a trained pipeline must beat, and a restore for users
 * without training time.
 *
 * `input` is the damaged gray photo (1-channel, or RGB with equal channels: it is converted to gray). `mask`
 * (1 = lost) defaults to {@link detectLostRegion}`(input)`, i.e. found without the original.
 *
 * ```ts
 * const restored = classicalRestore(input);        // mask found from the input
 * const known = classicalRestore(input, mask, { radius: 7 });
 * ```
 * @throws RangeError naming the argument when the mask's size or channels do not match the input.
 */
export function classicalRestore(input: Image, mask?: Mask, options: ClassicalRestoreOptions = {}): Image {
  const gray = toGray(input);
  if (mask !== undefined) {
    if (mask.channels !== 1)
      throw new RangeError(`classicalRestore: mask must have 1 channel, got ${String(mask.channels)}`);
    if (mask.width !== gray.width || mask.height !== gray.height)
      throw new RangeError(
        `classicalRestore: mask is ${mask.width}x${mask.height} but input is ${gray.width}x${gray.height}`,
      );
  }
  const region = mask ?? detectLostRegion(gray, options.detect);
  return grayToRgb(inpaintTelea(gray, region, { radius: options.radius }));
}
