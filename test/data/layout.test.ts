import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv, parseDatasetIndex, splitTrainVal, shuffled } from '../../src/data/index.js';

const TRAIN =
  'input_image_path,gt_image_path\n./train_input/TRAIN_00000.png,./train_gt/TRAIN_00000.png\n./train_input/TRAIN_00001.png,./train_gt/TRAIN_00001.png\n';

describe('csv', () => {
  it('round-trips quotes, commas, newlines, CRLF and a byte-order mark', () => {
    const rows = [
      ['a', 'b,c'],
      ['say "hi"', 'two\nlines'],
    ];
    expect(parseCsv(formatCsv(rows))).toEqual(rows);
    expect(parseCsv('\ufeffx,y\r\n1,2\r\n')).toEqual([
      ['x', 'y'],
      ['1', '2'],
    ]);
  });
  it('names the source and line of an unterminated quote', () => {
    expect(() => parseCsv('a,"b\n', 'f.csv')).toThrow(/f\.csv:2: unterminated quoted field/);
  });
});

describe('parseDatasetIndex', () => {
  it('reads the competition train layout', () => {
    expect(parseDatasetIndex(TRAIN, '/data', { kind: 'train' })).toEqual([
      { id: 'TRAIN_00000', input: '/data/train_input/TRAIN_00000.png', gt: '/data/train_gt/TRAIN_00000.png' },
      { id: 'TRAIN_00001', input: '/data/train_input/TRAIN_00001.png', gt: '/data/train_gt/TRAIN_00001.png' },
    ]);
  });
  it('reads a test index, ignoring extra columns', () => {
    const csv = 'ID,input_image_path\nTEST_000,./test_input/TEST_000.png\n';
    expect(parseDatasetIndex(csv, 'd/', { kind: 'test' })).toEqual([
      { id: 'TEST_000', input: 'd/test_input/TEST_000.png' },
    ]);
  });
  it('errors name the file and the row', () => {
    expect(() =>
      parseDatasetIndex('input_image_path\nx.png\n', '.', { kind: 'train', source: 'train.csv' }),
    ).toThrow(/train\.csv:1: header lacks column\(s\) gt_image_path/);
    expect(() =>
      parseDatasetIndex(TRAIN + './train_input/a.jpg,./train_gt/a.png\n', '.', { kind: 'train' }),
    ).toThrow(/train\.csv: row 4: input_image_path '\.\/train_input\/a\.jpg' is not a \.png path/);
    expect(() =>
      parseDatasetIndex(TRAIN + './train_input/TRAIN_00000.png,./train_gt/x.png\n', '.', { kind: 'train' }),
    ).toThrow(/row 4: id TRAIN_00000 repeats row 2/);
    expect(() => parseDatasetIndex(TRAIN + 'a.png\n', '.', { kind: 'train' })).toThrow(
      /:4: expected 2 fields, got 1/,
    );
    expect(() => parseDatasetIndex('input_image_path,gt_image_path\n', '.', { kind: 'train' })).toThrow(
      /no rows/,
    );
  });
});

describe('splitTrainVal', () => {
  const items = Array.from({ length: 1000 }, (_, i) => i);
  it('is seeded, keeps order, partitions everything and keeps groups whole', () => {
    const a = splitTrainVal(items, { valFraction: 0.1, groupSize: 50, seed: 3 });
    expect(splitTrainVal(items, { valFraction: 0.1, groupSize: 50, seed: 3 })).toEqual(a);
    expect(a.val.length).toBe(100);
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(items);
    expect(a.train).toEqual([...a.train].sort((x, y) => x - y));
    const valGroups = new Set(a.val.map((i) => Math.floor(i / 50)));
    for (const i of a.train) expect(valGroups.has(Math.floor(i / 50))).toBe(false);
    expect(splitTrainVal(items, { valFraction: 0.1, groupSize: 50, seed: 4 })).not.toEqual(a);
  });
  it('rejects bad arguments by name', () => {
    expect(() => splitTrainVal(items, { valFraction: 1 })).toThrow(/valFraction must be in \(0, 1\), got 1/);
    expect(() => splitTrainVal(items, { groupSize: 0 })).toThrow(/groupSize/);
    expect(() => splitTrainVal([1], {})).toThrow(/at least 2 groups/);
  });
  it('shuffled is a seeded permutation', () => {
    const s = shuffled(items, 7);
    expect(s).toEqual(shuffled(items, 7));
    expect([...s].sort((x, y) => x - y)).toEqual(items);
    expect(s).not.toEqual(items);
  });
});
