/**
 * `npm run demo`: the whole job on the repository's own photos, in about two minutes on a 2-core CPU.
 *
 * 1. makes a small stand-in dataset from `test/fixtures/photos*` (crops, downscaled), damaged like the
 *    competition by the library's seeded generator;
 * 2. trains a tiny two-stage pipeline (inpaint gray, then colorize) on the native backend (else wasm) for a bounded time;
 * 3. restores held-out damaged photos and scores them against the originals, next to the trivial baseline
 *    (the gray input itself, as RGB);
 * 4. writes `out/demo/contact-sheet.png` (input | restored | original per row) and `out/demo/loss.png`.
 *
 * Run: npm run demo -- [--seconds 90] [--epochs 100] [--size 96] [--out out/demo] [--seed 1]
 * Training stops at the first of: --epochs, --seconds (checked after each epoch), or 6 epochs without a better
 * validation score. Everything is seeded; with the time limit the number of epochs depends on the machine's speed
 * (`--seconds 1000 --epochs 12` gives the same result everywhere).
 * The model is deliberately tiny and the data is 6 photos: expect the shapes of the lost regions to be filled
 * with plausible grays and washed-out colors, not a competition-grade restoration.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useFirstBackend } from '../src/backends/index.js';
import type { Sample } from '../src/data/index.js';
import { cropImage, grayToRgb, resizeImage, type Image } from '../src/image/index.js';
import { damage } from '../src/masks/index.js';
import { competitionMask, scoreImage, type ImageScores } from '../src/metrics/index.js';
import { RestorationPipeline, trainPipeline, type EpochLog, type StepLog } from '../src/pipeline/index.js';
import { parseOptions, readPng, writePng } from '../src/node/index.js';
import { labelledSheet, lossCurvePicture, progressBar } from './report.js';

const values = parseOptions(process.argv.slice(2), {
  seconds: { type: 'number', default: 90, min: 1 },
  size: { type: 'int', default: 96, min: 32 },
  out: { type: 'string', default: 'out/demo' },
  seed: { type: 'int', default: 1 },
  epochs: { type: 'int', default: 100, min: 1 },
});
const { seconds: maxSeconds, size, seed, epochs: maxEpochs } = values;
if (size % 32 !== 0) throw new Error(`--size must be a positive multiple of 32, got ${size}`);
const outDir = values.out;
const started = performance.now();

const root = fileURLToPath(new URL('..', import.meta.url));
const photoFiles = ['test/fixtures/photos', 'test/fixtures/photos-masks'].flatMap((dir) =>
  readdirSync(path.join(root, dir))
    .filter((n) => n.endsWith('.png'))
    .sort()
    .map((n) => path.join(root, dir, n)),
);
// Held out: never seen in training. One photo scores the epochs (validation), two more are the final test.
const TEST = ['sea.png', 'explore_farm_animals-duck.png'];
const VAL = ['building.png'];
const name = (f: string) => path.basename(f);
const photos = new Map<string, Image>();
for (const f of photoFiles) photos.set(name(f), await readPng(f, { channels: 3 }));

/** The full photo and a 3x3 grid of half-size crops, each downscaled to size x size. */
function views(photo: Image): Image[] {
  const out = [resizeImage(photo, size, size, 'area')];
  const half = Math.floor(photo.width / 2);
  for (let gy = 0; gy < 3; gy++)
    for (let gx = 0; gx < 3; gx++) {
      const top = Math.floor((gy * (photo.height - half)) / 2);
      const left = Math.floor((gx * (photo.width - half)) / 2);
      out.push(resizeImage(cropImage(photo, top, left, half, half), size, size, 'area'));
    }
  return out;
}
const asSample = (gt: Image, s: number): Sample => {
  const d = damage(gt, { seed: s });
  return { input: d.input, gt: d.gt, mask: d.mask };
};
const trainNames = [...photos.keys()].filter((n) => !TEST.includes(n) && !VAL.includes(n));
const train = trainNames.flatMap((n, i) =>
  views(photos.get(n)!).map((v, k) => asSample(v, seed * 1000 + i * 16 + k)),
);
const val = VAL.flatMap((n) =>
  [0, 1, 2].map((k) => asSample(resizeImage(photos.get(n)!, size, size, 'area'), 500 + k)),
);
// The test photos at a larger size than training: the U-Nets are fully convolutional.
const testSize = size + 32;
const test = TEST.flatMap((n) =>
  [0, 1, 2].map((k) => asSample(resizeImage(photos.get(n)!, testSize, testSize, 'area'), 900 + k)),
);

// The native backend where its addon is built (npm install builds it), else wasm.
const backend = await useFirstBackend(['native', 'wasm']);
console.log(
  `tfjs-restoration demo: ${train.length} training samples from ${trainNames.length} photos at ${size}x${size}, ` +
    `${val.length} validation, ${test.length} test (${TEST.join(', ')} at ${testSize}x${testSize}); backend ${backend}`,
);
const pipeline = RestorationPipeline.create({
  encoder: 'resnet18',
  encoderWidth: 16,
  decoderChannels: [64, 32, 16, 16, 8],
  seed,
});

const batchSize = 8;
const stepsPerEpoch = Math.ceil(train.length / batchSize);
const steps: StepLog[] = [];
const epochs: EpochLog[] = [];
let bar = progressBar('epoch 1', stepsPerEpoch);
const result = await trainPipeline(pipeline, {
  train,
  val,
  epochs: maxEpochs,
  batchSize,
  learningRate: 2e-3,
  patience: 6,
  seed,
  maxSeconds,
  onStep: (s) => {
    steps.push(s);
    bar.tick(`loss ${s.inpaintLoss.toFixed(4)} / ${s.colorizeLoss.toFixed(4)}`);
  },
  onEpoch: (e) => {
    bar.done();
    epochs.push(e);
    console.log(
      `epoch ${String(e.epoch + 1).padStart(2)}  loss inpaint ${e.inpaintLoss.toFixed(4)}  colorize ` +
        `${e.colorizeLoss.toFixed(4)}  val score ${e.valScore.toFixed(4)}${e.improved ? ' *' : ''}  ` +
        `${e.elapsedSeconds.toFixed(0)}s`,
    );
    bar = progressBar(`epoch ${e.epoch + 2}`, stepsPerEpoch);
  },
});
bar.done();
console.log(
  `stopped: ${result.stopReason}; best epoch ${result.bestEpoch + 1} (val score ${result.bestScore.toFixed(4)})`,
);

// Restore the held-out photos; score them and the trivial baseline against the originals.
const rows: Image[][] = [];
const ours: ImageScores[] = [];
const baseline: ImageScores[] = [];
for (const s of test) {
  const restored = await pipeline.predict(s.input, s.mask);
  const mask = competitionMask(s.input, s.gt);
  ours.push(scoreImage(s.gt, restored, mask));
  baseline.push(scoreImage(s.gt, grayToRgb(s.input), mask));
  rows.push([s.input, restored, s.gt]);
}
pipeline.dispose();

/** Mean of each score; `NaN` entries (a flat prediction inside the lost region) count as 0 and are reported. */
function mean(scores: ImageScores[], key: keyof ImageScores): { value: number; nan: number } {
  const nan = scores.filter((s) => Number.isNaN(s[key])).length;
  return { value: scores.reduce((a, s) => a + (Number.isNaN(s[key]) ? 0 : s[key]), 0) / scores.length, nan };
}
const keys: (keyof ImageScores)[] = ['score', 'ssim', 'maskedSsim', 'histogram'];
const cell = (m: { value: number; nan: number }) =>
  `${m.value.toFixed(4)}${m.nan ? ` (${m.nan} NaN)` : ''}`.padEnd(16);
console.log(`\nheld-out test images (${test.length}):`);
console.log(
  `${''.padEnd(26)}${['score', 'SSIM', 'lost-reg. SSIM', 'hue histogram'].map((h) => h.padEnd(16)).join('')}`,
);
console.log(`${'baseline: gray input'.padEnd(26)}${keys.map((k) => cell(mean(baseline, k))).join('')}`);
console.log(`${'two-stage pipeline'.padEnd(26)}${keys.map((k) => cell(mean(ours, k))).join('')}`);
console.log(
  'score = 0.2 SSIM + 0.4 lost-region SSIM + 0.4 hue histogram; NaN (flat lost region, as the reference gives) ' +
    'counts as 0.',
);

const sheetFile = path.join(outDir, 'contact-sheet.png');
const lossFile = path.join(outDir, 'loss.png');
await writePng(sheetFile, labelledSheet(['damaged input', 'restored', 'original'], rows));
await writePng(lossFile, lossCurvePicture(steps, epochs));
console.log(`\npictures: ${sheetFile} (input | restored | original per row), ${lossFile}`);
console.log(
  `total ${((performance.now() - started) / 1000).toFixed(0)} s; tensors left: ${tf.memory().numTensors}`,
);
