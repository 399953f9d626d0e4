/**
 * Trains the two-stage pipeline on a data set in the competition layout and writes a submission: the
 * `tfjs-restoration train` command's job (`trainOnDataset`), then `predict` and `submit`'s (`restoreFiles`,
 * `writeSubmissionZip`), and a loss curve.
 *
 * Run: npm run train:competition -- --data DIR [--out out/competition] [--preset global] [--encoder resnet34]
 *        [--size 256] [--batch 4] [--lr 1e-3] [--schedule cosine] [--epochs 30] [--patience 5] [--folds N --fold K
 *        [--groups train_preproc.csv]] [--val-limit 64] [--max-seconds N] [--backend native,wasm] [--seed 0]
 *        [--resume | --force]
 *
 * `DIR` holds `train.csv` and, optionally, `test.csv`: the DACON data, or a set made by
 * `tfjs-restoration damage --photos PHOTOS --out DIR --test 20`. Writes to `--out`: the run (`best/` — the trained
 * pipeline —, `last/`, `log.jsonl`, `history.json`; kill it and `--resume`), `predictions/<id>.png`,
 * `submission.zip` and `loss.png`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { useFirstBackend, type BackendName } from '../src/backends/index.js';
import { parseOptions, writePng } from '../src/node/index.js';
import { asRestorer, tiledRestorer, type EpochLog, type StepLog } from '../src/pipeline/index.js';
import {
  checkSubmission,
  loadPipeline,
  restoreFiles,
  trainOnDataset,
  writeSubmissionZip,
} from '../src/pipeline/node.js';
import { lossCurvePicture, progressBar } from './report.js';

const a = parseOptions(process.argv.slice(2), {
  data: { type: 'string', required: true, value: 'DIR' },
  out: { type: 'string', default: 'out/competition' },
  preset: { type: 'string', choices: ['global', 'reference', 'legacy'] },
  encoder: { type: 'string', default: 'resnet34' },
  'encoder-width': { type: 'int', min: 1 },
  'decoder-channels': { type: 'int-list', min: 1 },
  size: { type: 'int', default: 256, min: 32 },
  batch: { type: 'int', default: 4, min: 1 },
  lr: { type: 'number', default: 1e-3, min: 0 },
  schedule: { type: 'string', default: 'cosine', choices: ['cosine', 'plateau', 'constant'] },
  epochs: { type: 'int', default: 30, min: 1 },
  patience: { type: 'int', default: 5, min: 1 },
  folds: { type: 'int', min: 2 },
  fold: { type: 'int', min: 0 },
  groups: { type: 'string' },
  'val-fraction': { type: 'number', default: 0.1 },
  'val-limit': { type: 'int', default: 64, min: 1 },
  'max-seconds': { type: 'number', min: 0 },
  backend: { type: 'list', default: ['native', 'wasm'] },
  seed: { type: 'int', default: 0 },
  resume: { type: 'flag' },
  force: { type: 'flag' },
});
const run = path.join(a.out, 'run');
const backend = await useFirstBackend(a.backend as BackendName[]);

let bar = progressBar('train', 0);
let steps = 0;
const result = await trainOnDataset({
  data: a.data,
  out: run,
  preset: a.preset as 'global' | 'reference' | 'legacy' | undefined,
  encoder: a.encoder,
  encoderWidth: a['encoder-width'],
  decoderChannels: a['decoder-channels'],
  size: a.size,
  batchSize: a.batch,
  learningRate: a.lr,
  schedule: a.schedule as 'cosine' | 'plateau' | 'constant',
  epochs: a.epochs,
  patience: a.patience,
  folds: a.folds,
  fold: a.folds === undefined ? undefined : (a.fold ?? 0),
  groups: a.groups,
  valFraction: a['val-fraction'],
  valLimit: a['val-limit'],
  maxSeconds: a['max-seconds'],
  seed: a.seed,
  resume: a.resume,
  force: a.force,
  onStart: (s) => {
    steps = s.stepsPerEpoch;
    console.log(`${s.train} train, ${s.val} validation images; backend ${backend}`);
    bar = progressBar(`epoch ${s.done + 1}`, steps);
  },
  onStep: (s) => bar.tick(`loss ${s.loss.toFixed(4)}`),
  onEpoch: (e) => {
    bar.done();
    console.log(
      `epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}, val score ${e.valScore.toFixed(4)}` +
        `${e.improved ? ' (best)' : ''}, ${e.elapsedSeconds.toFixed(0)} s`,
    );
    bar = progressBar(`epoch ${e.epoch + 2}`, steps);
  },
});
bar.done();
console.log(
  `stopped: ${result.stopReason}; best epoch ${result.bestEpoch + 1}, val score ${result.bestScore}`,
);

// The loss curve from the run's log (every step since the run began, resumes included).
const log = readFileSync(path.join(run, 'log.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { type: string });
const stepLogs = log.filter((l) => l.type === 'step') as unknown as StepLog[];
await writePng(path.join(a.out, 'loss.png'), lossCurvePicture(stepLogs, result.history as EpochLog[]));

const testInput = path.join(a.data, 'test_input');
const pipeline = await loadPipeline(result.model);
try {
  const predictions = path.join(a.out, 'predictions');
  const { names } = await restoreFiles(tiledRestorer(asRestorer(pipeline)), {
    input: testInput,
    out: predictions,
    force: true,
  });
  await writeSubmissionZip(await checkSubmission(predictions, a.data), path.join(a.out, 'submission.zip'));
  console.log(`wrote ${names.length} predictions and ${path.join(a.out, 'submission.zip')}`);
} catch (err) {
  console.log(`no submission: ${(err as Error).message}`);
} finally {
  pipeline.dispose();
}
console.log(`pipeline: ${result.model}; loss curve: ${path.join(a.out, 'loss.png')}`);
