/** The predict command and restoreFiles, with tiny random-weight pipelines on the cpu backend. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';
import { createImage, flipImage, type Image, type Mask } from '../../src/image/index.js';
import { detectLostRegion } from '../../src/masks/index.js';
import { readPng, writeMaskPng, writePng } from '../../src/node/index.js';
import {
  asRestorer,
  ensembleRestorer,
  tiledRestorer,
  type RestorationPipeline,
} from '../../src/pipeline/index.js';
import { restoreFiles, savePipeline } from '../../src/pipeline/node.js';
import { tinyPipeline } from '../helpers/pipeline.js';

const PHOTOS = path.resolve(import.meta.dirname, '..', 'fixtures', 'photos-masks');
let root: string;
let a: RestorationPipeline;
let b: RestorationPipeline;
const d = (...p: string[]) => path.join(root, ...p);

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Runs `predict` with `--name=value` options (`true`: a flag), on the cpu backend unless told otherwise. */
const predict = (options: Record<string, string | true>) =>
  cli([
    'predict',
    ...Object.entries<string | true>({ backend: 'cpu', ...options }).map(([k, v]) =>
      v === true ? `--${k}` : `--${k}=${v}`,
    ),
  ]);

const same = (x: Image, y: Image) =>
  x.width === y.width && x.height === y.height && Buffer.from(x.data).equals(Buffer.from(y.data));

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await fs.mkdtemp(path.join(tmpdir(), 'cli-predict-'));
  a = tinyPipeline(3);
  b = tinyPipeline(4);
  await savePipeline(a, d('model-a'));
  await savePipeline(b, d('model-b'));
  const made = await cli(['damage', '--photos', PHOTOS, '--out', d('data'), '--count', '0', '--test', '2']);
  expect(made.code).toBe(0);
  // Downscale the 512x512 test inputs' work: one small and one wide input.
  for (const [name, w, h] of [
    ['TEST_000.png', 64, 48],
    ['TEST_001.png', 100, 40],
  ] as const) {
    const full = await readPng(d('data', 'test_input', name), { channels: 1 });
    const small = createImage(w, h, 1);
    for (let y = 0; y < h; y++)
      small.data.set(full.data.subarray((150 + y) * 512 + 150, (150 + y) * 512 + 150 + w), y * w);
    await writePng(d('in', name), small);
  }
});

afterAll(async () => {
  a.dispose();
  b.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

describe('tfjs-restoration predict', () => {
  it('restores every PNG into --out under its name and prints one JSON line', async () => {
    const before = tf.memory().numTensors;
    const r = await predict({ model: d('model-a'), input: d('in'), out: d('p1') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      n: 2,
      out: d('p1'),
      models: 1,
      tta: false,
      masksDetected: 2,
      removed: 0,
      backend: 'cpu',
    });
    expect((await fs.readdir(d('p1'))).sort()).toEqual(['TEST_000.png', 'TEST_001.png']);
    const input = await readPng(d('in', 'TEST_001.png'), { channels: 1 });
    const out = await readPng(d('p1', 'TEST_001.png'));
    expect(same(out, await a.predict(input, detectLostRegion(input)))).toBe(true);
    expect(tf.memory().numTensors).toBe(before); // the loaded pipelines were disposed
  });

  it('--tta, --ensemble and --tile compose like the library functions', async () => {
    const r = await predict({
      ensemble: `${d('model-a')},${d('model-b')}`,
      input: d('in', 'TEST_001.png'),
      out: d('p2'),
      tta: true,
      tile: '64',
      overlap: '16',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 1, models: 2, tta: true });
    const input = await readPng(d('in', 'TEST_001.png'), { channels: 1 });
    const mask = detectLostRegion(input);
    const both = ensembleRestorer([asRestorer(a), asRestorer(b)]);
    const tta = ensembleRestorer([
      both,
      async (x: Image, m: Mask) => flipImage(await both(flipImage(x), flipImage(m) as Mask)),
    ]);
    const expected = await tiledRestorer(tta, { tile: 64, overlap: 16 })(input, mask);
    expect(same(await readPng(d('p2', 'TEST_001.png')), expected)).toBe(true);
  });

  it('reads --mask (nonzero = lost) instead of detecting', async () => {
    const empty = createImage(64, 48, 1) as Mask;
    const lost = createImage(64, 48, 1) as Mask;
    lost.data.fill(1, 64 * 10, 64 * 20);
    await writeMaskPng(d('masks', 'TEST_000.png'), lost);
    await writeMaskPng(d('masks', 'TEST_001.png'), createImage(100, 40, 1) as Mask);
    const r = await predict({ model: d('model-a'), input: d('in'), mask: d('masks'), out: d('p3') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ masksDetected: 0 });
    const input = await readPng(d('in', 'TEST_000.png'), { channels: 1 });
    const out = await readPng(d('p3', 'TEST_000.png'));
    expect(same(out, await a.predict(input, lost))).toBe(true);
    expect(same(out, await a.predict(input, empty))).toBe(false);
  });

  it('never mixes runs: an --out with PNGs needs --force, which also deletes stale PNGs', async () => {
    await writePng(d('p4', 'old.png'), createImage(2, 2, 3));
    const options = { model: d('model-a'), input: d('in', 'TEST_000.png'), out: d('p4') };
    let r = await predict(options);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`out ${d('p4')}: already holds 1 PNG file(s) (old.png)`);
    expect(r.stderr).toContain('--force');
    r = await predict({ ...options, force: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed 1 stale PNG(s)');
    expect(await fs.readdir(d('p4'))).toEqual(['TEST_000.png']);
    r = await predict({ model: d('model-a'), input: d('in'), out: d('in'), force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is the input folder/);
  });

  it('bad usage and bad files name the argument or file', async () => {
    let r = await predict({ input: d('in'), out: d('p5') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --model DIR');
    r = await predict({ model: d('model-a'), input: d('in'), out: d('p5'), tile: '64', overlap: '40' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'--overlap' must be less than half of --tile");
    r = await predict({ model: d('nope'), input: d('in'), out: d('p5') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pipeline.json: no such file');
    r = await predict({ model: d('model-a'), input: d('in'), mask: d('p4'), out: d('p5') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`mask ${d('p4')} is missing 1 of the 2 files`);
    await writeMaskPng(d('bad-mask', 'TEST_000.png'), createImage(5, 5, 1) as Mask);
    await expect(
      restoreFiles(asRestorer(a), {
        input: d('in', 'TEST_000.png'),
        masks: d('bad-mask', 'TEST_000.png'),
        out: d('p6'),
      }),
    ).rejects.toThrow(/mask is 5x5, the input .*TEST_000.png 64x48/);
    r = await predict({ help: true });
    expect(r.stdout).toContain('--ensemble');
  });
});
