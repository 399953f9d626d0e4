/**
 * `npm run bench:train-memory`: trains a tiny pipeline for many steps (32x32 photos, fresh damage per read,
 * prefetching loader, checkpoints each epoch) and prints tf.memory().numTensors and the process RSS along the way:
 * both must stay flat after warm-up (a leak of one tensor per step shows as +1000 at 1,000 steps).
 *
 * RSS is sampled after a full garbage collection when Node runs with `--expose-gc` (the npm script does), so
 * that V8's heap growth between collections is not read as a leak; the end prints the least-squares slope of RSS
 * over the second half of the run (KiB per step).
 *
 * Run: npm run bench:train-memory -- [--steps 1000] [--backend native,cpu] [--size 32] [--batch 2]
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useFirstBackend, type BackendName } from '../src/backends/index.js';
import { Compose, horizontalFlip } from '../src/data/index.js';
import { decodePng, resizeImage } from '../src/image/index.js';
import { parseOptions } from '../src/node/index.js';
import { photoSource, RestorationPipeline, trainPipeline } from '../src/pipeline/index.js';
import { directoryCheckpointer } from '../src/pipeline/node.js';

const a = parseOptions(process.argv.slice(2), {
  steps: { type: 'int', default: 1000, min: 10 },
  backend: { type: 'list', default: ['native', 'cpu'] },
  size: { type: 'int', default: 32, min: 32 },
  batch: { type: 'int', default: 2, min: 1 },
});
const backend = await useFirstBackend(a.backend as BackendName[]);
const photos = ['animal', 'building', 'flat', 'sea'].map((name) =>
  resizeImage(
    decodePng(readFileSync(new URL(`../test/fixtures/photos/${name}.png`, import.meta.url)), { channels: 3 }),
    64,
    64,
    'area',
  ),
);
const pipeline = RestorationPipeline.create({
  preset: 'reference',
  encoder: 'resnet18',
  encoderWidth: 4,
  decoderChannels: [16, 8, 8, 4, 4],
  seed: 1,
});
const dir = mkdtempSync(path.join(tmpdir(), 'train-memory-'));
const stepsPerEpoch = Math.ceil(photos.length / a.batch);
const rows: string[] = [];
let step = 0;
const start = performance.now();
const gc = (globalThis as { gc?: () => void }).gc;
const samples: [number, number][] = [];
const record = () => {
  gc?.();
  const { numTensors, numBytes } = tf.memory();
  const rss = process.memoryUsage().rss / 2 ** 20;
  samples.push([step, rss]);
  rows.push(
    `${String(step).padStart(6)} ${String(numTensors).padStart(10)} ${String(numBytes).padStart(12)} ` +
      `${rss.toFixed(1).padStart(9)} ${((performance.now() - start) / 1000).toFixed(1).padStart(8)}`,
  );
};
// Early steps, then every twentieth of the run.
const marks = new Set([
  1,
  10,
  50,
  100,
  ...Array.from({ length: 20 }, (_, k) => Math.round(((k + 1) * a.steps) / 20)),
]);
const before = tf.memory().numTensors;
record();
await trainPipeline(pipeline, {
  train: photoSource(photos.length, async (i) => photos[i], pipeline.config, { size: a.size, seed: 1 }),
  epochs: Math.ceil(a.steps / stepsPerEpoch),
  batchSize: a.batch,
  schedule: 'cosine',
  augment: new Compose([horizontalFlip()]),
  checkpointer: directoryCheckpointer(dir),
  onStep: () => {
    step++;
    if (marks.has(step)) record();
  },
});
pipeline.dispose();
rmSync(dir, { recursive: true, force: true });
console.log(
  `backend ${backend}, ${step} steps of batch ${a.batch} at ${a.size}x${a.size}, checkpoint every ${stepsPerEpoch} steps`,
);
console.log('  step numTensors     numBytes   RSS MiB  seconds');
console.log(rows.join('\n'));
const late = samples.filter(([s]) => s >= step / 2);
const mx = late.reduce((a, [s]) => a + s, 0) / late.length;
const my = late.reduce((a, [, r]) => a + r, 0) / late.length;
const slope =
  late.reduce((a, [s, r]) => a + (s - mx) * (r - my), 0) / late.reduce((a, [s]) => a + (s - mx) ** 2, 0);
console.log(
  `RSS slope over steps ${late[0][0]}-${step}: ${(slope * 1024).toFixed(2)} KiB/step ` +
    `(${gc ? 'sampled after a full GC' : 'no --expose-gc: samples include uncollected garbage'})`,
);
console.log(
  `after the pipeline is disposed: ${tf.memory().numTensors} tensors (the pipeline held ${before})`,
);
