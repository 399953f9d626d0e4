import { parseCsvRecords } from './csv.js';

/** One row of a competition index: an id (file stem), the input path and, for training rows, the gt path. */
export interface DatasetRecord {
  /** File stem of the input, e.g. `TRAIN_00000`; submissions are named `<id>.png`. */
  readonly id: string;
  /** Path of the damaged gray input, resolved against the dataset root. */
  readonly input: string;
  /** Path of the color original; absent for test rows. */
  readonly gt?: string;
}

/** Joins a dataset root and a CSV path such as `./train_input/TRAIN_00000.png` with forward slashes. */
export function resolveDatasetPath(root: string, relative: string): string {
  const rel = relative.trim().replace(/\\/g, '/').replace(/^\.\//, '');
  if (rel.startsWith('/') || /^[a-zA-Z]:\//.test(rel)) return rel;
  return root === '' || root === '.' ? rel : `${root.replace(/[\\/]+$/, '')}/${rel}`;
}

function stem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Parses a competition index CSV. Training files (`train.csv`) have `input_image_path,gt_image_path`; test files
 * (`test.csv`) have `input_image_path` (any other columns, such as `ID`, are ignored). Checks that every row has
 * a path ending in `.png` and that ids are unique; errors name the source and the row.
 *
 * ```ts
 * const rows = parseDatasetIndex(await fs.readFile('data/train.csv', 'utf8'), 'data', { kind: 'train', source: 'data/train.csv' });
 * rows[0]; // { id: 'TRAIN_00000', input: 'data/train_input/TRAIN_00000.png', gt: 'data/train_gt/TRAIN_00000.png' }
 * ```
 */
export function parseDatasetIndex(
  csvText: string,
  root: string,
  options: {
    kind: 'train' | 'test';
    source?: string;
    /** Collect row problems here (`row N: ...`) and skip those rows, instead of throwing at the first. */
    problems?: string[];
  },
): DatasetRecord[] {
  const source = options.source ?? `${options.kind}.csv`;
  const columns = options.kind === 'train' ? ['input_image_path', 'gt_image_path'] : ['input_image_path'];
  const records = parseCsvRecords(csvText, columns, source);
  if (records.length === 0) throw new Error(`${source}: no rows after the header`);
  const seen = new Map<string, number>();
  const out: DatasetRecord[] = [];
  records.forEach((rec, k) => {
    const row = k + 2;
    const problem = (text: string) => {
      if (!options.problems) throw new Error(`${source}: row ${row}: ${text}`);
      options.problems.push(`row ${row}: ${text}`);
    };
    const bad = columns.find((c) => !rec[c].trim().toLowerCase().endsWith('.png'));
    if (bad !== undefined) return problem(`${bad} '${rec[bad]}' is not a .png path`);
    const input = resolveDatasetPath(root, rec.input_image_path);
    const id = stem(input);
    const first = seen.get(id);
    if (first !== undefined) return problem(`id ${id} repeats row ${first}`);
    seen.set(id, row);
    out.push(
      options.kind === 'train'
        ? { id, input, gt: resolveDatasetPath(root, rec.gt_image_path) }
        : { id, input },
    );
  });
  return out;
}
