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

/** What a PNG's header says: size, bit depth, color type and the matching Pillow mode. */
export interface PngInfo {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  depth: number;
  /** PNG color type: 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGB + alpha. */
  colorType: number;
  /** Samples per pixel as stored (a palette PNG has 1). */
  channels: number;
  /** Pillow's name for the mode: `1`, `L`, `I;16`, `P`, `LA`, `RGB`, `RGBA`. */
  mode: string;
}

/**
 * Reads a PNG's header (the first 33 bytes suffice) without decoding the pixels. `name` only serves error messages.
 *
 * ```ts
 * const { width, height, mode } = pngInfo(bytes); // mode 'RGB' for an 8-bit color PNG
 * ```
 * @throws Error naming `name` when the bytes are not a PNG or its header is cut short or malformed.
 */
export function pngInfo(bytes: Uint8Array, name = 'PNG data'): PngInfo {
  if (!hasPngSignature(bytes)) throw new Error(`${name}: not a PNG file (no PNG signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 33 || type !== 'IHDR') throw new Error(`${name}: corrupt PNG (no IHDR header)`);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24];
  const colorType = bytes[25];
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  if (channels === undefined || width === 0 || height === 0)
    throw new Error(`${name}: corrupt PNG (color type ${colorType}, size ${width}x${height})`);
  const mode =
    colorType === 0
      ? depth === 1
        ? '1'
        : depth === 16
          ? 'I;16'
          : 'L'
      : (['', '', 'RGB', 'P', 'LA', '', 'RGBA'][colorType] ?? '');
  return { width, height, depth, colorType, channels, mode };
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
