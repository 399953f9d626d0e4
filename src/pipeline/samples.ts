/**
 * Training samples for a pipeline from original photos: a fresh competition-style lost region at every read, at
 * the resolution the pipeline's configuration trains at. Browser-safe (plain images only).
 */
import { cropImage, resizeImage } from '../image/resize.js';
import type { Image, Mask, Sample } from '../image/types.js';
import { damage } from '../masks/damage.js';
import { createRng, hash32, type Rng } from '../random/rng.js';
import type { PipelineConfig } from './recipe.js';
import type { SampleSource } from './train.js';

/** Options of {@link trainingSample} and {@link photoSource}. */
export interface TrainingSampleOptions {
  /**
   * Side of the training window at full resolution, used when the configuration has no `workSize` (a multiple of
   * 32): a `size` x `size` window of the damaged photo that holds the lost region's centre. Default 256.
   */
  size?: number;
}

/**
 * One training sample from an original photo: with a `workSize`, the whole photo resized (area) to it and
 * damaged there; otherwise damaged at full resolution and cut to a window around the lost region (see
 * {@link TrainingSampleOptions.size}). Smaller photos are resized up to the window.
 *
 * ```ts
 * const sample = trainingSample(photo, pipeline.config, createRng(7));
 * ```
 */
export function trainingSample(
  photo: Image,
  config: PipelineConfig,
  rng: Rng,
  options: TrainingSampleOptions = {},
): Sample {
  const size = config.workSize ?? options.size ?? 256;
  if (!(Number.isInteger(size) && size > 0 && size % 32 === 0))
    throw new RangeError(`trainingSample: size must be a positive multiple of 32, got ${String(size)}`);
  if (photo.channels !== 3)
    throw new RangeError(`trainingSample: the photo must be RGB, got ${photo.channels} channels`);
  if (config.workSize !== null || photo.width < size || photo.height < size) {
    const d = damage(resizeImage(photo, size, size, 'area'), { rng });
    return { input: d.input, gt: d.gt, mask: d.mask };
  }
  const d = damage(photo, { rng });
  const [top, left] = windowAround(d.mask, size, rng);
  return {
    input: cropImage(d.input, top, left, size, size),
    gt: cropImage(d.gt, top, left, size, size),
    mask: cropImage(d.mask, top, left, size, size) as Mask,
  };
}

/** Top-left corner of a random `size` window that holds the lost region's centre (inside the image). */
function windowAround(mask: Mask, size: number, rng: Rng): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < mask.height; y++)
    for (let x = 0; x < mask.width; x++)
      if (mask.data[y * mask.width + x]) {
        sx += x;
        sy += y;
        n++;
      }
  const cx = n ? sx / n : mask.width / 2;
  const cy = n ? sy / n : mask.height / 2;
  const pick = (c: number, extent: number) => {
    const lo = Math.max(0, Math.ceil(c - size + 1));
    const hi = Math.min(extent - size, Math.floor(c));
    return lo <= hi ? rng.int(lo, hi) : Math.max(0, Math.min(extent - size, Math.round(c - size / 2)));
  };
  return [pick(cy, mask.height), pick(cx, mask.width)];
}

/**
 * A {@link SampleSource} over original photos: each read of photo `i` makes a new {@link trainingSample} (a fresh
 * lost region every time, as the reference recipe), drawn from `seed`, `i` and how often `i` was read before, so
 * a run is replayable (and `state()`/`restore()` carry those counts through a checkpoint). Pass `augment: new Compose([horizontalFlip()], { seed })` to `trainPipeline` (the source
 * already damages).
 *
 * ```ts
 * const train = photoSource(photos.length, (i) => readPng(files[i], { channels: 3 }), pipeline.config, { seed: 1 });
 * await trainPipeline(pipeline, { train, augment: new Compose([horizontalFlip()], { seed: 1 }) });
 * ```
 */
export function photoSource(
  size: number,
  load: (index: number) => Promise<Image>,
  config: PipelineConfig,
  options: TrainingSampleOptions & { seed?: number } = {},
): SampleSource {
  const reads = new Map<number, number>();
  const seed = options.seed ?? 0;
  return {
    size,
    async load(index: number): Promise<Sample> {
      const count = reads.get(index) ?? 0;
      reads.set(index, count + 1);
      const rng = createRng(hash32(seed ^ hash32(index ^ hash32(count))));
      return trainingSample(await load(index), config, rng, options);
    },
    state: () => ({ reads: [...reads.entries()] }),
    restore(state: unknown) {
      const entries = (state as { reads?: unknown } | null)?.reads;
      if (
        !Array.isArray(entries) ||
        !entries.every((e) => Array.isArray(e) && e.length === 2 && e.every(Number.isInteger))
      )
        throw new Error('photoSource: restore expects the { reads } state that state() returns');
      reads.clear();
      for (const [i, n] of entries as [number, number][]) reads.set(i, n);
    },
  };
}
