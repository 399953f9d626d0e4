import { decodeJpeg } from '../image/jpeg.js';
import { hasJpegSignature } from '../image/signature.js';
import { decodePng } from '../image/png.js';
import type { Image } from '../image/types.js';
import { listFilesByExtension, readFileNamed } from './files.js';

const PHOTO_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/** Reads a PNG or JPEG file (by content, not name) into an RGB image; errors name the file. */
export async function readPhoto(file: string): Promise<Image> {
  const bytes = await readFileNamed(file);
  if (hasJpegSignature(bytes)) return await decodeJpeg(bytes, { channels: 3 }, file);
  return decodePng(bytes, { channels: 3 }, file);
}

/** Lists the `.png`/`.jpg`/`.jpeg` files of a directory, sorted by name; errors name the directory if none. */
export async function listPhotos(dir: string): Promise<string[]> {
  return listFilesByExtension(dir, PHOTO_EXTENSIONS, 'PNG or JPEG');
}
