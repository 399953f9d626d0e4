import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage } from '../src/image/index.js';
import { openDataset, readPng, writePng } from '../src/node/index.js';

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
