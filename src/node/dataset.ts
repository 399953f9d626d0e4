import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseDatasetIndex, type DatasetRecord } from '../data/layout.js';

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
  let text: string;
  try {
    text = await fs.readFile(csvPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `${csvPath}: no such file` : `${csvPath}: cannot read (${(err as Error).message})`,
    );
  }
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
