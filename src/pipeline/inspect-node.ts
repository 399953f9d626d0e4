/**
 * Reading a competition-layout dataset from disk into a {@link DatasetReport} (Node only; exported from
 * `tfjs-restoration/pipeline/node`).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DatasetRecord } from '../data/layout.js';
import { shuffled } from '../data/shuffle.js';
import { openDataset } from '../node/dataset.js';
import { readPng, readPngInfo } from '../node/files.js';
import { DatasetReportBuilder, type DatasetReport } from './inspect.js';

/** Options of {@link inspectDataset}. */
export interface InspectOptions {
  /** Inspect at most this many rows of each split, drawn at random with `seed` (default: every row). */
  limit?: number;
  /** Seed of the sampling; default 0. */
  seed?: number;
  /** How many train pairs the contact sheet shows; default 8. */
  samples?: number;
  /** Called after each inspected row, with the count done and the total to do. */
  onProgress?: (done: number, total: number) => void;
}

/** The rows of `kind`.csv under `root`, or none when the file does not exist. */
async function rowsOf(root: string, kind: 'train' | 'test'): Promise<DatasetRecord[]> {
  try {
    await fs.access(path.join(root, `${kind}.csv`));
  } catch {
    return [];
  }
  return openDataset(root, kind);
}

/**
 * Explores a dataset in the competition layout (`train.csv` with input and gt paths, `test.csv` with input paths;
 * either may be absent, not both): counts, each file's size and mode, lost-region coverage and fill values (train:
 * where the input differs from the gt's gray; test: `detectLostRegion`), gt color statistics and sample pairs.
 * Renders with `datasetReportHtml`.
 *
 * ```ts
 * const report = await inspectDataset('data', { limit: 1000, seed: 1 });
 * console.log(report.counts, report.color.mean);
 * ```
 * @throws Error naming the CSV row or file that is missing or unreadable.
 */
export async function inspectDataset(root: string, options: InspectOptions = {}): Promise<DatasetReport> {
  const { limit, seed = 0 } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new RangeError(`inspectDataset: limit must be a positive integer, got ${limit}`);
  const [train, test] = await Promise.all([rowsOf(root, 'train'), rowsOf(root, 'test')]);
  if (train.length === 0 && test.length === 0)
    throw new Error(`${root}: no train.csv or test.csv (not a dataset in the competition layout)`);
  const pick = (rows: DatasetRecord[], salt: number) =>
    limit === undefined || rows.length <= limit ? rows : shuffled(rows, seed + salt).slice(0, limit);
  const trainRows = pick(train, 0);
  const testRows = pick(test, 1);
  const builder = new DatasetReportBuilder(root, { limit: limit ?? null, seed }, options.samples ?? 8);
  builder.report.counts.train = train.length;
  builder.report.counts.test = test.length;
  const total = trainRows.length + testRows.length;
  const format = async (role: string, file: string) => {
    const info = await readPngInfo(file);
    builder.addFormat(role, `${info.width}x${info.height} ${info.mode} ${info.depth}-bit`);
  };
  let done = 0;
  for (const r of trainRows) {
    await format('train_input', r.input);
    await format('train_gt', r.gt!);
    const [input, gt] = await Promise.all([
      readPng(r.input, { channels: 1 }),
      readPng(r.gt!, { channels: 3 }),
    ]);
    if (input.width !== gt.width || input.height !== gt.height)
      throw new Error(
        `${r.input}: size ${input.width}x${input.height} differs from its gt ${r.gt} (${gt.width}x${gt.height})`,
      );
    builder.addTrain(r.id, input, gt);
    options.onProgress?.(++done, total);
  }
  for (const r of testRows) {
    await format('test_input', r.input);
    builder.addTest(r.id, await readPng(r.input, { channels: 1 }));
    options.onProgress?.(++done, total);
  }
  return builder.report;
}
