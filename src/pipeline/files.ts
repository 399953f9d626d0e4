/**
 * Restoring folders of PNGs and checking and zipping a folder of predictions for a submission (Node only; exported
 * from `tfjs-restoration/pipeline/node`). Generic over a {@link Restorer}.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseDatasetIndex } from '../data/layout.js';
import { pngInfo } from '../image/png.js';
import type { Mask } from '../image/types.js';
import { detectLostRegion } from '../masks/detect.js';
import {
  listPngs,
  readFileNamed,
  readMaskPng,
  readPng,
  readPngInfo,
  writeFileAtomic,
  writePng,
} from '../node/files.js';
import { matchPngsByName } from '../node/pairs.js';
import type { Restorer } from './restorers.js';
import { submissionZip } from './submission.js';

/** Options of {@link restoreFiles}. */
export interface RestoreFilesOptions {
  /** A damaged gray PNG, or a folder of them (RGB ones are converted like Pillow's `convert('L')`). */
  input: string;
  /** Folder that receives one same-named RGB PNG per input (created). */
  out: string;
  /**
   * Lost-region masks: a same-named PNG per input (nonzero = lost), a file when `input` is a file. Default: each
   * mask is found with `detectLostRegion`.
   */
  masks?: string;
  /**
   * Allow an `out` that already holds PNGs: they are replaced, and those no input will overwrite are deleted (so the
   * folder never mixes two runs). Default false: such an `out` is an error.
   */
  force?: boolean;
  /** Called once the inputs are listed and `out` is checked, before the first image. */
  onStart?: (total: number) => void;
  /** Called after each image is written. */
  onImage?: (done: number, total: number, name: string) => void;
}

/** What {@link restoreFiles} did. */
export interface RestoreFilesResult {
  /** Names written into `out`, in order. */
  names: string[];
  /** How many masks were detected (the rest were read from `masks`). */
  detected: number;
  /** Stale PNGs deleted from `out` (with `force`). */
  removed: string[];
}

/** Whether `p` is a directory (false for a file; an error naming `what` when it does not exist). */
async function isDirectory(p: string, what: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    throw new Error(`${what} ${p}: no such file or directory`);
  }
}

/** The `.png` names in a folder; none when it does not exist. */
async function pngNames(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => n.toLowerCase().endsWith('.png')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${dir}: cannot list (${(err as Error).message})`);
  }
}

/**
 * Restores every PNG of `input` with `restorer` and writes same-named PNGs into `out`, each atomically, in name
 * order. Images of any size are passed as they are (wrap the restorer in `tiledRestorer` for large ones). An `out`
 * that already holds PNGs is refused unless `force` (then stale PNGs are deleted, so it never mixes two runs); an
 * `out` that is the input or mask folder is always refused.
 *
 * ```ts
 * const pipeline = await loadPipeline('runs/restore');
 * const restore = tiledRestorer(flipTta(asRestorer(pipeline)));
 * const { names } = await restoreFiles(restore, { input: 'data/test_input', out: 'pred' });
 * ```
 * @throws Error naming the file or folder: a missing input, a missing or mis-sized mask, an `out` with PNGs.
 */
export async function restoreFiles(
  restorer: Restorer,
  options: RestoreFilesOptions,
): Promise<RestoreFilesResult> {
  const { input, out, masks } = options;
  const inputIsDir = await isDirectory(input, 'input');
  let sets: { name: string; input: string; mask?: string }[];
  if (masks !== undefined)
    sets = await matchPngsByName({ input, mask: masks }, { primary: 'input', label: (r) => r });
  else if (inputIsDir) sets = (await listPngs(input)).map((f) => ({ name: path.basename(f), input: f }));
  else sets = [{ name: path.basename(input), input }];

  const outAbs = path.resolve(out);
  for (const [what, dir] of [
    ['input', inputIsDir ? input : path.dirname(input)],
    [
      'masks',
      masks === undefined ? undefined : (await isDirectory(masks, 'masks')) ? masks : path.dirname(masks),
    ],
  ] as const)
    if (dir !== undefined && path.resolve(dir) === outAbs)
      throw new Error(`out ${out}: is the ${what} folder; restoring there would overwrite the ${what}`);
  const existing = await pngNames(out);
  if (existing.length > 0 && !options.force) {
    const listed = existing.slice(0, 3).join(', ') + (existing.length > 3 ? ', ...' : '');
    throw new Error(
      `out ${out}: already holds ${existing.length} PNG file(s) (${listed}); restoring into it would mix two ` +
        `runs: give an empty or new folder, or force (--force) to replace them`,
    );
  }
  const writing = new Set(sets.map((s) => s.name));
  const removed = existing.filter((n) => !writing.has(n));
  for (const name of removed) await fs.rm(path.join(out, name), { force: true });
  await fs.mkdir(out, { recursive: true });

  options.onStart?.(sets.length);
  let detected = 0;
  for (const [k, set] of sets.entries()) {
    const gray = await readPng(set.input, { channels: 1 });
    let mask: Mask;
    if (set.mask !== undefined) {
      mask = await readMaskPng(set.mask);
      if (mask.width !== gray.width || mask.height !== gray.height)
        throw new Error(
          `${set.mask}: mask is ${mask.width}x${mask.height}, the input ${set.input} ${gray.width}x${gray.height}`,
        );
    } else {
      mask = detectLostRegion(gray);
      detected++;
    }
    const rgb = await restorer(gray, mask);
    if (rgb.width !== gray.width || rgb.height !== gray.height)
      throw new Error(
        `${set.input}: the restorer returned ${rgb.width}x${rgb.height} for a ${gray.width}x${gray.height} input`,
      );
    await writePng(path.join(out, set.name), rgb);
    options.onImage?.(k + 1, sets.length, set.name);
  }
  return { names: sets.map((s) => s.name), detected, removed };
}

/** One prediction of a checked submission: the test id and its PNG. */
export interface SubmissionFile {
  id: string;
  file: string;
}

/**
 * Checks a folder of predictions against a dataset's `test.csv` (competition layout): every test id needs
 * `<id>.png` in `predDir`, an 8-bit RGB PNG of its test input's size, and `predDir` holds no other PNG. Resolves to
 * the predictions in `test.csv` order.
 *
 * ```ts
 * const files = await checkSubmission('pred', 'data');
 * ```
 * @throws Error listing every problem at once (missing ids, wrong sizes or modes, unreadable files, extra PNGs),
 * each named by its id or file.
 */
export async function checkSubmission(predDir: string, dataRoot: string): Promise<SubmissionFile[]> {
  const csvPath = path.join(dataRoot, 'test.csv');
  const records = parseDatasetIndex(new TextDecoder().decode(await readFileNamed(csvPath)), dataRoot, {
    kind: 'test',
    source: csvPath,
  });
  if (!(await isDirectory(predDir, 'predictions'))) throw new Error(`predictions ${predDir}: not a folder`);
  const have = new Set(await pngNames(predDir));
  const problems: string[] = [];
  const missing: string[] = [];
  await Promise.all(
    records.map(async (r, k) => {
      const name = `${r.id}.png`;
      if (!have.has(name)) {
        missing[k] = r.id;
        return;
      }
      let want;
      try {
        want = await readPngInfo(r.input);
      } catch (err) {
        problems[k] = `${r.id}: test input ${(err as Error).message}`;
        return;
      }
      const file = path.join(predDir, name);
      try {
        const got = await readPngInfo(file);
        const wrong: string[] = [];
        if (got.width !== want.width || got.height !== want.height)
          wrong.push(`size ${got.width}x${got.height}, the test input is ${want.width}x${want.height}`);
        if (got.mode !== 'RGB' || got.depth !== 8)
          wrong.push(`mode ${got.mode} (${got.depth}-bit), expected 8-bit RGB`);
        if (wrong.length > 0) problems[k] = `${name}: ${wrong.join('; ')}`;
      } catch (err) {
        problems[k] = (err as Error).message;
      }
    }),
  );
  const ids = new Set(records.map((r) => `${r.id}.png`));
  const extra = [...have].filter((n) => !ids.has(n));
  const lines: string[] = [];
  const gone = missing.filter(Boolean);
  if (gone.length > 0) lines.push(`missing ${gone.length} of ${records.length} test ids: ${list(gone)}`);
  const wrong = problems.filter(Boolean);
  if (wrong.length > 0)
    lines.push(...wrong.slice(0, 50), ...(wrong.length > 50 ? [`and ${wrong.length - 50} more`] : []));
  if (extra.length > 0) lines.push(`${extra.length} PNG(s) not in ${csvPath}: ${list(extra)}`);
  if (lines.length > 0)
    throw new Error(`predictions ${predDir} do not match ${csvPath}:\n  ${lines.join('\n  ')}`);
  return records.map((r) => ({ id: r.id, file: path.join(predDir, `${r.id}.png`) }));
}

/** Up to 20 names, then a count. */
function list(names: readonly string[]): string {
  return names.slice(0, 20).join(', ') + (names.length > 20 ? ` and ${names.length - 20} more` : '');
}

/**
 * Writes a submission zip atomically: the given PNG files (or, with a folder, every PNG in it, in name order), as they
 * are, at the archive's root. Resolves to the names in the archive.
 *
 * ```ts
 * await writeSubmissionZip(await checkSubmission('pred', 'data'), 'submission.zip');
 * await writeSubmissionZip('pred', 'submission.zip'); // no check
 * ```
 * @throws Error naming a file that is not a PNG, or a folder without PNGs.
 */
export async function writeSubmissionZip(
  files: string | readonly (SubmissionFile | string)[],
  zipPath: string,
): Promise<string[]> {
  const paths =
    typeof files === 'string'
      ? await listPngs(files)
      : files.map((f) => (typeof f === 'string' ? f : f.file));
  const entries = [];
  for (const file of paths) {
    const png = await readFileNamed(file);
    pngInfo(png, file);
    entries.push({ name: path.basename(file), png });
  }
  await writeFileAtomic(zipPath, submissionZip(entries));
  return entries.map((e) => e.name);
}
