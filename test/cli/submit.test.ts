/** The submit command, checkSubmission / writeSubmissionZip, and the PNG header reader they use. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encode } from 'fast-png';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { createImage, encodePng, pngInfo } from '../../src/image/index.js';
import { readPngInfo, writePng } from '../../src/node/index.js';
import { checkSubmission } from '../../src/pipeline/files.js';

const PHOTOS = path.resolve(import.meta.dirname, '..', 'fixtures', 'photos-masks');
let root: string;
const d = (...p: string[]) => path.join(root, ...p);

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: false,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'cli-submit-'));
  const made = await cli([
    'damage',
    '--photos',
    PHOTOS,
    '--out',
    d('data'),
    '--count',
    '0',
    '--test',
    '3',
    '--size',
    '32',
  ]);
  expect(made.code, made.stderr).toBe(0);
  for (const id of ['TEST_000', 'TEST_001', 'TEST_002'])
    await writePng(d('good', `${id}.png`), createImage(32, 32, 3));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('pngInfo / readPngInfo', () => {
  it("reads size, depth and Pillow's mode from the header", async () => {
    expect(pngInfo(encodePng(createImage(5, 3, 3)))).toEqual({
      width: 5,
      height: 3,
      depth: 8,
      colorType: 2,
      channels: 3,
      mode: 'RGB',
    });
    expect(pngInfo(encodePng(createImage(2, 2, 1))).mode).toBe('L');
    const rgba = encode({ width: 1, height: 1, data: new Uint8Array(4), channels: 4, depth: 8 });
    expect(pngInfo(rgba).mode).toBe('RGBA');
    const gray16 = encode({ width: 1, height: 1, data: new Uint16Array(1), channels: 1, depth: 16 });
    expect(pngInfo(gray16)).toMatchObject({ mode: 'I;16', depth: 16 });
    expect(() => pngInfo(new Uint8Array(10), 'x.png')).toThrow(/x\.png: not a PNG file/);
    expect((await readPngInfo(d('good', 'TEST_001.png'))).mode).toBe('RGB');
    await expect(readPngInfo(d('good', 'nope.png'))).rejects.toThrow(/nope\.png: no such file/);
  });
});

describe('tfjs-restoration submit', () => {
  it('zips the PNGs flat, in test.csv order with --data, atomically', async () => {
    const r = await cli([
      'submit',
      '--pred',
      d('good'),
      '--out',
      d('sub', 'submission.zip'),
      '--data',
      d('data'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ zip: d('sub', 'submission.zip'), n: 3, checked: true });
    const files = unzipSync(await fs.readFile(d('sub', 'submission.zip')));
    expect(Object.keys(files)).toEqual(['TEST_000.png', 'TEST_001.png', 'TEST_002.png']);
    expect(Buffer.from(files['TEST_001.png']).equals(await fs.readFile(d('good', 'TEST_001.png')))).toBe(
      true,
    );
    expect(await fs.readdir(d('sub'))).toEqual(['submission.zip']); // no temporary file left
    // without --data: every PNG of the folder, unchecked
    await writePng(d('any', 'a.png'), createImage(3, 3, 1));
    const r2 = await cli(['submit', '--pred', d('any'), '--out', d('sub', 'any.zip')]);
    expect(JSON.parse(r2.stdout)).toEqual({ zip: d('sub', 'any.zip'), n: 1, checked: false });
  });

  it('names every missing or wrong prediction in one error', async () => {
    await writePng(d('bad', 'TEST_000.png'), createImage(32, 32, 1)); // gray
    await writePng(d('bad', 'TEST_001.png'), createImage(31, 32, 3)); // wrong size
    await fs.writeFile(d('bad', 'extra.png'), 'not a png');
    // TEST_002 missing
    const r = await cli(['submit', '--pred', d('bad'), '--out', d('sub', 'bad.zip'), '--data', d('data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing 1 of 3 test ids: TEST_002');
    expect(r.stderr).toContain('TEST_000.png: mode L (8-bit), expected 8-bit RGB');
    expect(r.stderr).toContain('TEST_001.png: size 31x32, the test input is 32x32');
    expect(r.stderr).toContain('1 PNG(s) not in');
    expect(r.stderr).toContain('extra.png');
    await expect(fs.access(d('sub', 'bad.zip'))).rejects.toThrow();
    await expect(checkSubmission(d('bad'), d('nodata'))).rejects.toThrow(/test\.csv: no such file/);
  });

  it('bad usage and files that are not PNGs', async () => {
    let r = await cli(['submit', '--pred', d('good')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --out FILE.zip');
    r = await cli(['submit', '--pred', d('good'), '--out', d('x.tar')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('expected a .zip file name');
    r = await cli(['submit', '--pred', d('bad'), '--out', d('sub', 'x.zip')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${d('bad', 'extra.png')}: not a PNG file`);
  });
});
