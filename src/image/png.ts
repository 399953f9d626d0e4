import { decode, encode, hasPngSignature } from 'fast-png';
import { grayToRgb, toGray } from './color.js';
import { otherFormat } from './signature.js';
import { createImage, type Image } from './types.js';

export interface DecodeOptions {
  /**
   * Channels of the result. `'auto'` keeps gray PNGs gray and everything else RGB. Asking for 3 from a
   * gray PNG repeats the gray value (like OpenCV's `imread`); asking for 1 from an RGB PNG converts
   * like Pillow's `convert('L')`. Default `'auto'`.
   */
  channels?: 1 | 3 | 'auto';
}

/**
 * Decodes PNG bytes into a plain {@link Image}. Alpha is dropped without compositing and 16-bit samples
 * keep their high byte, as OpenCV's and Pillow's readers do. `name` only serves error messages; bytes of
 * another format are named for what they are (`x.png is a JPEG file, expected PNG`).
 *
 * ```ts
 * const image = decodePng(await fs.readFile('a.png'), { channels: 3 });
 * ```
 */
export function decodePng(bytes: Uint8Array, options: DecodeOptions = {}, name = 'PNG data'): Image {
  if (!hasPngSignature(bytes)) {
    const other = otherFormat(bytes);
    throw new Error(
      other ? `${name} is ${other}, expected PNG` : `${name}: not a PNG file (no PNG signature)`,
    );
  }
  let png;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new Error(`${name}: corrupt PNG (${(err as Error).message})`);
  }
  const { width, height } = png;
  const n = width * height;
  let rgb: Uint8Array | undefined;
  let gray: Uint8Array | undefined;
  const src = png.data;
  const shift = png.depth === 16 ? 8 : 0;
  if (png.palette) {
    rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const c = png.palette[src[i]] ?? [0, 0, 0];
      rgb[i * 3] = c[0];
      rgb[i * 3 + 1] = c[1];
      rgb[i * 3 + 2] = c[2];
    }
  } else if (png.channels === 1 || png.channels === 2) {
    gray = new Uint8Array(n);
    const step = png.channels;
    if (png.depth < 8) {
      const max = (1 << png.depth) - 1;
      for (let i = 0; i < n; i++) gray[i] = Math.round((src[i * step] * 255) / max);
    } else for (let i = 0; i < n; i++) gray[i] = src[i * step] >> shift;
  } else {
    rgb = new Uint8Array(n * 3);
    const step = png.channels;
    for (let i = 0; i < n; i++) {
      rgb[i * 3] = src[i * step] >> shift;
      rgb[i * 3 + 1] = src[i * step + 1] >> shift;
      rgb[i * 3 + 2] = src[i * step + 2] >> shift;
    }
  }
  const want = options.channels ?? 'auto';
  const image = gray ? createImage(width, height, 1, gray) : createImage(width, height, 3, rgb);
  if (want === 'auto' || want === image.channels) return image;
  return want === 1 ? toGray(image) : grayToRgb(image);
}

/** Encodes a plain {@link Image} as an 8-bit gray or RGB PNG. */
export function encodePng(image: Image): Uint8Array {
  return encode({
    width: image.width,
    height: image.height,
    data: image.data,
    depth: 8,
    channels: image.channels,
  });
}
