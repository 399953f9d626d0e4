/**
 * `npm run demo`: the whole job on the repository's own photos (examples/photos, credits in CREDITS.md there), in
 * under 10 minutes on a 2-core CPU:
 *
 * 1. holds out 20 photos never seen in training (every `explore_world_music-*` photo, a kind absent from training,
 *    and every 11th of the others: the same as `npm run bench:quality`) and keeps 6 training photos aside to pick
 *    the best epoch (validation);
 * 2. trains the library's default pipeline (`RestorationPipeline.create({ encoder: 'resnet18' })`) for `--seconds`
 *    on the rest, a fresh lost region and a random flip at every read: the colorizer only (stage 1 stays the
 *    classical fill it starts as: in minutes on a CPU, training it did not beat fast marching), after a 10-step
 *    warm-up, its chroma gains fitted on the validation photos;
 * 3. damages the held-out photos, finds their lost regions without the originals, restores them and scores them
 *    with the competition metric next to two baselines: the gray input copied as RGB, and the classical fill
 *    (fast marching) of the lost region;
 * 4. writes `report.html` (scores, training curves, pictures), `contact-sheet.png` (damaged | classical fill |
 *    restored | original for 4 held-out photos), `submission.zip` (the held-out predictions) and
 *    `model/` (the trained pipeline: `loadPipeline`, `tfjs-restoration predict --model`) under `--out`, and prints
 *    one JSON line on stdout.
 *
 * Run: npm run demo -- [--seconds 360] [--seed 1] [--out out/demo] [--batch 16] [--lr 3e-4] [--warmup 10] [--patience 5]
 *        [--epochs N] [--val 6] [--tests 20] [--train-limit N] [--backend native,wasm]
 * Progress goes to stderr (a bar with an ETA when it is a terminal).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useFirstBackend, type BackendName } from 'tfjs-restoration/backends';
import { Compose, horizontalFlip } from 'tfjs-restoration/data';
import { grayToRgb, inpaintTelea, shrinkToFit, type Image, type Sample } from 'tfjs-restoration/image';
import { damage, detectLostRegion } from 'tfjs-restoration/masks';
import { competitionMask, scoreImage, type ImageScores } from 'tfjs-restoration/metrics';
import {
  listPhotos,
  parseOptions,
  readPhoto,
  startProgress,
  writeFileAtomic,
  writePng,
} from 'tfjs-restoration/node';
import {
  contactSheet,
  photoSource,
  restorationReportHtml,
  RestorationPipeline,
  submissionZip,
  trainPipeline,
  type EpochLog,
  type RestorationReportPhoto,
  type StepLog,
} from 'tfjs-restoration/pipeline';
import { savePipeline } from 'tfjs-restoration/pipeline/node';

const options = parseOptions(process.argv.slice(2), {
  seconds: { type: 'number', default: 360, min: 1 },
  seed: { type: 'int', default: 1 },
  out: { type: 'string', default: 'out/demo' },
  batch: { type: 'int', default: 16, min: 1 },
  lr: { type: 'number', default: 3e-4 },
  warmup: { type: 'int', default: 10, min: 0 },
  patience: { type: 'int', default: 5, min: 1 },
  epochs: { type: 'int', default: 1_000_000, min: 1 },
  val: { type: 'int', default: 6, min: 1 },
  tests: { type: 'int', default: 20, min: 1 },
  'train-limit': { type: 'int', min: 1 },
  backend: { type: 'list', default: ['native', 'wasm'] },
});
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const io = {
  stderr: (t: string) => void process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};
const outDir = path.resolve(options.out);
const photoDir = fileURLToPath(new URL('photos', import.meta.url));

// ---- The photos: held out (never trained on), validation (picks the best epoch), training. ----
const files = (await listPhotos(photoDir)).filter((f) => f.endsWith('.jpg')).map((f) => path.basename(f));
const isHeldKind = (f: string) => f.startsWith('explore_world_music-');
const others = files.filter((f) => !isHeldKind(f));
const heldOthers = others.filter((_, i) => i % 11 === 5).slice(0, 11);
const testFiles = [...files.filter(isHeldKind), ...heldOthers].slice(0, options.tests);
const rest = others.filter((f) => !heldOthers.includes(f));
const valFiles = rest.filter((_, i) => i % 19 === 3).slice(0, options.val);
const trainFiles = rest.filter((f) => !valFiles.includes(f)).slice(0, options['train-limit'] ?? Infinity);

const read = async (names: string[], label: string): Promise<Image[]> => {
  const bar = startProgress(io, label, names.length);
  const out: Image[] = [];
  for (const f of names) {
    out.push(await readPhoto(path.join(photoDir, f)));
    bar.tick(f);
  }
  bar.done();
  return out;
};
const trainPhotos = await read(trainFiles, 'reading photos');
const val: Sample[] = (await read(valFiles, 'validation photos')).map((gt, i) => {
  const d = damage(gt, { seed: 200_000 + i });
  return { input: d.input, gt: d.gt, mask: d.mask };
});

const backend = await useFirstBackend(options.backend as BackendName[]);
log(
  `tfjs-restoration demo: ${trainFiles.length} training photos, ${valFiles.length} validation, ` +
    `${testFiles.length} held out (${testFiles.filter(isHeldKind).length} of a kind absent from training); ` +
    `backend ${backend}; training for ${options.seconds} s`,
);

// ---- Training: the library's default pipeline. ----
const pipeline = RestorationPipeline.create({ encoder: 'resnet18', seed: options.seed });
const steps: StepLog[] = [];
const epochs: EpochLog[] = [];
const trainBar = startProgress(io, 'training', Math.ceil(options.seconds));
let ticked = 0;
const result = await trainPipeline(pipeline, {
  train: photoSource(trainPhotos.length, async (i) => trainPhotos[i], pipeline.config, {
    seed: options.seed,
  }),
  val,
  epochs: options.epochs,
  batchSize: options.batch,
  learningRate: options.lr,
  warmupSteps: options.warmup,
  freeze: ['inpaint'],
  patience: options.patience,
  validateStart: true, // the untrained pipeline is the classical fill: keep it unless training beats it
  maxSeconds: options.seconds,
  seed: options.seed,
  augment: new Compose([horizontalFlip()], { seed: options.seed }),
  onStep: (s) => {
    steps.push(s);
    // The bar counts seconds of the training budget, so its ETA is the time left.
    const note = `epoch ${s.epoch + 1} step ${s.step + 1}/${s.steps} loss ${s.loss.toFixed(4)}`;
    while (ticked < Math.min(Math.floor(s.elapsedSeconds), Math.ceil(options.seconds) - 1)) {
      trainBar.tick(note);
      ticked++;
    }
  },
  onEpoch: (e) => {
    epochs.push(e);
    trainBar.done();
    log(
      `epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}, validation score ${e.valScore.toFixed(4)}` +
        `${e.improved ? ' (best so far)' : ''}, ${e.elapsedSeconds.toFixed(0)} s`,
    );
  },
});
trainBar.done();
const bestName =
  result.bestEpoch < 0 ? 'the starting weights (the classical fill)' : `epoch ${result.bestEpoch + 1}`;
log(
  `stopped (${result.stopReason}) after ${steps.length} steps, ${result.history.length} epochs; ` +
    `best: ${bestName} (validation score ${result.bestScore.toFixed(4)}); ${elapsed()}`,
);

// ---- The held-out photos: damaged, restored, scored next to the two baselines. ----
const methods = ['gray input copied as RGB', 'classical fill (fast marching)', 'restored (this model)'];
const photos: RestorationReportPhoto[] = [];
const testBar = startProgress(io, 'restoring held-out photos', testFiles.length);
for (const [i, f] of testFiles.entries()) {
  const gt = await readPhoto(path.join(photoDir, f));
  const { input } = damage(gt, { seed: 100_000 + i });
  const detected = detectLostRegion(input); // found without the original, like on a real test input
  const predictions = [
    grayToRgb(input),
    grayToRgb(inpaintTelea(input, detected)),
    await pipeline.predict(input, detected),
  ];
  const mask = competitionMask(input, gt);
  const scores: ImageScores[] = predictions.map((p) => scoreImage(gt, p, mask));
  photos.push({ name: `TEST_${String(i).padStart(3, '0')} (${f})`, input, gt, predictions, scores });
  testBar.tick(f);
}
testBar.done();

// ---- Outputs: the model, the submission, the report; then one JSON line. ----
const modelDir = path.join(outDir, 'model');
await savePipeline(pipeline, modelDir);
pipeline.dispose();
const submission = path.join(outDir, 'submission.zip');
await writeFileAtomic(
  submission,
  submissionZip(
    photos.map((p, i) => ({ name: `TEST_${String(i).padStart(3, '0')}.png`, image: p.predictions[2] })),
  ),
);
// A picture for people who will not open the report: damaged | classical fill | restored | original, 4 photos.
const sheet = path.join(outDir, 'contact-sheet.png');
const pick = [0, 5, 10, 15].filter((k) => k < photos.length);
await writePng(
  sheet,
  contactSheet(
    pick.map((k) =>
      [photos[k].input, photos[k].predictions[1], photos[k].predictions[2], photos[k].gt].map((im) =>
        shrinkToFit(im, 192),
      ),
    ),
  ),
);
const report = path.join(outDir, 'report.html');
const meanOf = (k: number) =>
  photos.reduce((a, p) => a + (Number.isNaN(p.scores[k].score) ? 0 : p.scores[k].score), 0) / photos.length;
await writeFileAtomic(
  report,
  restorationReportHtml({
    title: 'tfjs-restoration demo',
    notes: [
      `The library's default pipeline (RestorationPipeline.create({ encoder: 'resnet18' }), preset 'global') trained ` +
        `for ${options.seconds} s, the colorizer only (batch ${options.batch}, learning rate ${options.lr} after a ` +
        `${options.warmup}-step warm-up, seed ${options.seed}, chroma gain ${pipeline.chromaGain}, lost region ` +
        `${pipeline.lostChromaGain ?? pipeline.chromaGain}, ` +
        `backend ${backend}) on ${trainFiles.length} photos of examples/photos, ${valFiles.length} more picking the ` +
        `best epoch: ${steps.length} steps, ${epochs.length} epochs, stopped by ${result.stopReason}, best: ` +
        `${bestName}.`,
      `Scored on ${photos.length} photos never seen in training (${testFiles.filter(isHeldKind).length} of them of a ` +
        `kind absent from training), each damaged once; every method is given the lost region found in the damaged ` +
        `input alone (detectLostRegion). Whole run: ${elapsed()}.`,
    ],
    methods,
    pictured: [1, 2],
    photos,
    steps,
    epochs,
  }),
);
log(`wrote ${report}, ${submission}, ${modelDir}/; ${elapsed()} in all`);
console.log(
  JSON.stringify({
    n: photos.length,
    score: meanOf(2),
    baselineScore: meanOf(0),
    classicalScore: meanOf(1),
    model: modelDir,
    report,
    submission,
  }),
);
