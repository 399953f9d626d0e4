import type { Command } from '../command.js';
import { parseTrainOptions } from '../../pipeline/run-options.js';
import { startProgress, type Progress } from '../../node/progress.js';

const USAGE = `Usage: tfjs-restoration train --data DIR --out DIR [--preset NAME] [--encoder NAME] [--size N] [--batch N] [--lr X] [--warmup N] [--freeze inpaint] [--ema X] [--schedule cosine|plateau|constant] [--epochs N] [--patience N] [--folds N --fold K [--groups FILE]] [--max-seconds S] [--val-limit N] [--seed N] [--backend NAMES] [--resume | --force]

Trains the two-stage pipeline on a data set in the competition layout (DIR/train.csv): every row is checked
first (missing files, modes, sizes, duplicates: one error naming the rows), training photos get a fresh lost
region at every read, validation scores the real damaged inputs at full size after each epoch. --out receives
last/ and best/ checkpoints (each written atomically: a kill never breaks them), run.json, log.jsonl (steps and
epochs) and history.json. best/ is a saved pipeline for predict --model.

  --data DIR            data set root holding train.csv
  --out DIR             run directory; one holding another run is refused unless --resume or --force
  --resume              continue the run in --out exactly where its last checkpoint stopped (same options;
                        --epochs, --patience, --max-seconds, --backend may change)
  --force               replace the run in --out
  --preset NAME         pipeline configuration: global, reference, legacy (default global)
  --encoder NAME        U-Net encoder (default resnet34)
  --encoder-width N     encoder stem width (small models; default the encoder's)
  --decoder-channels L  decoder widths, e.g. 256,128,64,32,16
  --size N              training window side at full resolution when the preset has no working size (default 256)
  --batch N             samples per step (default 4)
  --lr X                learning rate (default 3e-4)
  --warmup N            linear learning-rate warm-up over the first N steps (default 10)
  --freeze STAGE        leave a stage untrained: inpaint (with the global preset, stage 1 stays the classical
                        fill and the budget goes to the colors) or colorize
  --ema X               validate and keep a moving average of the weights with decay X, e.g. 0.95 (default 0: off)
  --weight-decay X      AdamW decoupled weight decay (default 1e-2)
  --schedule NAME       cosine (default), plateau (reduce on plateau) or constant
  --plateau-factor X    plateau: multiply the rate by X (default 0.5)
  --plateau-patience N  plateau: after N epochs without improvement (default 2)
  --epochs N            most epochs (default 30)
  --patience N          stop after N epochs without a better validation score (default 5)
  --folds N             K-fold: N folds, validating on fold --fold (default: a --val-fraction split)
  --fold K              the validating fold, 0..N-1 (default 0)
  --groups FILE         train_preproc.csv (image,label; -1 = noise): group K-fold, one image per place validates
  --val-fraction X      without --folds: fraction of rows (bursts of 10) that validate (default 0.1)
  --val-limit N         validation images scored per epoch (default 64)
  --limit N             use only the first N rows
  --max-seconds S       training-time budget over resumes (the epoch ends at the step that passes it)
  --seed N              seed of the weights, split, order and damage (default 0)
  --backend NAMES       the first of these backends that starts (default native,wasm)

Prints one JSON line: {"model", "bestScore", "bestEpoch", "epochs", "stopReason", "backend", "seconds"}.
Progress (loss, best score, ETA) on stderr when it is a terminal; one line per epoch on stderr.`;

export const train: Command = {
  summary: 'train the pipeline on a data set (checkpoints, exact --resume, K-fold)',
  usage: USAGE,
  async run(args, io) {
    const { options, backend: backends } = parseTrainOptions(args);
    const started = performance.now();
    // tfjs is loaded only by the commands that need it.
    const [{ useFirstBackend }, { trainOnDataset }] = await Promise.all([
      import('../../backends/index.js'),
      import('../../pipeline/node.js'),
    ]);
    const backend = await useFirstBackend(backends as Parameters<typeof useFirstBackend>[0]);
    let bar: Progress = startProgress(io, 'train', 0);
    let best = -Infinity;
    let epochs = options.epochs ?? 30;
    let stepsPerEpoch = 0;
    const result = await trainOnDataset({
      ...options,
      onStart: (s) => {
        epochs = s.epochs;
        stepsPerEpoch = s.stepsPerEpoch;
        io.stderr(
          `train: ${s.train} training and ${s.val} validation images, ${s.stepsPerEpoch} steps per epoch on ` +
            `${backend}${s.done > 0 ? `; resuming after epoch ${s.done}` : ''}\n`,
        );
        bar = startProgress(io, `epoch ${s.done + 1}/${epochs}`, s.stepsPerEpoch);
      },
      onStep: (s) => {
        const score = Number.isFinite(best) ? ` best ${best.toFixed(4)}` : '';
        bar.tick(`loss ${s.loss.toFixed(4)}${score} lr ${s.learningRate.toExponential(1)}`);
      },
      onEpoch: (e) => {
        bar.done();
        if (e.improved) best = e.valScore;
        io.stderr(
          `epoch ${e.epoch + 1}/${epochs}: loss ${e.loss.toFixed(4)} (gray ${e.inpaintLoss.toFixed(4)}, rgb ` +
            `${e.colorizeLoss.toFixed(4)}), val score ${e.valScore.toFixed(4)}${e.improved ? ' (best)' : ''}, ` +
            `${Math.round(e.elapsedSeconds)} s\n`,
        );
        bar = startProgress(io, `epoch ${e.epoch + 2}/${epochs}`, stepsPerEpoch);
      },
    });
    bar.done();
    io.stdout(
      JSON.stringify({
        model: result.model,
        bestScore: Number.isFinite(result.bestScore) ? result.bestScore : null,
        bestEpoch: result.bestEpoch,
        epochs: result.epochs,
        stopReason: result.stopReason,
        backend,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      }) + '\n',
    );
    return 0;
  },
};
