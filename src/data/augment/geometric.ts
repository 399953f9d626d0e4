import { cropImage, flipImage, resizeImage } from '../../image/resize.js';
import type { Image, Mask } from '../../image/types.js';
import { probability, type Params, type Transform } from './types.js';

/**
 * Mirrors input, gt and mask left–right. Targets: input, gt, mask. Runs on plain images.
 *
 * ```ts
 * const flip = horizontalFlip({ p: 0.5 });
 * ```
 */
export function horizontalFlip(options: { p?: number } = {}): Transform {
  return {
    name: 'HorizontalFlip',
    p: probability('horizontalFlip', options.p, 0.5),
    runsOn: 'plain',
    targets: ['input', 'gt', 'mask'],
    sampleParams: () => ({}),
    apply: (s) => ({ input: flipImage(s.input), gt: flipImage(s.gt), mask: flipImage(s.mask) as Mask }),
  };
}

export interface RandomResizedCropOptions {
  /** Output size: a number for a square, or [height, width]. */
  size: number | readonly [number, number];
  /** Range of the crop's area as a fraction of the image. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio (width / height), drawn log-uniformly. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  p?: number;
}

/**
 * Crops a random rectangle (area fraction in `scale`, aspect ratio log-uniform in `ratio`, 10 tries, then the
 * largest centered crop of a clamped ratio, as torchvision's `RandomResizedCrop`) and resizes it to `size`:
 * images with `bilinear` (half-pixel centers, see `resizeImage`), the mask with `nearest`, so it stays 0/1.
 * Targets: input, gt, mask. Runs on plain images.
 */
export function randomResizedCrop(options: RandomResizedCropOptions): Transform {
  const [outH, outW] = typeof options.size === 'number' ? [options.size, options.size] : options.size;
  if (!Number.isInteger(outH) || !Number.isInteger(outW) || outH <= 0 || outW <= 0)
    throw new RangeError(
      `randomResizedCrop: size must be positive integers, got ${JSON.stringify(options.size)}`,
    );
  const scale = options.scale ?? [0.08, 1];
  const ratio = options.ratio ?? [3 / 4, 4 / 3];
  if (!(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1))
    throw new RangeError(
      `randomResizedCrop: scale must satisfy 0 < min <= max <= 1, got ${JSON.stringify(scale)}`,
    );
  if (!(ratio[0] > 0 && ratio[0] <= ratio[1]))
    throw new RangeError(
      `randomResizedCrop: ratio must satisfy 0 < min <= max, got ${JSON.stringify(ratio)}`,
    );
  return {
    name: 'RandomResizedCrop',
    p: probability('randomResizedCrop', options.p, 1),
    runsOn: 'plain',
    targets: ['input', 'gt', 'mask'],
    sampleParams(rng, s) {
      const { width: W, height: H } = s.gt;
      const area = W * H;
      for (let t = 0; t < 10; t++) {
        const target = area * rng.uniform(scale[0], scale[1]);
        const r = Math.exp(rng.uniform(Math.log(ratio[0]), Math.log(ratio[1])));
        const w = Math.round(Math.sqrt(target * r));
        const h = Math.round(Math.sqrt(target / r));
        if (w > 0 && h > 0 && w <= W && h <= H)
          return { top: rng.int(0, H - h), left: rng.int(0, W - w), height: h, width: w };
      }
      const inRatio = W / H;
      let w = W;
      let h = H;
      if (inRatio < ratio[0]) h = Math.round(W / ratio[0]);
      else if (inRatio > ratio[1]) w = Math.round(H * ratio[1]);
      return { top: Math.floor((H - h) / 2), left: Math.floor((W - w) / 2), height: h, width: w };
    },
    apply(s, params: Params) {
      const { top, left, height, width } = params as {
        top: number;
        left: number;
        height: number;
        width: number;
      };
      const crop = (im: Image, method: 'bilinear' | 'nearest'): Image =>
        resizeImage(cropImage(im, top, left, height, width), outW, outH, method);
      return {
        input: crop(s.input, 'bilinear'),
        gt: crop(s.gt, 'bilinear'),
        mask: crop(s.mask, 'nearest') as Mask,
      };
    },
  };
}
