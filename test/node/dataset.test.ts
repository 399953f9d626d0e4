import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage } from '../../src/image/index.js';
import {
  findDataset,
  openDataset,
  readPng,
  validateDataset,
  writeDataset,
  writePng,
} from '../../src/node/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tfjsr-ds-'));
  for (const k of [0, 1]) {
    const id = `TRAIN_0000${k}`;
    await writePng(path.join(root, 'train_input', `${id}.png`), createImage(8, 8, 1));
    await writePng(path.join(root, 'train_gt', `${id}.png`), createImage(8, 8, 3));
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

const csv = (n: number) =>
  'input_image_path,gt_image_path\n' +
  Array.from({ length: n }, (_, k) => `./train_input/TRAIN_0000${k}.png,./train_gt/TRAIN_0000${k}.png`).join(
    '\n',
  );

describe('openDataset', () => {
  it('reads a competition layout and the PNGs it names', async () => {
    await writeFile(path.join(root, 'train.csv'), csv(2));
    const rows = await openDataset(root, 'train');
    expect(rows.map((r) => r.id)).toEqual(['TRAIN_00000', 'TRAIN_00001']);
    const gt = await readPng(rows[1].gt as string);
    expect([gt.width, gt.height, gt.channels]).toEqual([8, 8, 3]);
  });
  it('names the rows and files that are missing', async () => {
    await writeFile(path.join(root, 'train.csv'), csv(4));
    await expect(openDataset(root, 'train')).rejects.toThrow(/missing files: row 4: .*TRAIN_00002\.png/);
    await expect(openDataset(root, 'test')).rejects.toThrow(/test\.csv: no such file/);
  });
  it('readPng names a file that is not a PNG or is absent', async () => {
    await writeFile(path.join(root, 'bad.png'), 'hello');
    await expect(readPng(path.join(root, 'bad.png'))).rejects.toThrow(/bad\.png: not a PNG/);
    await expect(readPng(path.join(root, 'none.png'))).rejects.toThrow(/none\.png: no such file/);
  });
});

describe('validateDataset', () => {
  it('names every bad row in one error: missing files, modes, sizes, duplicates', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tfjsr-validate-'));
    const put = (f: string, w: number, h: number, c: 1 | 3) =>
      writePng(path.join(dir, f), createImage(w, h, c));
    await put('in/a.png', 8, 8, 1);
    await put('gt/a.png', 8, 8, 3);
    await put('in/b.png', 8, 8, 1);
    await put('gt/b.png', 8, 8, 1); // a gray gt
    await put('in/c.png', 8, 8, 1);
    await put('gt/c.png', 8, 6, 3); // another size
    await put('in/e.png', 8, 8, 1);
    const rows = [
      'input_image_path,gt_image_path',
      'in/a.png,gt/a.png',
      'in/b.png,gt/b.png',
      'in/c.png,gt/c.png',
      'in/d.png,gt/d.png', // missing both
      'in/e.png,gt/a.png', // gt of row 2 again
      'in/a.png,gt/a.png', // id a again
    ];
    await writeFile(path.join(dir, 'train.csv'), rows.join('\n') + '\n');
    const err = await validateDataset(dir, 'train').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/train\.csv: 6 problem\(s\): /);
    expect(msg).toMatch(/row 3: gt .*b\.png is 8-bit L, expected 8-bit RGB/);
    expect(msg).toMatch(/row 4: gt .*c\.png is 8x6, its input 8x8/);
    expect(msg).toMatch(/row 5: input .*d\.png: no such file; row 5: gt .*d\.png: no such file/);
    expect(msg).toMatch(/row 6: gt .*gt\/a\.png is also named by row 2/);
    expect(msg).toMatch(/row 7: id a repeats row 2/);
    await writeFile(path.join(dir, 'train.csv'), rows.slice(0, 2).join('\n') + '\n');
    expect((await validateDataset(dir, 'train')).map((r) => r.id)).toEqual(['a']);
    await expect(validateDataset(dir, 'train', { size: [16, 16] })).rejects.toThrow(
      /2 problem\(s\): row 2: input .*a\.png is 8x8, expected 16x16; row 2: gt/,
    );
    await rm(dir, { recursive: true, force: true });
  });
});

describe('writeDataset and findDataset', () => {
  it('writes what openDataset reads, from a generator; refuses to write over a dataset unless replace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tfjsr-write-'));
    try {
      expect(await findDataset(dir)).toEqual([]);
      const sample = (v: number) => ({
        input: createImage(4, 4, 1, new Uint8Array(16).fill(v)),
        gt: createImage(4, 4, 3),
      });
      function* three() {
        for (const v of [1, 2, 3]) yield sample(v);
      }
      expect(await writeDataset(dir, { train: three(), test: [sample(9)] })).toEqual({ train: 3, test: 1 });
      expect((await openDataset(dir, 'train')).map((r) => r.id)).toEqual([
        'TRAIN_00000',
        'TRAIN_00001',
        'TRAIN_00002',
      ]);
      expect((await openDataset(dir, 'test')).map((r) => r.id)).toEqual(['TEST_000']);
      expect(await findDataset(dir)).toEqual([
        'train.csv',
        'test.csv',
        'train_input/ (3 files)',
        'train_gt/ (3 files)',
        'test_input/ (1 file)',
        'test_gt/ (1 file)',
      ]);
      await expect(writeDataset(dir, { train: [sample(1)] })).rejects.toThrow(
        /already holds a dataset \(train\.csv, test\.csv, .*\); refusing to write over it/,
      );
      expect(await writeDataset(dir, { train: [sample(1)] }, { replace: true })).toEqual({
        train: 1,
        test: 0,
      });
      expect(await findDataset(dir)).toEqual(['train.csv', 'train_input/ (1 file)', 'train_gt/ (1 file)']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
