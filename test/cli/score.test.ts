import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';
import { createImage, toGray, type Image } from '../../src/image/index.js';
import { competitionMask, scoreImage, summarizeScores, type ImageScores } from '../../src/metrics/index.js';
import { readPng, writePng } from '../../src/node/index.js';

const PHOTOS = path.resolve(import.meta.dirname, '..', 'fixtures', 'photos');
const SIZE = 96;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], stderrIsTTY = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A SIZE x SIZE crop of an RGB image at (x0, y0). */
function crop(src: Image, x0: number, y0: number): Image {
  const out = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    out.set(
      src.data.subarray(((y0 + y) * src.width + x0) * 3, ((y0 + y) * src.width + x0 + SIZE) * 3),
      y * SIZE * 3,
    );
  return createImage(SIZE, SIZE, 3, out);
}

interface Case {
  name: string;
  gt: Image;
  pred: Image;
  input: Image;
}

let root: string;
const cases: Case[] = [];
const d = (...p: string[]) => path.join(root, ...p);

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-score-'));
  const photos = (await fs.readdir(PHOTOS)).filter((f) => f.endsWith('.png')).sort();
  expect(photos.length).toBeGreaterThanOrEqual(2);
  for (const [k, file] of photos.entries()) {
    const photo = await readPng(path.join(PHOTOS, file), { channels: 3 });
    const gt = crop(photo, 100 + 37 * k, 150 + 23 * k);
    // Damage: a rectangle filled with one gray value, different per image.
    const input = toGray(gt);
    for (let y = 20 + k * 5; y < 60 + k * 5; y++)
      input.data.fill(40 + 50 * k, y * SIZE + 10 + k * 7, y * SIZE + 50 + k * 7);
    // Prediction: half the color kept, a deterministic ripple added.
    const gray = toGray(gt).data;
    const pred = createImage(
      SIZE,
      SIZE,
      3,
      gt.data.map((v, i) =>
        Math.max(0, Math.min(255, Math.round((v + gray[(i / 3) | 0]) / 2 + ((i * 7 + k) % 11) - 5))),
      ),
    );
    cases.push({ name: `${String(k).padStart(2, '0')}-${file}`, gt, pred, input });
  }
  for (const c of cases) {
    await writePng(d('gt', c.name), c.gt);
    await writePng(d('pred', c.name), c.pred);
    await writePng(d('input', c.name), c.input);
  }
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const pick = (s: ImageScores) => ({
  score: s.score,
  ssim: s.ssim,
  maskedSsim: s.maskedSsim,
  histogram: s.histogram,
});
const expectedScores = (c: Case) => scoreImage(c.gt, c.pred, competitionMask(c.input, c.gt));

describe('tfjs-restoration score', () => {
  it('prints one JSON line equal to summarizeScores of scoreImage over the directory, nothing else', async () => {
    const r = await cli(['score', '--gt', d('gt'), '--pred', d('pred'), '--input', d('input')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['n', 'score', 'ssim', 'maskedSsim', 'histogram']);
    const summary = summarizeScores(cases.map(expectedScores));
    expect(out).toEqual({ n: cases.length, ...pick(summary) });
    // Guard against a degenerate fixture: the scores must be real numbers, not NaN or 1.
    expect(summary.score).toBeGreaterThan(0);
    expect(summary.score).toBeLessThan(1);
  });

  it('--per-image adds each image by name, sorted, with its scoreImage result', async () => {
    const r = await cli([
      'score',
      '--per-image',
      '--pred',
      d('pred'),
      '--gt',
      d('gt'),
      '--input',
      d('input'),
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { images: ({ name: string } & ImageScores)[] };
    expect(out.images).toEqual(cases.map((c) => ({ name: c.name, ...pick(expectedScores(c)) })));
  });

  it('scores single files', async () => {
    const c = cases[1];
    const r = await cli([
      'score',
      '--gt',
      d('gt', c.name),
      '--pred',
      d('pred', c.name),
      '--input',
      d('input', c.name),
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ n: 1, ...pick(summarizeScores([expectedScores(c)])) });
  });

  it('reads a gray PNG given as --pred like cv2.imread: gray repeated into RGB', async () => {
    const c = cases[0];
    const grayPred = toGray(c.pred);
    await writePng(d('gray-pred.png'), grayPred);
    const r = await cli([
      'score',
      '--gt',
      d('gt', c.name),
      '--pred',
      d('gray-pred.png'),
      '--input',
      d('input', c.name),
    ]);
    expect(r.code).toBe(0);
    const rgb = createImage(
      SIZE,
      SIZE,
      3,
      Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => grayPred.data[(i / 3) | 0]),
    );
    const expected = scoreImage(c.gt, rgb, competitionMask(c.input, c.gt));
    expect(JSON.parse(r.stdout)).toMatchObject(pick(expected));
  });

  it('prints a NaN term (constant prediction, as in the reference) as null and names the image on stderr', async () => {
    // A truth with a flat patch inside the lost region: a constant prediction then gives 0/0 there.
    const gt = createImage(SIZE, SIZE, 3, cases[0].gt.data.slice());
    for (let y = 25; y < 40; y++) gt.data.fill(200, (y * SIZE + 15) * 3, (y * SIZE + 45) * 3);
    const input = toGray(gt);
    for (let y = 20; y < 60; y++) input.data.fill(0, y * SIZE + 10, y * SIZE + 50);
    const pred = createImage(SIZE, SIZE, 3, new Uint8Array(SIZE * SIZE * 3).fill(90));
    await writePng(d('flat-gt.png'), gt);
    await writePng(d('flat-input.png'), input);
    await writePng(d('constant.png'), pred);
    const expected = scoreImage(gt, pred, competitionMask(input, gt));
    expect(Number.isNaN(expected.maskedSsim)).toBe(true);
    const r = await cli([
      'score',
      '--gt',
      d('flat-gt.png'),
      '--pred',
      d('constant.png'),
      '--input',
      d('flat-input.png'),
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, number | null>;
    expect(out.maskedSsim).toBeNull();
    expect(out.score).toBeNull();
    expect(out.histogram).toBe(expected.histogram);
    expect(r.stderr).toMatch(/warning: 1 image\(s\) have a NaN term .*: constant\.png/);
  });

  it('a ground truth with no prediction is an error listing it; --allow-missing scores the rest', async () => {
    // A submission that leaves out one image.
    await fs.mkdir(d('pred-subset'));
    const kept = cases.filter((_, k) => k !== 1);
    for (const c of kept) await fs.copyFile(d('pred', c.name), d('pred-subset', c.name));
    const args = ['score', '--gt', d('gt'), '--pred', d('pred-subset'), '--input', d('input')];
    let r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `--pred ${d('pred-subset')} is missing 1 of the ${cases.length} files in --gt ${d('gt')}: ${cases[1].name}`,
    );
    expect(r.stderr).toContain('--allow-missing');

    r = await cli([...args, '--allow-missing']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `score: skipped 1 of the ${cases.length} images in --gt ${d('gt')} (no prediction, --allow-missing): ` +
        `${cases[1].name}\n`,
    );
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['n', 'score', 'ssim', 'maskedSsim', 'histogram', 'skipped']);
    expect(out).toEqual({ n: kept.length, ...pick(summarizeScores(kept.map(expectedScores))), skipped: 1 });

    // Nothing missing: "skipped": 0 with the flag, nothing on stderr.
    r = await cli(['score', '--gt', d('gt'), '--pred', d('pred'), '--input', d('input'), '--allow-missing']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ n: cases.length, skipped: 0 });
  });

  it('shows progress on stderr only when stderr is a terminal, and keeps stdout to the JSON', async () => {
    const r = await cli(['score', '--gt', d('gt'), '--pred', d('pred'), '--input', d('input')], true);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`score \\[#+\\] ${cases.length}/${cases.length} ETA`));
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  describe('bad input exits non-zero and names the file or argument', () => {
    it('a prediction with no ground truth', async () => {
      await fs.mkdir(d('pred-extra'));
      for (const c of cases) await fs.copyFile(d('pred', c.name), d('pred-extra', c.name));
      await fs.copyFile(d('pred', cases[0].name), d('pred-extra', 'zz-extra.png'));
      const r = await cli(['score', '--gt', d('gt'), '--pred', d('pred-extra'), '--input', d('input')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--gt ${d('gt')} is missing 1 of the ${cases.length + 1} files`);
      expect(r.stderr).toContain('zz-extra.png');
      expect(r.stderr).toContain(`--input ${d('input')} is missing`);
      expect(r.stdout).toBe('');
    });

    it('a missing file', async () => {
      const c = cases[0];
      const r = await cli([
        'score',
        '--gt',
        d('nope.png'),
        '--pred',
        d('pred', c.name),
        '--input',
        d('input', c.name),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--gt ${d('nope.png')}: no such file or directory`);
    });

    it('sizes that differ', async () => {
      await writePng(d('small.png'), createImage(SIZE - 1, SIZE, 3));
      const c = cases[0];
      const r = await cli([
        'score',
        '--gt',
        d('gt', c.name),
        '--pred',
        d('small.png'),
        '--input',
        d('input', c.name),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${d('small.png')}: size ${SIZE - 1}x${SIZE} differs from the ground truth`);
    });

    it('a JPEG (or other image type) where a PNG is expected is named for what it is', async () => {
      await fs.mkdir(d('pred-jpeg'));
      for (const c of cases) await fs.copyFile(d('pred', c.name), d('pred-jpeg', c.name));
      // A JPEG saved under the .png name, as a submission converted carelessly would be.
      const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0')]);
      await fs.writeFile(d('pred-jpeg', cases[1].name), jpeg);
      const r = await cli(['score', '--gt', d('gt'), '--pred', d('pred-jpeg'), '--input', d('input')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${d('pred-jpeg', cases[1].name)} is a JPEG file, expected PNG`);
      expect(r.stdout).toBe('');
    });

    it('a file that is not a PNG', async () => {
      await fs.writeFile(d('fake.png'), 'GIF89a, not a PNG');
      await fs.writeFile(d('junk.png'), 'neither a PNG nor any image');
      const c = cases[0];
      const r = await cli([
        'score',
        '--gt',
        d('gt', c.name),
        '--pred',
        d('pred', c.name),
        '--input',
        d('fake.png'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${d('fake.png')} is a GIF file, expected PNG`);
      const c1 = cases[1];
      const r2 = await cli([
        'score',
        '--gt',
        d('junk.png'),
        '--pred',
        d('pred', c1.name),
        '--input',
        d('input', c1.name),
      ]);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain(`${d('junk.png')}: not a PNG file`);
    });

    it('a directory with no PNG, and a mix of files and directories', async () => {
      await fs.mkdir(d('empty'));
      let r = await cli(['score', '--gt', d('gt'), '--pred', d('empty'), '--input', d('input')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--pred ${d('empty')}: directory has no PNG files`);
      r = await cli(['score', '--gt', d('gt'), '--pred', d('pred'), '--input', d('input', cases[0].name)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--input ${d('input', cases[0].name)} is a file`);
    });

    it('an unknown option, a missing option, a stray argument: usage errors (exit 2)', async () => {
      let r = await cli([
        'score',
        '--gt',
        d('gt'),
        '--pred',
        d('pred'),
        '--input',
        d('input'),
        '--frobnicate',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("'--frobnicate'");
      expect(r.stderr).toContain('Usage: tfjs-restoration score');
      r = await cli(['score', '--pred', d('pred'), '--input', d('input')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('missing --gt');
      r = await cli(['score', '--gt', d('gt'), '--pred', d('pred'), '--input', d('input'), 'extra']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("'extra'");
    });
  });

  it('help and unknown commands', async () => {
    let r = await cli(['score', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--per-image');
    expect(r.stdout).toContain('--allow-missing');
    r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/score\s+score predictions/);
    r = await cli(['scroe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'scroe'; valid commands: score");
    r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: tfjs-restoration <command>');
  });
});
