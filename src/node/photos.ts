import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { hasJpegSignature, decodeJpeg } from '../image/jpeg.js';
import { decodePng } from '../image/png.js';
import type { Image } from '../image/types.js';

const PHOTO_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/** Reads a PNG or JPEG file (by content, not name) into an RGB image; errors name the file. */
export async function readPhoto(file: string): Promise<Image> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${(err as Error).message})`,
    );
  }
  if (hasJpegSignature(bytes)) return decodeJpeg(bytes, { channels: 3 }, file);
  return decodePng(bytes, { channels: 3 }, file);
}

/** Lists the `.png`/`.jpg`/`.jpeg` files of a directory, sorted by name; errors name the directory if none. */
export async function listPhotos(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `${dir}: no such directory` : `${dir}: cannot list (${(err as Error).message})`,
    );
  }
  const photos = names.filter((n) => PHOTO_EXTENSIONS.includes(path.extname(n).toLowerCase())).sort();
  if (photos.length === 0) throw new Error(`${dir}: directory has no PNG or JPEG files`);
  return photos.map((n) => path.join(dir, n));
}
