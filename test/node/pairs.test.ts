import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage } from '../../src/image/index.js';
import { matchPngsByName, writePng } from '../../src/node/index.js';

let root: string;
const tiny = createImage(2, 2, 1);

async function touchPngs(dir: string, names: string[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const n of names) await writePng(path.join(dir, n), tiny);
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-pairs-'));
  await touchPngs(path.join(root, 'pred'), ['b.png', 'a.png']);
  await touchPngs(path.join(root, 'gt'), ['a.png', 'b.png', 'extra.png']);
  await touchPngs(path.join(root, 'input'), ['a.png', 'b.png']);
  await touchPngs(path.join(root, 'input-missing'), ['a.png']);
  await fs.mkdir(path.join(root, 'empty'));
  await fs.writeFile(path.join(root, 'empty', 'notes.txt'), 'no images here');
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('matchPngsByName', () => {
  it('matches directories by the primary role, sorted, ignoring extra files elsewhere', async () => {
    const d = (s: string) => path.join(root, s);
    const sets = await matchPngsByName(
      { pred: d('pred'), gt: d('gt'), input: d('input') },
      { primary: 'pred' },
    );
    expect(sets).toEqual([
      { name: 'a.png', pred: d('pred/a.png'), gt: d('gt/a.png'), input: d('input/a.png') },
      { name: 'b.png', pred: d('pred/b.png'), gt: d('gt/b.png'), input: d('input/b.png') },
    ]);
  });

  it('takes single files as one set named after the primary file', async () => {
    const d = (s: string) => path.join(root, s);
    const sets = await matchPngsByName({ gt: d('gt/a.png'), pred: d('pred/b.png') }, { primary: 'pred' });
    expect(sets).toEqual([{ name: 'b.png', gt: d('gt/a.png'), pred: d('pred/b.png') }]);
  });

  it('names the directory that misses files, and which files', async () => {
    const d = (s: string) => path.join(root, s);
    await expect(
      matchPngsByName(
        { pred: d('pred'), gt: d('gt'), input: d('input-missing') },
        { primary: 'pred', label: (r) => `--${r}` },
      ),
    ).rejects.toThrow(
      `--input ${d('input-missing')} is missing 1 of the 2 files in --pred ${d('pred')}: b.png`,
    );
  });

  it('lists at most maxListed missing names', async () => {
    const d = (s: string) => path.join(root, s);
    await expect(
      matchPngsByName({ gt: d('gt'), input: d('input-missing') }, { primary: 'gt', maxListed: 1 }),
    ).rejects.toThrow(/is missing 2 of the 3 files in gt .*: b\.png and 1 more/);
  });

  it('rejects a missing path, a mix of files and directories, and a directory with no PNG', async () => {
    const d = (s: string) => path.join(root, s);
    await expect(matchPngsByName({ pred: d('nope'), gt: d('gt') })).rejects.toThrow(
      `pred ${d('nope')}: no such file or directory`,
    );
    await expect(matchPngsByName({ pred: d('pred'), gt: d('gt/a.png') })).rejects.toThrow(
      `give all directories or all files: pred ${d('pred')} is a directory but gt ${d('gt/a.png')} is a file`,
    );
    await expect(matchPngsByName({ pred: d('empty'), gt: d('gt') })).rejects.toThrow(
      `pred ${d('empty')}: directory has no PNG files`,
    );
  });
});
