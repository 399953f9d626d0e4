import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodePng, encodePng, pngInfo, type DecodeOptions, type PngInfo } from '../image/png.js';
import { createImage, type Image, type Mask } from '../image/types.js';

/** What {@link fileError} says: `missing` for a path that does not exist, else `action (why)`. */
export interface FileErrorWords {
  /** Said of a path that does not exist; default `no such file`. */
  missing?: string;
  /** Said before the reason for any other failure, e.g. `cannot list`; default `cannot read`; `''` for the reason alone. */
  action?: string;
}

/**
 * The one form of a file-system error that names its path: `<path>: no such file` when it does not exist
 * (ENOENT), else `<path>: cannot read (<why>)`; {@link FileErrorWords} change the words.
 *
 * ```ts
 * try {
 *   await fs.readdir(dir);
 * } catch (err) {
 *   throw fileError(dir, err, { missing: 'no such directory', action: 'cannot list' });
 * }
 * ```
 */
export function fileError(file: string, err: unknown, words: FileErrorWords = {}): Error {
  const { missing = 'no such file', action = 'cannot read' } = words;
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Error(`${file}: ${missing}`);
  const why = (err as Error).message;
  return new Error(action ? `${file}: ${action} (${why})` : `${file}: ${why}`);
}

/** Reads a whole file; errors name the file (`no such file` or why it cannot be read). */
export async function readFileNamed(file: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw fileError(file, err);
  }
}

/** Reads a whole file as UTF-8 text (a byte-order mark is kept); errors as {@link readFileNamed}'s. */
export async function readTextNamed(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw fileError(file, err);
  }
}

/**
 * Reads and parses a JSON file. Errors name the file: `<file>: <missing>` (default `no such file`) when it does not
 * exist, else `<file>: <why>` (a read or a parse error).
 */
export async function readJsonNamed(file: string, missing = 'no such file'): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw fileError(file, err, { missing, action: '' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/**
 * Lists the files of a directory whose extension (lower-cased, with the dot) is in `extensions`, sorted by name,
 * as paths joined to `dir`. Errors name the directory, also when it holds none (`what` says of what).
 */
export async function listFilesByExtension(
  dir: string,
  extensions: readonly string[],
  what: string,
): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw fileError(dir, err, { missing: 'no such directory', action: 'cannot list' });
  }
  const found = names.filter((n) => extensions.includes(path.extname(n).toLowerCase())).sort();
  if (found.length === 0) throw new Error(`${dir}: directory has no ${what} files`);
  return found.map((n) => path.join(dir, n));
}

/** Reads a PNG file into a plain image; errors name the file. */
export async function readPng(file: string, options: DecodeOptions = {}): Promise<Image> {
  return decodePng(await readFileNamed(file), options, file);
}

/**
 * Reads a PNG file's header (size, bit depth, mode) without reading or decoding the pixels; errors name the file.
 *
 * ```ts
 * const { width, height, mode } = await readPngInfo('pred/TEST_000.png');
 * ```
 */
export async function readPngInfo(file: string): Promise<PngInfo> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  try {
    const head = new Uint8Array(33);
    const { bytesRead } = await handle.read(head, 0, 33, 0);
    return pngInfo(head.subarray(0, bytesRead), file);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a mask PNG (any nonzero gray is lost, as in the 255 = lost masks the CLI writes) into a {@link Mask} of 0/1.
 *
 * ```ts
 * const mask = await readMaskPng('masks/TEST_000.png');
 * ```
 */
export async function readMaskPng(file: string): Promise<Mask> {
  const gray = await readPng(file, { channels: 1 });
  return createImage(
    gray.width,
    gray.height,
    1,
    gray.data.map((v) => (v ? 1 : 0)),
  ) as Mask;
}

/**
 * Writes a mask (nonzero = lost) atomically as a gray PNG with 255 where lost and 0 elsewhere.
 *
 * ```ts
 * await writeMaskPng('masks/TEST_000.png', detectLostRegion(input));
 * ```
 */
export async function writeMaskPng(file: string, mask: Mask): Promise<void> {
  const png = createImage(
    mask.width,
    mask.height,
    1,
    mask.data.map((v) => (v ? 255 : 0)),
  );
  await writePng(file, png);
}

/**
 * Writes bytes atomically: to a temporary file beside the target, then renamed over it, so a crash never
 * leaves a half-written file and an existing file is replaced only by a complete one.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Encodes an image as PNG and writes it atomically. */
export async function writePng(file: string, image: Image): Promise<void> {
  await writeFileAtomic(file, encodePng(image));
}

/** Lists the `.png` files of a directory, sorted by name; an error names the directory if it has none. */
export async function listPngs(dir: string): Promise<string[]> {
  return listFilesByExtension(dir, ['.png'], 'PNG');
}
