import { createImage, cropImage, type Image } from '../../src/image/index.js';
import { createRng } from '../../src/random/rng.js';
import { readPhoto } from '../../src/node/index.js';

/**
 * Bursts of real photos, one place per file: `perPlace` variants of each photo, each a 60-85 % square crop at a
 * random spot (so also shifted) with brightness x0.8-1.2. Seeded.
 */
export async function photoBursts(
  files: readonly string[],
  perPlace: number,
  seed: number,
): Promise<{ images: Image[]; places: number[] }> {
  const rng = createRng(seed);
  const images: Image[] = [];
  const places: number[] = [];
  for (const [place, file] of files.entries()) {
    const photo = await readPhoto(file);
    for (let k = 0; k < perPlace; k++) {
      const side = Math.round(Math.min(photo.width, photo.height) * rng.uniform(0.6, 0.85));
      const crop = cropImage(
        photo,
        rng.int(0, photo.height - side),
        rng.int(0, photo.width - side),
        side,
        side,
      );
      const gain = rng.uniform(0.8, 1.2);
      images.push(
        createImage(
          side,
          side,
          3,
          crop.data.map((v) => Math.min(255, Math.round(v * gain))),
        ),
      );
      places.push(place);
    }
  }
  return { images, places };
}
