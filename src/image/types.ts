/**
 * The one plain image type of the library: row-major, interleaved channels, 8 bits per sample.
 * The same memory layout as an HWC tensor and as a PIL/NumPy `uint8` array, so conversions are copies.
 */
export interface Image {
  readonly width: number;
  readonly height: number;
  /** 1 = gray (or a mask), 3 = RGB. */
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/** A 1-channel image with 1 (or 255 on disk) where a pixel is lost. */
export type Mask = Image & { readonly channels: 1 };

/**
 * One training sample, transformed jointly: `input` (gray, lost region filled), `gt` (the color original) and
 * `mask` (1 = lost). Transforms keep the three the same size and the mask binary (0/1).
 */
export interface Sample {
  input: Image;
  gt: Image;
  mask: Mask;
}

/**
 * Builds an {@link Image}, checking that `data` has exactly `width * height * channels` samples.
 *
 * ```ts
 * const black = createImage(4, 4, 3); // zero-filled
 * const wrapped = createImage(2, 1, 1, new Uint8Array([0, 255]));
 * ```
 */
export function createImage(width: number, height: number, channels: 1 | 3, data?: Uint8Array): Image {
  if (!Number.isInteger(width) || width <= 0)
    throw new RangeError(`createImage: width must be a positive integer, got ${width}`);
  if (!Number.isInteger(height) || height <= 0)
    throw new RangeError(`createImage: height must be a positive integer, got ${height}`);
  if (channels !== 1 && channels !== 3)
    throw new RangeError(`createImage: channels must be 1 or 3, got ${channels}`);
  const size = width * height * channels;
  if (data === undefined) return { width, height, channels, data: new Uint8Array(size) };
  if (data.length !== size)
    throw new RangeError(
      `createImage: data has ${data.length} samples, expected ${width}x${height}x${channels} = ${size}`,
    );
  return { width, height, channels, data };
}

/** Throws a RangeError naming `what` unless `a` and `b` have the same width and height. */
export function assertSameSize(a: Image, b: Image, what: string): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new RangeError(`${what}: sizes differ, ${a.width}x${a.height} vs ${b.width}x${b.height}`);
}

/** Throws a RangeError naming `what` unless `image` has `channels` channels. */
export function assertChannels(image: Image, channels: 1 | 3, what: string): void {
  if (image.channels !== channels)
    throw new RangeError(`${what}: expected a ${channels}-channel image, got ${image.channels} channels`);
}
