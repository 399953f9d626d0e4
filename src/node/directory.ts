/**
 * Directories written atomically, with a manifest of checksums: a checkpoint or a saved model is either the old
 * one or the new one, whole, whatever moment the process is killed at.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './files.js';

/** The manifest written last into a directory by {@link writeDirectoryAtomic}. */
export const MANIFEST = 'manifest.json';

interface Manifest {
  format: 'tfjs-restoration-directory';
  /** Every file under the directory (forward slashes) but the manifest: its size and SHA-256. */
  files: Record<string, { bytes: number; sha256: string }>;
}

const tmpOf = (dir: string) => `${dir}.tmp`;
const oldOf = (dir: string) => `${dir}.old`;

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * Writes the directory `dir` atomically: `fill` writes the files into a fresh temporary sibling (`dir.tmp`),
 * {@link MANIFEST} with every file's size and SHA-256 is written last, then renames swap it in (`dir` to `dir.old`,
 * `dir.tmp` to `dir`, `dir.old` removed). Killed at any moment, it leaves the old directory or the new one whole:
 * `dir` itself, or in the instant between the two renames `dir.tmp` (complete) or `dir.old`;
 * {@link readableDirectory} finds it and the next write puts it back in place. One writer per directory.
 *
 * ```ts
 * await writeDirectoryAtomic('runs/a/best', async (tmp) => {
 *   await fs.writeFile(path.join(tmp, 'weights.bin'), bytes);
 * });
 * ```
 */
export async function writeDirectoryAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await recoverDirectory(dir);
  const tmp = tmpOf(dir);
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  await fill(tmp);
  const manifest: Manifest = { format: 'tfjs-restoration-directory', files: {} };
  for (const rel of await listFiles(tmp)) {
    if (rel === MANIFEST)
      throw new Error(`writeDirectoryAtomic: ${dir}: the files may not include ${MANIFEST}`);
    const bytes = await fs.readFile(path.join(tmp, rel));
    manifest.files[rel] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  await writeFileAtomic(path.join(tmp, MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
  const old = oldOf(dir);
  if (await exists(dir)) await fs.rename(dir, old);
  await fs.rename(tmp, dir);
  await fs.rm(old, { recursive: true, force: true });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks a directory against its {@link MANIFEST}: every listed file is there with its size and checksum. Throws
 * an error naming the first file that is missing or differs (or the missing manifest).
 *
 * ```ts
 * await verifyDirectory('runs/a/best');
 * ```
 */
export async function verifyDirectory(dir: string): Promise<void> {
  const file = path.join(dir, MANIFEST);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${dir}: no ${MANIFEST} (not written by writeDirectoryAtomic, or incomplete)`
        : `${file}: ${(err as Error).message}`,
    );
  }
  if (manifest.format !== 'tfjs-restoration-directory' || typeof manifest.files !== 'object')
    throw new Error(`${file}: not a directory manifest`);
  for (const [rel, want] of Object.entries(manifest.files)) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path.join(dir, rel));
    } catch {
      throw new Error(`${dir}: ${rel} is missing (listed in ${MANIFEST})`);
    }
    if (bytes.length !== want.bytes || sha256(bytes) !== want.sha256)
      throw new Error(`${dir}: ${rel} does not match its checksum in ${MANIFEST}`);
  }
}

async function isComplete(dir: string): Promise<boolean> {
  try {
    await verifyDirectory(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the last complete write of {@link writeDirectoryAtomic} to `dir` is: `dir` itself, or after a kill
 * between its two renames `dir.tmp` (when complete) or `dir.old`; `null` when there is none. Changes nothing on
 * disk (a reader may run beside the writer).
 *
 * ```ts
 * const best = await readableDirectory('runs/a/best'); // then read from `best`
 * ```
 */
export async function readableDirectory(dir: string): Promise<string | null> {
  if (await exists(dir)) return dir;
  if (await isComplete(tmpOf(dir))) return tmpOf(dir);
  if (await exists(oldOf(dir))) return oldOf(dir);
  return null;
}

/** Puts a directory interrupted by a kill during {@link writeDirectoryAtomic} back in place; removes leftovers. */
async function recoverDirectory(dir: string): Promise<void> {
  const found = await readableDirectory(dir);
  if (found !== null && found !== dir) await fs.rename(found, dir);
  await fs.rm(tmpOf(dir), { recursive: true, force: true });
  await fs.rm(oldOf(dir), { recursive: true, force: true });
}
