import { formatPlaceLabels, parsePlaceLabels, type PlaceLabels } from '../data/places.js';
import { readFileNamed, writeFileAtomic } from './files.js';

/**
 * Reads a `train_preproc.csv` (`image,label`, −1 = noise); errors name the file and line.
 *
 * ```ts
 * const { images, labels } = await readPlaceLabels('train_preproc.csv');
 * ```
 */
export async function readPlaceLabels(file: string): Promise<PlaceLabels> {
  return parsePlaceLabels(new TextDecoder().decode(await readFileNamed(file)), file);
}

/**
 * Writes a `train_preproc.csv` atomically.
 *
 * ```ts
 * await writePlaceLabels('train_preproc.csv', images, labels);
 * ```
 */
export async function writePlaceLabels(
  file: string,
  images: readonly string[],
  labels: ArrayLike<number>,
): Promise<void> {
  await writeFileAtomic(file, formatPlaceLabels(images, labels));
}
