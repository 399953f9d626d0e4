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
import { hueHistogramSimilarityTensor } from '../metrics/tensor/histogram.js';
import { forwardStages, stageOneStart } from './recipe.js';
import { PAD_MULTIPLE, type RestorationPipeline } from './restore.js';

/** Progress of one optimization step, given to {@link TrainOptions.onStep}. */
export interface StepLog {
  /** Epoch, from 0. */
  epoch: number;
  /** Step within the epoch, from 0. */
  step: number;
  /** Steps per epoch. */
  steps: number;
  /** Stage 1's gray-image term (L1+MSE against the gt's gray) of this batch, before its weight. */
  inpaintLoss: number;
  /** Stage 2's RGB term (L1+MSE against the gt) of this batch, before its weight. */
  colorizeLoss: number;
  /** The weighted total that was minimized (see {@link LossWeights}). */
  loss: number;
  /** Learning rate of this step. */
  learningRate: number;
}

/** Summary of one epoch, given to {@link TrainOptions.onEpoch} and kept in {@link TrainResult.history}. */
export interface EpochLog {
  epoch: number;
  /** Mean stage 1 term over the epoch's steps. */
  inpaintLoss: number;
  /** Mean stage 2 term over the epoch's steps. */
  colorizeLoss: number;
  /** Mean weighted total over the epoch's steps. */
  loss: number;
  /** Steps taken in this epoch (fewer than an epoch's when the time limit ended it). */
  steps: number;
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

/**
 * Terms of the training loss, one weighted sum over both stages (they are trained jointly, stage 2 on stage 1's
 * output). Defaults are the reference recipe's: 0.5 (0.5 L1 + 0.5 MSE) on the gray image + 0.5 (0.5 L1 + 0.5
 * MSE) on the RGB image.
 */
export interface LossWeights {
  /** Weight of the gray term (stage 1's output against the gt's Pillow gray); default 0.5. */
  gray?: number;
  /** Weight of the RGB term (the colored output against the gt); default 0.5. */
  rgb?: number;
  /** Weight of L1 inside each pixel term; default 0.5. */
  l1?: number;
  /** Weight of MSE inside each pixel term; default 0.5. */
  mse?: number;
  /**
   * Weight of `1 - hue-histogram correlation` with the gt (the competition's color term, on the differentiable
   * soft histogram of `tfjs-restoration/metrics/tensor`); default 0.
   */
  hue?: number;
  /** Extra per-pixel weight of the lost region in both pixel terms (pixels weigh `1 + region * mask`); default 0. */
  region?: number;
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
  /**
   * Stop after the step during which this many seconds have passed (the epoch ends there and is validated);
   * default no limit.
   */
  maxSeconds?: number;
  /** The loss's terms and weights; default the reference recipe's (see {@link LossWeights}). */
  loss?: LossWeights;
  /**
   * Learning-rate schedule: `'constant'` (default), or `'cosine'`: `lr * (1 + cos(pi * t)) / 2` where `t` is the
   * fraction of the run done (of `maxSeconds` when set, else of `epochs`), so a fixed budget anneals to 0.
   */
  schedule?: 'constant' | 'cosine';
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
  const weights = checkLossWeights(options.loss ?? {});
  const schedule = options.schedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'cosine')
    throw new RangeError(`trainPipeline: schedule must be 'constant' or 'cosine', got '${String(schedule)}'`);

  const optimizer = adamW(learningRate, { weightDecay });
  const vars = [...modelVariables(pipeline.inpaint), ...modelVariables(pipeline.colorize)];
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
      let sum = 0;
      let taken = 0;
      let outOfTime = false;
      for (let step = 0; step < steps && !outOfTime; step++) {
        const batchIndices = order.slice(step * batchSize, (step + 1) * batchSize);
        const loaded = await Promise.all(batchIndices.map((i) => source.load(i)));
        firstSize ??= checkTrainSize(loaded[0].gt);
        checkSize(loaded, batchIndices, firstSize);
        const samples = loaded.map((s) => (augment ? augment.call(s).sample : s));
        const t = (performance.now() - start) / 1000;
        const progress =
          maxSeconds < Infinity ? Math.min(1, t / maxSeconds) : (epoch * steps + step) / (epochs * steps);
        const lr =
          schedule === 'cosine' ? (learningRate * (1 + Math.cos(Math.PI * progress))) / 2 : learningRate;
        optimizer.setLearningRate(lr);
        const losses = trainStep(pipeline, optimizer, vars, samples, weights);
        const [v1, v2, v] = await Promise.all(losses.map((l) => l.data()));
        tf.dispose(losses);
        sum1 += v1[0];
        sum2 += v2[0];
        sum += v[0];
        taken++;
        options.onStep?.({
          epoch,
          step,
          steps,
          inpaintLoss: v1[0],
          colorizeLoss: v2[0],
          loss: v[0],
          learningRate: lr,
        });
        outOfTime = (performance.now() - start) / 1000 >= maxSeconds;
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
        inpaintLoss: sum1 / taken,
        colorizeLoss: sum2 / taken,
        loss: sum / taken,
        steps: taken,
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
      if (outOfTime && epoch < epochs - 1) {
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
    optimizer.dispose();
  }
  return { history, bestEpoch, bestScore, stopReason };
}

function checkLossWeights(w: LossWeights): Required<LossWeights> {
  const out = { gray: 0.5, rgb: 0.5, l1: 0.5, mse: 0.5, hue: 0, region: 0, ...w };
  for (const [k, v] of Object.entries(out))
    if (!(Number.isFinite(v) && v >= 0))
      throw new RangeError(`trainPipeline: loss.${k} must be a finite number >= 0, got ${String(v)}`);
  return out;
}

function checkTrainSize(gt: Image): [number, number] {
  if (gt.width % PAD_MULTIPLE || gt.height % PAD_MULTIPLE)
    throw new RangeError(
      `trainPipeline: training images must be a multiple of ${PAD_MULTIPLE} on each side, got ` +
        `${gt.width}x${gt.height}`,
    );
  return [gt.width, gt.height];
}

/**
 * The training loss of a batch (see {@link LossWeights}): returns the gray term, the RGB term and the weighted
 * total, all differentiable.
 *
 * ```ts
 * const [gray, rgb, total] = pipelineLoss(pipeline, samples, { hue: 0.1 });
 * ```
 */
export function pipelineLoss(
  pipeline: RestorationPipeline,
  samples: readonly Sample[],
  weights: LossWeights = {},
  training = true,
): [tf.Scalar, tf.Scalar, tf.Scalar] {
  const w = checkLossWeights(weights);
  return tf.tidy(() => {
    const starts = samples.map((s) => stageOneStart(s.input, s.mask, pipeline.config));
    const start = imagesToTensor(starts);
    const mask = tf.cast(tf.greater(imagesToTensor(samples.map((s) => s.mask)), 0), 'float32') as tf.Tensor4D;
    const gtRgb = imagesToTensor(samples.map((s) => s.gt));
    const gtGray = imagesToTensor(samples.map((s) => toGray(s.gt)));
    const { gray, rgb } = forwardStages(
      pipeline.inpaint,
      pipeline.colorize,
      pipeline.config,
      start,
      mask,
      training,
    );
    const pixelWeights = w.region > 0 ? tf.add(tf.mul(mask, w.region), 1) : undefined;
    const opts = { l1Weight: w.l1, mseWeight: w.mse, weights: pixelWeights };
    const grayTerm = l1MseLoss(gray, gtGray, opts);
    const rgbTerm = l1MseLoss(rgb, gtRgb, opts);
    let total = tf.add(tf.mul(grayTerm, w.gray), tf.mul(rgbTerm, w.rgb));
    if (w.hue > 0) {
      const similarity = hueHistogramSimilarityTensor(gtRgb, tf.clipByValue(rgb, 0, 1) as tf.Tensor4D, {
        mode: 'soft',
      });
      total = tf.add(total, tf.mul(tf.mean(tf.sub(1, similarity)), w.hue));
    }
    return [grayTerm, rgbTerm, total as tf.Scalar];
  });
}

/** One AdamW step of both stages on the joint loss; returns the gray term, the RGB term and the total. */
function trainStep(
  pipeline: RestorationPipeline,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  samples: readonly Sample[],
  weights: LossWeights,
): tf.Scalar[] {
  return tf.tidy(() => {
    let terms: tf.Scalar[] = [];
    const total = optimizer.minimize(
      () => {
        const [g, c, t] = pipelineLoss(pipeline, samples, weights);
        terms = [tf.keep(g), tf.keep(c)];
        return t;
      },
      true,
      vars,
    ) as tf.Scalar;
    return [...terms, total];
  });
}
