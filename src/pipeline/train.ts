/**
 * Training both stages of a {@link RestorationPipeline}: L1+MSE, Adam with optional decoupled weight decay
 * (AdamW), validation with the competition score, early stopping, best weights kept. Browser-safe.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toGray } from '../image/color.js';
import type { Image } from '../image/types.js';
import { Compose } from '../data/augment/compose.js';
import { horizontalFlip } from '../data/augment/geometric.js';
import { redamage } from '../data/augment/redamage.js';
import type { Sample, Transform } from '../data/augment/types.js';
import { shuffled } from '../data/shuffle.js';
import { imagesToTensor } from '../data/tensor.js';
import { l1MseLoss } from '../losses/pixel.js';
import { adamW } from '../models/optimizer.js';
import { competitionMask, scoreImage, summarizeScores } from '../metrics/competition.js';
import type { RestorationPipeline } from './restore.js';

/** Progress of one optimization step, given to {@link TrainOptions.onStep}. */
export interface StepLog {
  /** Epoch, from 0. */
  epoch: number;
  /** Step within the epoch, from 0. */
  step: number;
  /** Steps per epoch. */
  steps: number;
  /** Stage 1 (inpainting) L1+MSE of this batch. */
  inpaintLoss: number;
  /** Stage 2 (colorization) L1+MSE of this batch. */
  colorizeLoss: number;
}

/** Summary of one epoch, given to {@link TrainOptions.onEpoch} and kept in {@link TrainResult.history}. */
export interface EpochLog {
  epoch: number;
  /** Mean stage 1 loss over the epoch's steps. */
  inpaintLoss: number;
  /** Mean stage 2 loss over the epoch's steps. */
  colorizeLoss: number;
  /** Validation score (higher is better); `NaN` when there is no validation. */
  valScore: number;
  /** Whether this epoch's weights are the best so far (and were kept). */
  improved: boolean;
  /** Seconds since training started. */
  elapsedSeconds: number;
}

/**
 * Training samples loaded on demand (for data sets too large to hold in memory): `load(i)` reads sample `i` of
 * `size`, e.g. from PNG files.
 */
export interface SampleSource {
  readonly size: number;
  load(index: number): Promise<Sample>;
}

/** Options of {@link trainPipeline}. */
export interface TrainOptions {
  /** Training samples (gray input, RGB gt, mask), all of one size: in memory, or loaded per batch. */
  train: readonly Sample[] | SampleSource;
  /** Validation samples with fixed damage; scored with the competition score after each epoch. */
  val?: readonly Sample[];
  /** Maximum epochs; default 10. */
  epochs?: number;
  /** Samples per step; default 4. */
  batchSize?: number;
  /** Adam learning rate; default 1e-3. */
  learningRate?: number;
  /**
   * Decoupled weight decay (AdamW, Loshchilov & Hutter): before each Adam update every trainable weight is
   * multiplied by `1 - learningRate * weightDecay`, like PyTorch's `AdamW`. tfjs has no AdamW; 0 gives plain
   * Adam. Default 1e-2 (PyTorch's default).
   */
  weightDecay?: number;
  /** Epochs without a validation improvement before stopping; default 3. */
  patience?: number;
  /** Smallest increase of the validation score that counts as an improvement; default 0. */
  minDelta?: number;
  /**
   * Per-sample augmentation run on plain images each epoch; default `new Compose([redamage(),
   * horizontalFlip()], { seed })`: a fresh lost region and a random flip each time a sample is seen.
   */
  augment?: Transform | null;
  /** Seed of the sample order and the default augmentation; default 0. */
  seed?: number;
  /** Stop after the epoch during which this many seconds have passed; default no limit. */
  maxSeconds?: number;
  /**
   * Validation score of the current weights; default {@link validationScore} on `val`. Override it to score
   * differently (or to test early stopping).
   */
  validate?: (pipeline: RestorationPipeline, epoch: number) => Promise<number>;
  /** Called after each step. */
  onStep?: (log: StepLog) => void;
  /** Called after each epoch. */
  onEpoch?: (log: EpochLog) => void;
}

/** What {@link trainPipeline} returns. */
export interface TrainResult {
  history: EpochLog[];
  /** Epoch whose weights the pipeline holds at the end (the best validation score), or -1 if none scored. */
  bestEpoch: number;
  bestScore: number;
  /** Why training ended. */
  stopReason: 'epochs' | 'early-stopping' | 'time-limit';
}

/**
 * Mean competition score of the pipeline's predictions on samples (`scoreImage` against the gt, on the
 * competition's mask from input and gt). A sample whose score is `NaN` counts as 0: as in the reference, only
 * a prediction of one value over the whole image (data range 0) can give it, where the truth is flat somewhere;
 * one flat over the lost region only gets a finite score.
 */
export async function validationScore(
  pipeline: RestorationPipeline,
  samples: readonly Sample[],
): Promise<number> {
  if (samples.length === 0) throw new RangeError('validationScore: no samples');
  const scores = [];
  for (const s of samples) {
    const pred = await pipeline.predict(s.input, s.mask);
    const score = scoreImage(s.gt, pred, competitionMask(s.input, s.gt));
    scores.push(Number.isNaN(score.score) ? { ...score, score: 0, ssim: 0, maskedSsim: 0 } : score);
  }
  return summarizeScores(scores).score;
}

function modelVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function snapshot(pipeline: RestorationPipeline): tf.Tensor[][] {
  return [pipeline.inpaint, pipeline.colorize].map((m) => m.getWeights().map((w) => w.clone()));
}

function disposeSnapshot(s: tf.Tensor[][] | null): void {
  s?.forEach((ws) => tf.dispose(ws));
}

function isSource(train: readonly Sample[] | SampleSource): train is SampleSource {
  return !Array.isArray(train);
}

function checkSize(samples: readonly Sample[], indices: readonly number[], [w, h]: [number, number]): void {
  samples.forEach((s, k) => {
    for (const [name, im] of [
      ['input', s.input],
      ['gt', s.gt],
      ['mask', s.mask],
    ] as [string, Image][])
      if (im.width !== w || im.height !== h)
        throw new RangeError(
          `trainPipeline: train[${indices[k]}].${name} is ${im.width}x${im.height}, the first sample is ` +
            `${w}x${h}: all training images must have one size`,
        );
    if (s.gt.channels !== 3) throw new RangeError(`trainPipeline: train[${indices[k]}].gt must be RGB`);
  });
}

/**
 * Trains both stages of a pipeline together, each on its own task: stage 1 on `[input, mask]` -> gray of the gt,
 * stage 2 on the gt's gray -> gt (teacher forcing: the colorizer learns from true gray images). The loss is
 * L1+MSE per stage, one Adam(W) optimizer per stage; the stages step one after the other, so only one stage's
 * activations are held at a time (peak memory of one U-Net, which matters on wasm's 32-bit heap). After each epoch the
 * validation score decides: better weights are kept, `patience` epochs without improvement stop training, and
 * the pipeline ends with the best weights.
 *
 * ```ts
 * const pipeline = RestorationPipeline.create({ encoder: 'resnet34' });
 * const result = await trainPipeline(pipeline, { train, val, epochs: 30, batchSize: 8, patience: 5 });
 * console.log(result.bestScore, result.stopReason);
 * ```
 */
export async function trainPipeline(
  pipeline: RestorationPipeline,
  options: TrainOptions,
): Promise<TrainResult> {
  const {
    train,
    val = [],
    epochs = 10,
    batchSize = 4,
    learningRate = 1e-3,
    weightDecay = 1e-2,
    patience = 3,
    minDelta = 0,
    seed = 0,
    maxSeconds = Infinity,
  } = options;
  const source: SampleSource = isSource(train)
    ? train
    : { size: train.length, load: async (i: number) => train[i] };
  if (source.size === 0) throw new RangeError('trainPipeline: no training samples');
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`trainPipeline: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`trainPipeline: epochs must be a positive integer, got ${epochs}`);
  if (!(learningRate > 0))
    throw new RangeError(`trainPipeline: learningRate must be positive, got ${learningRate}`);
  if (!(weightDecay >= 0 && learningRate * weightDecay < 1))
    throw new RangeError(
      `trainPipeline: weightDecay must be >= 0 with learningRate * weightDecay < 1, got ${weightDecay}`,
    );
  if (!Number.isInteger(patience) || patience < 1)
    throw new RangeError(`trainPipeline: patience must be a positive integer, got ${patience}`);
  const given = options.augment;
  const augment =
    given === undefined
      ? new Compose([redamage(), horizontalFlip()], { seed })
      : given === null || given instanceof Compose
        ? given
        : new Compose([given], { seed });
  const validate =
    options.validate ?? (val.length > 0 ? (p: RestorationPipeline) => validationScore(p, val) : null);

  const stages = [
    {
      model: pipeline.inpaint,
      optimizer: adamW(learningRate, { weightDecay }),
      vars: modelVariables(pipeline.inpaint),
    },
    {
      model: pipeline.colorize,
      optimizer: adamW(learningRate, { weightDecay }),
      vars: modelVariables(pipeline.colorize),
    },
  ];
  const start = performance.now();
  const history: EpochLog[] = [];
  let best: tf.Tensor[][] | null = null;
  let bestScore = -Infinity;
  let bestEpoch = -1;
  let wait = 0;
  let stopReason: TrainResult['stopReason'] = 'epochs';
  const steps = Math.ceil(source.size / batchSize);
  const indices = Array.from({ length: source.size }, (_, i) => i);
  let firstSize: [number, number] | null = null;

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = shuffled(indices, (seed + Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      let sum1 = 0;
      let sum2 = 0;
      for (let step = 0; step < steps; step++) {
        const batchIndices = order.slice(step * batchSize, (step + 1) * batchSize);
        const loaded = await Promise.all(batchIndices.map((i) => source.load(i)));
        firstSize ??= [loaded[0].gt.width, loaded[0].gt.height];
        checkSize(loaded, batchIndices, firstSize);
        const samples = loaded.map((s) => (augment ? augment.call(s).sample : s));
        const [l1, l2] = trainStep(stages, samples);
        const [v1, v2] = await Promise.all([l1.data(), l2.data()]);
        tf.dispose([l1, l2]);
        sum1 += v1[0];
        sum2 += v2[0];
        options.onStep?.({ epoch, step, steps, inpaintLoss: v1[0], colorizeLoss: v2[0] });
      }
      const valScore = validate ? await validate(pipeline, epoch) : NaN;
      const improved = validate !== null && valScore > bestScore + minDelta;
      if (improved) {
        disposeSnapshot(best);
        best = snapshot(pipeline);
        bestScore = valScore;
        bestEpoch = epoch;
        wait = 0;
      } else wait++;
      const log: EpochLog = {
        epoch,
        inpaintLoss: sum1 / steps,
        colorizeLoss: sum2 / steps,
        valScore,
        improved,
        elapsedSeconds: (performance.now() - start) / 1000,
      };
      history.push(log);
      options.onEpoch?.(log);
      if (validate && wait >= patience) {
        stopReason = 'early-stopping';
        break;
      }
      if (log.elapsedSeconds >= maxSeconds && epoch < epochs - 1) {
        stopReason = 'time-limit';
        break;
      }
    }
    if (best) {
      pipeline.inpaint.setWeights(best[0]);
      pipeline.colorize.setWeights(best[1]);
    }
  } finally {
    disposeSnapshot(best);
    stages.forEach((st) => st.optimizer.dispose());
  }
  return { history, bestEpoch, bestScore, stopReason };
}

/** One optimization step of both stages; returns the two losses (scalars the caller disposes). */
function trainStep(
  stages: readonly { model: tfl.LayersModel; optimizer: tf.Optimizer; vars: tf.Variable[] }[],
  samples: readonly Sample[],
): [tf.Scalar, tf.Scalar] {
  const [inpaint, colorize] = stages;
  const gray = imagesToTensor(samples.map((s) => toGray(s.gt)));
  try {
    const x1 = tf.tidy(() =>
      tf.concat(
        [
          imagesToTensor(samples.map((s) => s.input)),
          tf.cast(tf.greater(imagesToTensor(samples.map((s) => s.mask)), 0), 'float32'),
        ],
        3,
      ),
    );
    const l1 = stepStage(inpaint, x1, gray);
    x1.dispose();
    const rgb = imagesToTensor(samples.map((s) => s.gt));
    const l2 = stepStage(colorize, gray, rgb);
    rgb.dispose();
    return [l1, l2];
  } finally {
    gray.dispose();
  }
}

/** One AdamW step of `model` on L1+MSE; returns the loss (the caller disposes it). */
function stepStage(
  stage: { model: tfl.LayersModel; optimizer: tf.Optimizer; vars: tf.Variable[] },
  x: tf.Tensor,
  y: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    return stage.optimizer.minimize(
      () => l1MseLoss(stage.model.apply(x, { training: true }) as tf.Tensor, y),
      true,
      stage.vars,
    ) as tf.Scalar;
  });
}
