import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseDatasetIndex, type DatasetRecord } from '../data/layout.js';
import { readPngInfo, readTextNamed, writeFileAtomic, writePng } from './files.js';
import { formatCsv } from '../data/csv.js';
import type { Sample } from '../image/types.js';

/**
 * Reads `train.csv` or `test.csv` under a dataset root in the competition layout and checks that every file it
 * names exists. Errors name the CSV row and the missing file (the first few, with a count of the rest).
 *
 * ```ts
 * const train = await openDataset('data', 'train');
 * ```
 */
export async function openDataset(root: string, kind: 'train' | 'test'): Promise<DatasetRecord[]> {
  const csvPath = path.join(root, `${kind}.csv`);
  const text = await readTextNamed(csvPath);
  const records = parseDatasetIndex(text, root, { kind, source: csvPath });
  const missing: string[] = [];
  await Promise.all(
    records.map(async (r, k) => {
      for (const file of r.gt ? [r.input, r.gt] : [r.input]) {
        try {
          await fs.access(file);
        } catch {
          missing.push(`row ${k + 2}: ${file}`);
        }
      }
    }),
  );
  if (missing.length > 0) {
    missing.sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));
    const more = missing.length > 5 ? ` (and ${missing.length - 5} more)` : '';
    throw new Error(`${csvPath}: missing files: ${missing.slice(0, 5).join('; ')}${more}`);
  }
  return records;
}

/** Options of {@link validateDataset}. */
export interface ValidateDatasetOptions {
  /** Every image must be this `[width, height]`; default any size, a row's input and gt alike. */
  size?: [number, number];
  /** Problems named in the error before `(and N more)`; default 20. */
  maxListed?: number;
}

/**
 * Reads `train.csv` or `test.csv` like {@link openDataset} and checks every row before any work starts, reading
 * only the PNG headers: paths that are not `.png`, repeated ids, two rows naming one file, missing or unreadable
 * files, wrong modes (an input must be 8-bit gray `L` or `RGB`, a gt 8-bit `RGB`), a gt whose size differs from its
 * input's (or from `size`). All problems go into one error that names the rows (the first `maxListed`, then a count).
 *
 * ```ts
 * const records = await validateDataset('data', 'train'); // throws: "data/train.csv: 2 problem(s): row 5: ..."
 * ```
 */
export async function validateDataset(
  root: string,
  kind: 'train' | 'test',
  options: ValidateDatasetOptions = {},
): Promise<DatasetRecord[]> {
  const { size, maxListed = 20 } = options;
  const csvPath = path.join(root, `${kind}.csv`);
  const problems: string[] = [];
  const records = parseDatasetIndex(await readTextNamed(csvPath), root, { kind, source: csvPath, problems });
  const rowOf = new Map<DatasetRecord, number>();
  {
    // Rows were numbered from 2 with skipped ones; recover each record's row from its id order in the file.
    const lines = problems.map((p) => parseInt(p.slice(4)));
    let row = 2;
    for (const r of records) {
      while (lines.includes(row)) row++;
      rowOf.set(r, row++);
    }
  }
  const files = new Map<string, number>();
  for (const r of records)
    for (const [what, file] of [
      ['input', r.input],
      ['gt', r.gt],
    ] as const) {
      if (file === undefined) continue;
      const key = path.resolve(file);
      const first = files.get(key);
      if (first !== undefined)
        problems.push(`row ${rowOf.get(r)}: ${what} ${file} is also named by row ${first}`);
      else files.set(key, rowOf.get(r)!);
    }
  let next = 0;
  const check = async (r: DatasetRecord) => {
    const row = rowOf.get(r)!;
    const info = async (what: string, file: string) => {
      try {
        return await readPngInfo(file);
      } catch (err) {
        problems.push(`row ${row}: ${what} ${(err as Error).message}`);
        return null;
      }
    };
    const input = await info('input', r.input);
    const gt = r.gt === undefined ? null : await info('gt', r.gt);
    if (input && (input.depth !== 8 || (input.mode !== 'L' && input.mode !== 'RGB')))
      problems.push(
        `row ${row}: input ${r.input} is ${input.depth}-bit ${input.mode}, expected 8-bit L or RGB`,
      );
    if (gt && (gt.depth !== 8 || gt.mode !== 'RGB'))
      problems.push(`row ${row}: gt ${r.gt} is ${gt.depth}-bit ${gt.mode}, expected 8-bit RGB`);
    for (const [what, im, file] of [
      ['input', input, r.input],
      ['gt', gt, r.gt],
    ] as const)
      if (im && size && (im.width !== size[0] || im.height !== size[1]))
        problems.push(
          `row ${row}: ${what} ${file} is ${im.width}x${im.height}, expected ${size[0]}x${size[1]}`,
        );
    if (!size && input && gt && (input.width !== gt.width || input.height !== gt.height))
      problems.push(
        `row ${row}: gt ${r.gt} is ${gt.width}x${gt.height}, its input ${input.width}x${input.height}`,
      );
  };
  // A few files at a time: a data set of 30,000 rows must not open 60,000 files at once.
  await Promise.all(
    Array.from({ length: Math.min(16, records.length) }, async () => {
      while (next < records.length) await check(records[next++]);
    }),
  );
  if (problems.length > 0) {
    problems.sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));
    const more = problems.length > maxListed ? ` (and ${problems.length - maxListed} more)` : '';
    throw new Error(
      `${csvPath}: ${problems.length} problem(s): ${problems.slice(0, maxListed).join('; ')}${more}`,
    );
  }
  return records;
}

/** A dataset's own entries under its root: the two CSVs and the four image folders. */
const DATASET_CSVS = ['train.csv', 'test.csv'] as const;
const DATASET_DIRS = ['train_input', 'train_gt', 'test_input', 'test_gt'] as const;
/** The image files this library's writer names (only these are removed when a dataset is replaced). */
const DATASET_IMAGE = /^(TRAIN_\d{5}|TEST_\d{3})\.png$/;

/**
 * What of a dataset in the competition layout is already under `root`: `train.csv` / `test.csv` where they exist, and
 * `train_input/` … `test_gt/` where they hold any file (with the count). Empty when there is none (or no `root`).
 *
 * ```ts
 * const found = await findDataset('data'); // e.g. ['train.csv', 'train_input/ (1000 files)']
 * ```
 */
export async function findDataset(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const csv of DATASET_CSVS) {
    const stat = await fs.stat(path.join(root, csv)).catch(() => undefined);
    if (stat !== undefined) found.push(csv);
  }
  for (const dir of DATASET_DIRS) {
    const entries = await fs.readdir(path.join(root, dir)).catch(() => [] as string[]);
    if (entries.length > 0) found.push(`${dir}/ (${entries.length} file${entries.length === 1 ? '' : 's'})`);
  }
  return found;
}

/** One sample to write: the damaged gray input and its color original (a {@link Sample}'s mask is not stored). */
export type DatasetSampleImages = Pick<Sample, 'input' | 'gt'>;

/** Options for {@link writeDataset}. */
export interface WriteDatasetOptions {
  /**
   * Replace a dataset already under the root (default false: refuse, naming what is there). The old dataset's own
   * files go first: the CSVs and the `TRAIN_00000.png` / `TEST_000.png` images in its four folders (other files
   * there stay), so no stale image is left beside a shorter CSV.
   */
  replace?: boolean;
  /** Called after each sample is written. */
  onSample?: () => void;
}

/**
 * Writes a dataset in the competition layout under `root`: `train_input/TRAIN_00000.png` (gray input),
 * `train_gt/TRAIN_00000.png` (color original) and `train.csv` (`input_image_path,gt_image_path`); and for test samples
 * `test_input/TEST_000.png`, `test.csv` (`id,input_image_path`) and the originals in `test_gt/` (for scoring; not part of
 * the competition layout). Samples may come from a generator, so a large set never sits in memory. Every file is
 * written atomically and the CSVs last, so a CSV never names an image that is not there. {@link openDataset} reads
 * the result.
 * @throws Error naming what is already there when `root` holds a dataset and `replace` is not set; when a split
 * exceeds its names (100,000 train, 1,000 test samples).
 * @returns how many samples each split got.
 *
 * ```ts
 * await writeDataset('data', { train: [{ input, gt }], test: [] }, { replace: true });
 * ```
 */
export async function writeDataset(
  root: string,
  samples: {
    train?: Iterable<DatasetSampleImages> | AsyncIterable<DatasetSampleImages>;
    test?: Iterable<DatasetSampleImages> | AsyncIterable<DatasetSampleImages>;
  },
  options: WriteDatasetOptions = {},
): Promise<{ train: number; test: number }> {
  const found = await findDataset(root);
  if (found.length > 0) {
    if (!options.replace)
      throw new Error(
        `${root}: already holds a dataset (${found.join(', ')}); refusing to write over it (replace it explicitly)`,
      );
    await removeDataset(root);
  }
  const trainRows = [['input_image_path', 'gt_image_path']];
  const testRows = [['id', 'input_image_path']];
  for await (const s of samples.train ?? []) {
    const k = trainRows.length - 1;
    if (k >= 100_000)
      throw new Error(`${root}: more than 100000 training samples (TRAIN_00000..TRAIN_99999)`);
    const name = `TRAIN_${String(k).padStart(5, '0')}.png`;
    await writePng(path.join(root, 'train_input', name), s.input);
    await writePng(path.join(root, 'train_gt', name), s.gt);
    trainRows.push([`./train_input/${name}`, `./train_gt/${name}`]);
    options.onSample?.();
  }
  for await (const s of samples.test ?? []) {
    const k = testRows.length - 1;
    if (k >= 1000) throw new Error(`${root}: more than 1000 test samples (TEST_000..TEST_999)`);
    const id = `TEST_${String(k).padStart(3, '0')}`;
    await writePng(path.join(root, 'test_input', `${id}.png`), s.input);
    await writePng(path.join(root, 'test_gt', `${id}.png`), s.gt);
    testRows.push([id, `./test_input/${id}.png`]);
    options.onSample?.();
  }
  if (trainRows.length > 1) await writeFileAtomic(path.join(root, 'train.csv'), formatCsv(trainRows));
  if (testRows.length > 1) await writeFileAtomic(path.join(root, 'test.csv'), formatCsv(testRows));
  return { train: trainRows.length - 1, test: testRows.length - 1 };
}

/** Removes a dataset's own entries under `root`: its CSVs first, then its images, then its folders if left empty. */
async function removeDataset(root: string): Promise<void> {
  for (const csv of DATASET_CSVS) await fs.rm(path.join(root, csv), { force: true });
  for (const dir of DATASET_DIRS) {
    const folder = path.join(root, dir);
    const entries = await fs.readdir(folder).catch(() => [] as string[]);
    for (const name of entries)
      if (DATASET_IMAGE.test(name)) await fs.rm(path.join(folder, name), { force: true });
    await fs.rmdir(folder).catch(() => undefined); // only when empty: other files stay
  }
}
