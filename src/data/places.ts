/**
 * `train_preproc.csv`: one row per training image with its place label (`image,label`, −1 = noise), as written by
 * `tfjs-restoration cluster` and read by the group K-fold split.
 */
import { formatCsv, parseCsvRecords } from './csv.js';

/** Image names and their place labels, in file order. */
export interface PlaceLabels {
  images: string[];
  labels: Int32Array;
}

/**
 * Formats place labels as `train_preproc.csv` text: header `image,label`, one row per image.
 *
 * ```ts
 * const text = formatPlaceLabels(['a.png', 'b.png'], [0, -1]); // "image,label\na.png,0\nb.png,-1\n"
 * ```
 */
export function formatPlaceLabels(images: readonly string[], labels: ArrayLike<number>): string {
  if (images.length !== labels.length)
    throw new RangeError(`formatPlaceLabels: ${images.length} images but ${labels.length} labels`);
  const rows: string[][] = [['image', 'label']];
  images.forEach((image, i) => {
    if (!Number.isInteger(labels[i]) || labels[i] < -1)
      throw new RangeError(`formatPlaceLabels: label of ${image} is ${labels[i]}, expected an integer >= -1`);
    rows.push([image, String(labels[i])]);
  });
  return formatCsv(rows);
}

/**
 * Parses `train_preproc.csv` text (columns `image` and `label`, others ignored). Errors name the source and the
 * line: a label that is not an integer ≥ −1, an empty or repeated image name.
 *
 * ```ts
 * const { images, labels } = parsePlaceLabels(text, 'train_preproc.csv');
 * ```
 */
export function parsePlaceLabels(text: string, source = 'train_preproc.csv'): PlaceLabels {
  const records = parseCsvRecords(text, ['image', 'label'], source);
  const images: string[] = [];
  const labels = new Int32Array(records.length);
  const seen = new Set<string>();
  records.forEach((r, k) => {
    const line = k + 2;
    const image = r.image.trim();
    if (image === '') throw new Error(`${source}:${line}: empty image name`);
    if (seen.has(image)) throw new Error(`${source}:${line}: image '${image}' is listed twice`);
    seen.add(image);
    const label = r.label.trim();
    if (!/^(-1|\d+)$/.test(label))
      throw new Error(`${source}:${line}: label '${r.label}' is not an integer >= -1 (-1 = noise)`);
    images.push(image);
    labels[k] = Number(label);
  });
  return { images, labels };
}
