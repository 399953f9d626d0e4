import { decode } from 'jpeg-js';
import { toGray } from './color.js';
import { hasJpegSignature } from './signature.js';
import { createImage, type Image } from './types.js';

/**
 * Decodes JPEG bytes into a plain RGB {@link Image} (or gray with `channels: 1`, converted like Pillow's
 * `convert('L')`) using the pure-JS `jpeg-js` decoder. Its IDCT and chroma upsampling differ from libjpeg's, so
 * pixels may differ by a few levels from Pillow/OpenCV decodes of the same file: fine for making training data,
 * not for bit-exact comparisons. `name` only serves error messages.
 *
 * ```ts
 * const photo = decodeJpeg(await fs.readFile('photo.jpg'));
 * ```
 */
export function decodeJpeg(bytes: Uint8Array, options: { channels?: 1 | 3 } = {}, name = 'JPEG data'): Image {
  if (!hasJpegSignature(bytes)) throw new Error(`${name}: not a JPEG file (no JPEG signature)`);
  let raw;
  try {
    raw = decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
  } catch (err) {
    throw new Error(`${name}: corrupt JPEG (${(err as Error).message})`);
  }
  const n = raw.width * raw.height;
  let rgb: Uint8Array;
  if (raw.data.length === n * 3) rgb = new Uint8Array(raw.data.buffer, raw.data.byteOffset, n * 3).slice();
  else if (raw.data.length === n * 4) {
    rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      rgb[i * 3] = raw.data[i * 4];
      rgb[i * 3 + 1] = raw.data[i * 4 + 1];
      rgb[i * 3 + 2] = raw.data[i * 4 + 2];
    }
  } else
    throw new Error(`${name}: unexpected decoded size ${raw.data.length} for ${raw.width}x${raw.height}`);
  const image = createImage(raw.width, raw.height, 3, rgb);
  return options.channels === 1 ? toGray(image) : image;
}
