/** Shared pieces of the pipeline tests: a tiny pipeline and small damaged samples from the fixture photos. */
import { readFileSync } from 'node:fs';
import {
  createImage,
  decodePng,
  resizeImage,
  type Image,
  type Mask,
  type Sample,
} from '../../src/image/index.js';
import { damage } from '../../src/masks/index.js';
import { RestorationPipeline, type PipelinePreset } from '../../src/pipeline/index.js';

export const PHOTOS = ['animal', 'building', 'flat', 'sea'];

/** A fixture photo downscaled to `size` x `size` (area). */
export function photo(name: string, size: number): Image {
  const png = readFileSync(new URL(`../fixtures/photos/${name}.png`, import.meta.url));
  return resizeImage(decodePng(png, { channels: 3 }), size, size, 'area');
}

/** Damaged samples of every fixture photo at `size`, seeded. */
export function samples(size: number, seed = 1): Sample[] {
  return PHOTOS.map((name, i) => {
    const d = damage(photo(name, size), { seed: seed + i });
    return { input: d.input, gt: d.gt, mask: d.mask };
  });
}

/** A very small two-stage pipeline (resnet18 layout, 4-wide stem, thin decoder). */
export function tinyPipeline(seed = 3, preset?: PipelinePreset): RestorationPipeline {
  return RestorationPipeline.create({
    preset,
    encoder: 'resnet18',
    encoderWidth: 4,
    decoderChannels: [16, 8, 8, 4, 4],
    seed,
  });
}

/** A seeded gray image with a filled rectangle (lost region) and its mask, of any size. */
export function damagedGray(width: number, height: number): { input: Image; mask: Mask } {
  const input = createImage(width, height, 1);
  const mask = createImage(width, height, 1) as Mask;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      input.data[i] = (x * 7 + y * 13 + ((x * y) % 11)) & 255;
      if (x >= width / 4 && x < width / 2 && y >= height / 3 && y < (2 * height) / 3) {
        mask.data[i] = 1;
        input.data[i] = 77;
      }
    }
  return { input, mask };
}
