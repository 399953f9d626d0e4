import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { toGray } from '../../src/image/index.js';
import { openDataset, readPng } from '../../src/node/index.js';

const photos = new URL('../fixtures/photos-masks/', import.meta.url).pathname;
let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'cli-damage-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const quiet = { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false };
const run = (name: string, args: string[]) => commands[name].run(args, quiet);

describe('damage command', () => {
  it('writes the competition layout with CSVs and a test split', async () => {
    const out = path.join(root, 'a');
    expect(
      await run('damage', [
        '--photos',
        photos,
        '--out',
        out,
        '--count',
        '3',
        '--test',
        '2',
        '--size',
        '64',
        '--seed',
        '5',
      ]),
    ).toBe(0);
    expect((await fs.readdir(out)).sort()).toEqual([
      'test.csv',
      'test_gt',
      'test_input',
      'train.csv',
      'train_gt',
      'train_input',
    ]);
    expect(await fs.readFile(path.join(out, 'train.csv'), 'utf8')).toBe(
      'input_image_path,gt_image_path\n' +
        ['00000', '00001', '00002']
          .map((k) => `./train_input/TRAIN_${k}.png,./train_gt/TRAIN_${k}.png`)
          .join('\n') +
        '\n',
    );
    expect(await fs.readFile(path.join(out, 'test.csv'), 'utf8')).toBe(
      'id,input_image_path\nTEST_000,./test_input/TEST_000.png\nTEST_001,./test_input/TEST_001.png\n',
    );
    expect((await fs.readdir(path.join(out, 'test_gt'))).sort()).toEqual(['TEST_000.png', 'TEST_001.png']);
    const input = await readPng(path.join(out, 'train_input', 'TRAIN_00001.png'));
    const gt = await readPng(path.join(out, 'train_gt', 'TRAIN_00001.png'));
    expect([input.width, input.height, input.channels]).toEqual([64, 64, 1]);
    expect([gt.width, gt.height, gt.channels]).toEqual([64, 64, 3]);
    // The input is gray(gt) except for one constant region.
    const gray = toGray(gt).data;
    const changed = new Set<number>();
    let n = 0;
    for (let i = 0; i < gray.length; i++)
      if (input.data[i] !== gray[i]) {
        changed.add(input.data[i]);
        n++;
      }
    expect(changed.size).toBe(1);
    expect(n / gray.length).toBeGreaterThan(0.02);
    expect(n / gray.length).toBeLessThan(0.12);
  });

  it('reads JPEG and non-square photos, center-crops and cycles them', async () => {
    const src = path.join(root, 'jpeg-photos');
    await fs.mkdir(src);
    // A 256x128 JPEG (test/fixtures/jpeg, made by scripts/goldens/jpeg.py).
    await fs.copyFile(new URL('../fixtures/jpeg/wide.jpg', import.meta.url), path.join(src, 'wide.jpg'));
    const out = path.join(root, 'j');
    expect(await run('damage', ['--photos', src, '--out', out, '--count', '2', '--size', '64'])).toBe(0);
    const gt = await readPng(path.join(out, 'train_gt', 'TRAIN_00001.png'));
    expect([gt.width, gt.height, gt.channels]).toEqual([64, 64, 3]);
    const first = await readPng(path.join(out, 'train_gt', 'TRAIN_00000.png'));
    expect(Buffer.from(first.data).equals(Buffer.from(gt.data))).toBe(true); // the one photo, cycled
  });

  it('is deterministic by seed', async () => {
    const args = (out: string, seed: string) => [
      '--photos',
      photos,
      '--out',
      out,
      '--count',
      '2',
      '--size',
      '48',
      '--seed',
      seed,
    ];
    await run('damage', args(path.join(root, 'b1'), '9'));
    await run('damage', args(path.join(root, 'b2'), '9'));
    await run('damage', args(path.join(root, 'b3'), '10'));
    const read = (d: string) => fs.readFile(path.join(root, d, 'train_input', 'TRAIN_00001.png'));
    expect((await read('b1')).equals(await read('b2'))).toBe(true);
    expect((await read('b1')).equals(await read('b3'))).toBe(false);
    expect(await fs.readdir(path.join(root, 'b1'))).not.toContain('test.csv');
  });

  it('refuses an --out that holds a dataset unless --force, which leaves no stale images', async () => {
    const out = path.join(root, 'again');
    const args = ['--photos', photos, '--out', out, '--size', '32'];
    expect(await run('damage', [...args, '--count', '4', '--test', '2'])).toBe(0);
    await fs.writeFile(path.join(out, 'train_gt', 'notes.txt'), 'mine');
    await expect(run('damage', [...args, '--count', '2'])).rejects.toThrow(
      /--out .*again already holds a dataset \(train\.csv, test\.csv, train_input\/ \(4 files\), train_gt\/ \(5 files\).*pass --force/,
    );
    expect(await fs.readdir(path.join(out, 'train_input'))).toHaveLength(4); // untouched
    expect(await run('damage', [...args, '--count', '2', '--force'])).toBe(0);
    expect((await fs.readdir(out)).sort()).toEqual(['train.csv', 'train_gt', 'train_input']);
    expect((await fs.readdir(path.join(out, 'train_input'))).sort()).toEqual([
      'TRAIN_00000.png',
      'TRAIN_00001.png',
    ]);
    // Only the dataset's own files went: the user's note stays.
    expect((await fs.readdir(path.join(out, 'train_gt'))).sort()).toEqual([
      'TRAIN_00000.png',
      'TRAIN_00001.png',
      'notes.txt',
    ]);
    expect((await openDataset(out, 'train')).length).toBe(2);
    // An existing but empty folder is no dataset.
    const empty = path.join(root, 'empty-out');
    await fs.mkdir(path.join(empty, 'train_input'), { recursive: true });
    expect(await run('damage', [...args.slice(0, 2), '--out', empty, '--count', '1', '--size', '32'])).toBe(
      0,
    );
  });

  it('reports bad arguments clearly', async () => {
    await expect(run('damage', ['--out', root])).rejects.toThrow(/missing --photos/);
    await expect(run('damage', ['--photos', path.join(root, 'nope'), '--out', root])).rejects.toThrow(
      /nope: no such directory/,
    );
    await expect(run('damage', ['--photos', photos, '--out', root, '--count', 'x'])).rejects.toThrow(
      /--count' expects an integer, got 'x'/,
    );
    await expect(run('damage', ['--photos', photos, '--out', root, '--preset', 'blob'])).rejects.toThrow(
      /unknown preset 'blob'/,
    );
    await expect(run('damage', ['--photos', photos, '--out', root, '--bogus', '1'])).rejects.toThrow(
      /unknown option '--bogus'/,
    );
    const empty = path.join(root, 'empty');
    await fs.mkdir(empty);
    await expect(run('damage', ['--photos', empty, '--out', root])).rejects.toThrow(/no PNG or JPEG files/);
  });
});

describe('detect-mask command', () => {
  it('writes 255/0 masks matching the damage', async () => {
    const data = path.join(root, 'c');
    await run('damage', ['--photos', photos, '--out', data, '--count', '2', '--size', '128', '--seed', '1']);
    const masks = path.join(root, 'c-masks');
    expect(await run('detect-mask', ['--input', path.join(data, 'train_input'), '--out', masks])).toBe(0);
    expect((await fs.readdir(masks)).sort()).toEqual(['TRAIN_00000.png', 'TRAIN_00001.png']);
    for (const name of ['TRAIN_00000.png', 'TRAIN_00001.png']) {
      const mask = await readPng(path.join(masks, name));
      const input = await readPng(path.join(data, 'train_input', name));
      const gray = toGray(await readPng(path.join(data, 'train_gt', name))).data;
      let inter = 0;
      let union = 0;
      expect(mask.data.every((v) => v === 0 || v === 255)).toBe(true);
      for (let i = 0; i < gray.length; i++) {
        const truth = input.data[i] !== gray[i];
        const found = mask.data[i] === 255;
        if (truth && found) inter++;
        if (truth || found) union++;
      }
      expect(inter / union).toBeGreaterThan(0.9);
    }
    // A single file works too.
    const single = path.join(root, 'c-one');
    await run('detect-mask', ['--input', path.join(data, 'train_input', 'TRAIN_00000.png'), '--out', single]);
    expect(await fs.readdir(single)).toEqual(['TRAIN_00000.png']);
    await expect(
      run('detect-mask', ['--input', path.join(root, 'none.png'), '--out', single]),
    ).rejects.toThrow(/no such file/);
  });
});

describe('detect-mask on an undamaged photo', () => {
  it('writes an all-0 mask and says on stderr that there is no lost region', async () => {
    const out = path.join(root, 'none-masks');
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (err += t), stderrIsTTY: false };
    const photo = new URL('../fixtures/photos/flat.png', import.meta.url).pathname;
    expect(await commands['detect-mask'].run(['--input', photo, '--out', out], io)).toBe(0);
    const mask = await readPng(path.join(out, 'flat.png'));
    expect(mask.data.every((v) => v === 0)).toBe(true);
    expect(err).toContain(`${photo}: no lost region found`);
    expect(err).toContain('no lost region in 1 of 1 inputs');
  });
});

describe('exit codes through runCli', () => {
  it('bad usage of damage and detect-mask exits 2 and names the option', async () => {
    const { runCli } = await import('../../src/cli/run.js');
    for (const argv of [
      ['damage', '--photos', photos, '--out', root, '--count', 'x'],
      ['detect-mask', '--bogus', '1'],
    ]) {
      let err = '';
      const code = await runCli(argv, {
        stdout: () => undefined,
        stderr: (t) => void (err += t),
        stderrIsTTY: false,
      });
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toMatch(/--count|--bogus/);
    }
  });
});
