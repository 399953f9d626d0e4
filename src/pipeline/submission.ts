/**
 * The competition's submission archive: predicted PNGs at the root of a zip. Browser-safe (fflate).
 */
import { zipSync } from 'fflate';
import { encodePng } from '../image/png.js';
import type { Image } from '../image/types.js';

/**
 * One prediction and its file name in the archive (the test input's name, e.g. `TEST_000.png`): an image (encoded
 * here) or the bytes of a PNG file (stored as they are).
 */
export type SubmissionEntry = { name: string; image: Image } | { name: string; png: Uint8Array };

/**
 * Encodes predictions as PNGs and zips them at the archive's root (no folders), in the given order. PNGs are
 * stored without recompression (they are compressed already).
 *
 * ```ts
 * const zip = submissionZip([{ name: 'TEST_000.png', image: restored }]);
 * await writeFileAtomic('submission.zip', zip);
 * ```
 * @throws Error naming the entry when a name is empty, has a folder, is not a `.png` or appears twice.
 */
export function submissionZip(entries: readonly SubmissionEntry[]): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  entries.forEach((entry, i) => {
    const { name } = entry;
    if (!/^[^/\\]+\.png$/i.test(name))
      throw new Error(`submissionZip: entry ${i} name '${name}' must be a plain file name ending in .png`);
    if (name in files) throw new Error(`submissionZip: entry ${i} name '${name}' appears twice`);
    files[name] = ['image' in entry ? encodePng(entry.image) : entry.png, { level: 0 }];
  });
  return zipSync(files);
}
