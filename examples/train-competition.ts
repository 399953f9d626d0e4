/**
 * Trains the two-stage pipeline on a data set in the competition layout and writes a submission, with the library's
 * public functions: `trainOnDataset` (the `tfjs-restoration train` command's job), then `restoreFiles` and
 * `writeSubmissionZip` (`predict` and `submit`'s), and a loss chart.
 *
 * Run: npm run train:competition -- --data DIR --out out/competition [the `train` command's options:
 *        npx tfjs-restoration train --help]
 *
 * `DIR` holds `train.csv` and, optionally, `test.csv`: the DACON data, or a set made by
 * `tfjs-restoration damage --photos PHOTOS --out DIR --test 20`. Writes to `--out`: the run (`run/`: `best/` — the
 * trained pipeline —, `last/`, `log.jsonl`, `history.json`; kill it and `--resume`), `predictions/<id>.png`,
 * `submission.zip` and `loss.png`.
 */
import * as path from 'node:path';
import { useFirstBackend, type BackendName } from 'tfjs-restoration/backends';
import { startProgress, writePng } from 'tfjs-restoration/node';
import { asRestorer, tiledRestorer, trainingLossChart } from 'tfjs-restoration/pipeline';
import {
  checkSubmission,
  loadPipeline,
  parseTrainOptions,
  readTrainLog,
  restoreFiles,
  trainOnDataset,
  writeSubmissionZip,
} from 'tfjs-restoration/pipeline/node';

const { options, backend: backends } = parseTrainOptions(process.argv.slice(2));
const out = options.out;
const run = path.join(out, 'run');
const backend = await useFirstBackend(backends as BackendName[]);

const io = {
  stderr: (t: string) => void process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};
let bar = startProgress(io, 'train', 0);
let steps = 0;
const result = await trainOnDataset({
  ...options,
  out: run,
  onStart: (s) => {
    steps = s.stepsPerEpoch;
    console.log(`${s.train} train, ${s.val} validation images; backend ${backend}`);
    bar = startProgress(io, `epoch ${s.done + 1}`, steps);
  },
  onStep: (s) => bar.tick(`loss ${s.loss.toFixed(4)}`),
  onEpoch: (e) => {
    bar.done();
    console.log(
      `epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}, val score ${e.valScore.toFixed(4)}` +
        `${e.improved ? ' (best)' : ''}, ${e.elapsedSeconds.toFixed(0)} s`,
    );
    bar = startProgress(io, `epoch ${e.epoch + 2}`, steps);
  },
});
bar.done();
console.log(
  `stopped: ${result.stopReason}; best epoch ${result.bestEpoch + 1}, val score ${result.bestScore}`,
);

// The loss chart from the run's log: every step since the run began, resumes included.
const log = await readTrainLog(run);
await writePng(path.join(out, 'loss.png'), trainingLossChart(log.steps, log.epochs));

const pipeline = await loadPipeline(result.model);
try {
  const predictions = path.join(out, 'predictions');
  const { names } = await restoreFiles(tiledRestorer(asRestorer(pipeline)), {
    input: path.join(options.data, 'test_input'),
    out: predictions,
    force: true,
  });
  await writeSubmissionZip(
    await checkSubmission(predictions, options.data),
    path.join(out, 'submission.zip'),
  );
  console.log(`wrote ${names.length} predictions and ${path.join(out, 'submission.zip')}`);
} catch (err) {
  console.log(`no submission: ${(err as Error).message}`);
} finally {
  pipeline.dispose();
}
console.log(`pipeline: ${result.model}; loss chart: ${path.join(out, 'loss.png')}`);
