/**
 * Trains the two-stage pipeline on a data set in the competition layout and writes a submission.
 *
 * Run: npm run train:competition -- --data DIR [--out out/competition] [--size 256] [--encoder resnet34]
 *        [--encoder-width 64] [--decoder-channels 256,128,64,32,16] [--epochs 30] [--batch 4] [--lr 1e-3]
 *        [--weight-decay 1e-2] [--patience 5] [--val-fraction 0.1] [--val-limit 64] [--max-seconds N] [--limit N]
 *        [--backend native,wasm] [--seed 0] [--resize]
 *
 * --backend: the first of these that starts (default: native where its addon is built, else wasm). On the native
 * backend resnet34 at 256x256, batch 4, takes about 3.7 s per step of both stages on 2 cores; on wasm (32-bit heap)
 * about 24 s, and batch 8 runs out of memory there.
 *
 * `DIR` holds `train.csv` (id, input, gt paths) and, optionally, `test.csv`: the DACON data, or a set made by
 * `tfjs-restoration damage --photos PHOTOS --out DIR --test 20`. Each time a training original is read it gets a
 * fresh competition-style lost region at full resolution, and a `--size` window around that region is cut out
 * (`--resize`: the whole photo downscaled to `--size` instead); validation and test run at full resolution on
 * the real damaged inputs. Writes to `--out`: `pipeline/` (the trained models),
 * `predictions/<id>.png`, `submission.zip` (the PNGs at the archive's root) and `loss.png`.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { useFirstBackend, type BackendName } from '../src/backends/index.js';
import { Compose, horizontalFlip, splitTrainVal, type Sample } from '../src/data/index.js';
import { cropImage, resizeImage, type Mask } from '../src/image/index.js';
import { createRng, damage, type Rng } from '../src/masks/index.js';
import { competitionMask } from '../src/metrics/index.js';
import { openDataset, readPng, writeFileAtomic, writePng } from '../src/node/index.js';
import {
  RestorationPipeline,
  submissionZip,
  trainPipeline,
  type EpochLog,
  type StepLog,
  type SubmissionEntry,
} from '../src/pipeline/index.js';
import { savePipeline } from '../src/pipeline/node.js';
import { lossCurvePicture, progressBar } from './report.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: 'out/competition' },
    size: { type: 'string', default: '256' },
    encoder: { type: 'string', default: 'resnet34' },
    'encoder-width': { type: 'string' },
    'decoder-channels': { type: 'string' },
    epochs: { type: 'string', default: '30' },
    batch: { type: 'string', default: '4' },
    lr: { type: 'string', default: '1e-3' },
    'weight-decay': { type: 'string', default: '1e-2' },
    patience: { type: 'string', default: '5' },
    'val-fraction': { type: 'string', default: '0.1' },
    'val-limit': { type: 'string', default: '64' },
    'max-seconds': { type: 'string' },
    limit: { type: 'string' },
    backend: { type: 'string', default: 'native,wasm' },
    seed: { type: 'string', default: '0' },
    resize: { type: 'boolean', default: false },
  },
});

function num(name: keyof typeof values, check: (v: number) => boolean, what: string): number {
  const v = Number(values[name]);
  if (!check(v)) throw new Error(`--${name}: expected ${what}, got '${String(values[name])}'`);
  return v;
}
const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
if (!values.data)
  throw new Error('missing --data DIR (a directory with train.csv in the competition layout)');
const size = num('size', (v) => positiveInt(v) && v % 32 === 0, 'a positive multiple of 32');
const epochs = num('epochs', positiveInt, 'a positive integer');
const batchSize = num('batch', positiveInt, 'a positive integer');
const learningRate = num('lr', (v) => v > 0, 'a positive number');
const weightDecay = num('weight-decay', (v) => v >= 0, 'a number >= 0');
const patience = num('patience', positiveInt, 'a positive integer');
const valFraction = num('val-fraction', (v) => v > 0 && v < 1, 'a number in (0, 1)');
const valLimit = num('val-limit', positiveInt, 'a positive integer');
const seed = num('seed', Number.isInteger, 'an integer');
const maxSeconds = values['max-seconds'] ? num('max-seconds', (v) => v > 0, 'a positive number') : Infinity;
const limit = values.limit ? num('limit', positiveInt, 'a positive integer') : Infinity;
const encoderWidth = values['encoder-width']
  ? num('encoder-width', positiveInt, 'a positive integer')
  : undefined;
const decoderChannels = values['decoder-channels']?.split(',').map((v) => {
  const n = Number(v);
  if (!positiveInt(n))
    throw new Error(
      `--decoder-channels: expected 5 comma-separated positive integers, got '${values['decoder-channels']}'`,
    );
  return n;
});
const outDir = values.out;

const backend = await useFirstBackend(values.backend.split(',') as BackendName[]);
const records = (await openDataset(values.data, 'train')).slice(0, limit);
// The competition's photos come in bursts: keep neighbours on one side of the split (groups of 10 rows).
const { train: trainRecords, val: valRecords } = splitTrainVal(records, {
  valFraction,
  seed,
  groupSize: records.length >= 100 ? 10 : 1,
});
console.log(
  `${records.length} training rows: ${trainRecords.length} train, ${valRecords.length} validation ` +
    `(${Math.min(valLimit, valRecords.length)} scored per epoch); backend ${backend}`,
);

// Training samples are read per batch and damaged anew at every read, at full resolution (so the lost regions
// have their real size), then cut to a `size` x `size` window around the lost region (or downscaled when the
// photo is smaller than that, or with --resize). The default augment's `redamage` is not used: its fresh region
// would be drawn on the small window, at the wrong scale.
const rng = createRng(seed);
const source = {
  size: trainRecords.length,
  async load(i: number): Promise<Sample> {
    const photo = await readPng(trainRecords[i].gt as string, { channels: 3 });
    const draw = rng.fork(i);
    if (values.resize || photo.width < size || photo.height < size) {
      const d = damage(resizeImage(photo, size, size, 'area'), { rng: draw });
      return { input: d.input, gt: d.gt, mask: d.mask };
    }
    const d = damage(photo, { rng: draw });
    const [top, left] = windowAround(d.mask, size, draw);
    return {
      input: cropImage(d.input, top, left, size, size),
      gt: cropImage(d.gt, top, left, size, size),
      mask: cropImage(d.mask, top, left, size, size) as Mask,
    };
  },
};

/** Top-left corner of a random `size` window that holds the lost region's center (inside the image). */
function windowAround(mask: Mask, size: number, draw: Rng): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < mask.height; y++)
    for (let x = 0; x < mask.width; x++)
      if (mask.data[y * mask.width + x]) {
        sx += x;
        sy += y;
        n++;
      }
  const cx = n ? sx / n : mask.width / 2;
  const cy = n ? sy / n : mask.height / 2;
  const pick = (c: number, extent: number) => {
    const lo = Math.max(0, Math.ceil(c - size + 1));
    const hi = Math.min(extent - size, Math.floor(c));
    return lo <= hi ? draw.int(lo, hi) : Math.max(0, Math.min(extent - size, Math.round(c - size / 2)));
  };
  return [pick(cy, mask.height), pick(cx, mask.width)];
}

const val: Sample[] = [];
for (const r of valRecords.slice(0, valLimit)) {
  const input = await readPng(r.input, { channels: 1 });
  const gt = await readPng(r.gt as string, { channels: 3 });
  val.push({ input, gt, mask: competitionMask(input, gt) });
}

const pipeline = RestorationPipeline.create({ encoder: values.encoder, encoderWidth, decoderChannels, seed });
const steps: StepLog[] = [];
const epochLogs: EpochLog[] = [];
const stepsPerEpoch = Math.ceil(source.size / batchSize);
let bar = progressBar('epoch 1', stepsPerEpoch);
const result = await trainPipeline(pipeline, {
  train: source,
  val,
  epochs,
  batchSize,
  learningRate,
  weightDecay,
  patience,
  seed,
  maxSeconds,
  augment: new Compose([horizontalFlip()], { seed }),
  onStep: (s) => {
    steps.push(s);
    bar.tick(`loss ${s.inpaintLoss.toFixed(4)} / ${s.colorizeLoss.toFixed(4)}`);
  },
  onEpoch: (e) => {
    bar.done();
    epochLogs.push(e);
    console.log(
      `epoch ${e.epoch + 1}/${epochs}  loss inpaint ${e.inpaintLoss.toFixed(4)}  colorize ` +
        `${e.colorizeLoss.toFixed(4)}  val score ${e.valScore.toFixed(4)}${e.improved ? ' (best)' : ''}  ` +
        `${e.elapsedSeconds.toFixed(0)} s`,
    );
    bar = progressBar(`epoch ${e.epoch + 2}`, stepsPerEpoch);
  },
});
bar.done();
console.log(
  `stopped: ${result.stopReason}; best epoch ${result.bestEpoch + 1}, val score ${result.bestScore}`,
);

mkdirSync(outDir, { recursive: true });
await savePipeline(pipeline, path.join(outDir, 'pipeline'));
await writePng(path.join(outDir, 'loss.png'), lossCurvePicture(steps, epochLogs));

let test: Awaited<ReturnType<typeof openDataset>> = [];
try {
  test = await openDataset(values.data, 'test');
} catch (err) {
  console.log(`no test set: ${(err as Error).message}`);
}
if (test.length > 0) {
  const entries: SubmissionEntry[] = [];
  const testBar = progressBar('predict', test.length);
  for (const r of test) {
    const input = await readPng(r.input, { channels: 1 });
    const image = await pipeline.predict(input); // the lost region is found with detectLostRegion
    const name = `${r.id}.png`;
    await writePng(path.join(outDir, 'predictions', name), image);
    entries.push({ name, image });
    testBar.tick(name);
  }
  testBar.done();
  await writeFileAtomic(path.join(outDir, 'submission.zip'), submissionZip(entries));
  console.log(`wrote ${entries.length} predictions and ${path.join(outDir, 'submission.zip')}`);
}
pipeline.dispose();
console.log(`pipeline: ${path.join(outDir, 'pipeline')}; loss curve: ${path.join(outDir, 'loss.png')}`);
