import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlaceLabels, groupKFold, kFold, parsePlaceLabels } from '../../src/data/index.js';
import { readPlaceLabels, writePlaceLabels } from '../../src/node/index.js';

describe('groupKFold', () => {
  // 12 places of 1..6 images each, and some noise.
  const labels: number[] = [];
  for (let g = 0; g < 12; g++) for (let j = 0; j <= g % 6; j++) labels.push(g);
  labels.push(-1, -1, -1);

  it('keeps every place on one side, validates on one image per place, drops noise', () => {
    const seenVal = new Set<number>();
    for (let fold = 0; fold < 4; fold++) {
      const { train, val } = groupKFold(labels, 4, fold, { seed: 7 });
      const trainPlaces = new Set(train.map((i) => labels[i]));
      const valPlaces = val.map((i) => labels[i]);
      expect(new Set(valPlaces).size).toBe(valPlaces.length); // one image per place
      expect(valPlaces).toHaveLength(3); // 12 places / 4 folds
      for (const p of valPlaces) expect(trainPlaces.has(p)).toBe(false);
      expect([...train, ...val].some((i) => labels[i] < 0)).toBe(false);
      // Training holds every image of the other places.
      expect(train).toHaveLength(labels.filter((l) => l >= 0 && !valPlaces.includes(l)).length);
      expect(train).toEqual([...train].sort((a, b) => a - b));
      valPlaces.forEach((p) => seenVal.add(p));
    }
    expect(seenVal.size).toBe(12); // the folds cover every place once
  });

  it('is seeded, and can validate on whole places', () => {
    expect(groupKFold(labels, 3, 1, { seed: 1 })).toEqual(groupKFold(labels, 3, 1, { seed: 1 }));
    expect(groupKFold(labels, 3, 1, { seed: 1 })).not.toEqual(groupKFold(labels, 3, 1, { seed: 2 }));
    const { val } = groupKFold(labels, 3, 1, { seed: 1, valPerGroup: 'all' });
    const places = new Set(val.map((i) => labels[i]));
    expect(val).toHaveLength(labels.filter((l) => places.has(l)).length);
  });

  it('names what is wrong', () => {
    expect(() => groupKFold(labels, 1, 0)).toThrow(/k must be an integer >= 2/);
    expect(() => groupKFold(labels, 4, 4)).toThrow(/fold must be an integer in 0..3/);
    expect(() => groupKFold([0, 0, 1, -1], 3, 0)).toThrow(
      /2 group\(s\) \(noise left out\) cannot fill 3 folds/,
    );
    expect(() => groupKFold([0, -2], 2, 0)).toThrow(/label 1 is -2/);
  });
});

describe('train_preproc.csv', () => {
  it('round-trips through text and files, atomically written', async () => {
    const text = formatPlaceLabels(['a.png', 'b,c.png'], [3, -1]);
    expect(text).toBe('image,label\na.png,3\n"b,c.png",-1\n');
    const back = parsePlaceLabels(text);
    expect(back.images).toEqual(['a.png', 'b,c.png']);
    expect([...back.labels]).toEqual([3, -1]);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'places-'));
    const file = path.join(dir, 'train_preproc.csv');
    await writePlaceLabels(file, back.images, back.labels);
    expect(await readPlaceLabels(file)).toEqual(back);
    expect(await fs.readdir(dir)).toEqual(['train_preproc.csv']);
    await fs.rm(dir, { recursive: true });
  });

  it('names the file and line of a bad row', () => {
    expect(() => parsePlaceLabels('image,label\na.png,x\n', 'p.csv')).toThrow(
      "p.csv:2: label 'x' is not an integer >= -1",
    );
    expect(() => parsePlaceLabels('image,label\na.png,1\na.png,2\n', 'p.csv')).toThrow(
      "p.csv:3: image 'a.png' is listed twice",
    );
    expect(() => parsePlaceLabels('image\na.png\n', 'p.csv')).toThrow(
      /p.csv:1: header lacks column\(s\) label/,
    );
    expect(() => formatPlaceLabels(['a'], [])).toThrow(/1 images but 0 labels/);
  });
});

describe('kFold', () => {
  it('deals every index into one validation fold, seeded', () => {
    const seen: number[] = [];
    for (let fold = 0; fold < 3; fold++) {
      const { train, val } = kFold(10, 3, fold, { seed: 4 });
      expect(val.length).toBeGreaterThanOrEqual(3);
      expect([...train, ...val].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      seen.push(...val);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(kFold(10, 3, 1, { seed: 4 })).toEqual(kFold(10, 3, 1, { seed: 4 }));
    expect(() => kFold(2, 3, 0)).toThrow(/2 record\(s\) cannot fill 3 folds/);
    expect(() => kFold(9, 3, 3)).toThrow(/fold must be an integer in 0..2/);
  });
});
