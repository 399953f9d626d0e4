/**
 * File signatures ("magic numbers") of image formats, to decode by content and to name a wrong format in errors.
 * @module
 */

/**
 * true when the bytes start with the JPEG SOI marker (FF D8 FF).
 *
 * ```ts
 * const image = hasJpegSignature(bytes) ? decodeJpeg(bytes) : decodePng(bytes);
 * ```
 */
export function hasJpegSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

const startsWith = (bytes: Uint8Array, text: string, at = 0): boolean =>
  bytes.length >= at + text.length && [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/**
 * The image format other than PNG that the bytes' signature shows, as words for an error ("a JPEG file", "a GIF
 * file", "an empty file"...), or `undefined` when it is none of those.
 *
 * ```ts
 * otherFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)); // 'a JPEG file'
 * ```
 */
export function otherFormat(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'an empty file';
  if (hasJpegSignature(bytes)) return 'a JPEG file';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'a GIF file';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'a WebP file';
  if (startsWith(bytes, 'II*\0') || startsWith(bytes, 'MM\0*')) return 'a TIFF file';
  if (startsWith(bytes, 'BM') && bytes.length >= 14) return 'a BMP file';
  return undefined;
}
