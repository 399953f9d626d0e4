import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseDatasetIndex, type DatasetRecord } from '../data/layout.js';
import { readPngInfo } from './files.js';

async function readIndex(csvPath: string): Promise<string> {
  try {
    return await fs.readFile(csvPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `${csvPath}: no such file` : `${csvPath}: cannot read (${(err as Error).message})`,
    );
  }
}

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
  const text = await readIndex(csvPath);
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
  const records = parseDatasetIndex(await readIndex(csvPath), root, { kind, source: csvPath, problems });
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
