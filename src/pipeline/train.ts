/**
 * Training both stages of a {@link RestorationPipeline} jointly on one weighted loss with AdamW: batches through the
 * data module's loader with prefetch, learning-rate schedules (cosine, reduce-on-plateau), validation with the
 * competition score, early stopping, best weights kept, and checkpoints (through a {@link Checkpointer}) from which a
 * run resumes exactly. Browser-safe: the checkpoints' storage is the caller's (`directoryCheckpointer` of
 * `tfjs-restoration/pipeline/node` on disk).
 */
import * as tf from '@tensorflow/tfjs-core';
import { grayToRgb, matchLuminance, meanChromaOffset } from '../image/color.js';
import type { Image, Mask, Sample } from '../image/types.js';
import { Compose } from '../data/augment/compose.js';
import { horizontalFlip } from '../data/augment/geometric.js';
import { redamage } from '../data/augment/redamage.js';
import type { Transform } from '../data/augment/types.js';
import { batches, collate, type Batch, type BatchSample } from '../data/loader.js';
import { l1MseLoss } from '../losses/pixel.js';
import { hash32 } from '../random/rng.js';
import {
  adamW,
  variablesOf,
  WeightAverage,
  type AdamWOptimizer,
  type NamedTensor,
} from '../models/optimizer.js';
import { competitionMask, scoreImage, summarizeScores, type ImageScores } from '../metrics/competition.js';
import { hueHistogramSimilarityTensor } from '../metrics/tensor/histogram.js';
import { forwardStages, stageOneStart, type PipelineConfig } from './recipe.js';
import { checkChromaOffset, PAD_MULTIPLE, type RestorationPipeline } from './restore.js';

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
  /** Seconds since training started (a resumed run counts the time before it). */
  elapsedSeconds: number;
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
  /** Learning rate of the epoch's last step. */
  learningRate: number;
  /** Validation score (higher is better); `NaN` when there is no validation. */
  valScore: number;
  /** Whether this epoch's weights are the best so far (and were kept). */
  improved: boolean;
  /** The pipeline's `chromaGain` and `lostChromaGain` after validation (fitted there, see `fitChroma`). */
  chromaGain?: number;
  lostChromaGain?: number | null;
  /** The pipeline's `chromaOffset` after validation (fitted there with `fitChroma`'s `tint`). */
  chromaOffset?: [number, number, number] | null;
  /** Seconds since training started (a resumed run counts the time before it). */
  elapsedSeconds: number;
}

/**
 * Training samples loaded on demand (for data sets too large to hold in memory): `load(i)` reads sample `i` of
 * `size`, e.g. from PNG files. A source whose samples depend on how often they were read (like `photoSource`)
 * exposes that as `state`/`restore`, so that a checkpoint holds it and a resumed run draws the same samples.
 */
export interface SampleSource {
  readonly size: number;
  load(index: number): Promise<Sample>;
  /** The source's state as JSON-compatible data (saved in checkpoints). */
  state?(): unknown;
  /** Restores a state returned by `state()`. */
  restore?(state: unknown): void;
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

/** Options of the `'plateau'` schedule (see {@link TrainOptions.schedule}). */
export interface PlateauOptions {
  /** The learning rate is multiplied by this, in (0, 1); default 0.5. */
  factor?: number;
  /** Epochs in a row without a validation improvement before a reduction; default 2. */
  patience?: number;
  /** The learning rate never goes below this; default 0. */
  minLearningRate?: number;
}

/** The trainer's own state at the end of an epoch: with the weights and the optimizer's, what a resume needs. */
export interface TrainState {
  /** Epochs completed (the next epoch to run). */
  epoch: number;
  /** The best validation score so far (`-Infinity` as `null` in JSON when none) and its epoch (-1: none). */
  bestScore: number;
  bestEpoch: number;
  /** Epochs since the last improvement (early stopping). */
  wait: number;
  /** The plateau schedule's current learning rate and epochs since its last improvement or reduction. */
  plateauLearningRate: number;
  plateauWait: number;
  /** The sample source's `state()`, if it has one. */
  source: unknown;
  /** Seconds of training so far. */
  elapsedSeconds: number;
  /** Whether the run has ended, and why (`null`: it goes on). */
  stopReason: TrainResult['stopReason'] | null;
  history: EpochLog[];
  /** The chroma gains that go with the best weights (absent in checkpoints written before they existed). */
  bestGains?: ChromaGains;
  /** The chroma gains fitted with the last epoch's weights. */
  gains?: ChromaGains;
  /** With `ema`: the weight average's update count (its shadows are in the optimizer's state as `average/i`). */
  emaUpdates?: number;
}

/** What a {@link Checkpointer} saves after each epoch. Tensors belong to the trainer: read them before returning. */
export interface TrainCheckpoint {
  state: TrainState;
  /** The pipeline with this epoch's weights (all of them: batch-norm statistics included). */
  pipeline: RestorationPipeline;
  /** The optimizer's state (`AdamWOptimizer.saveState`). */
  optimizer: NamedTensor[];
  /** This epoch's weights are the best so far (or there is no validation): they are also the best checkpoint. */
  best: boolean;
}

/** A checkpoint read back by {@link Checkpointer.load}; the tensors become the trainer's (it disposes them). */
export interface LoadedCheckpoint {
  state: TrainState;
  /** The last epoch's weights: `[inpaint.getWeights(), colorize.getWeights()]` order. */
  weights: tf.Tensor[][];
  optimizer: NamedTensor[];
  /** The best weights when they are not the last epoch's (`null`: the last epoch's, or none scored). */
  best: tf.Tensor[][] | null;
}

/**
 * Where {@link trainPipeline} keeps its checkpoints: `save` after every epoch (the last checkpoint, and the best one
 * when `best`), `load` the latest for `resume`. `directoryCheckpointer(dir)` of `tfjs-restoration/pipeline/node`
 * writes them to disk atomically.
 */
export interface Checkpointer {
  save(checkpoint: TrainCheckpoint): Promise<void>;
  /** The latest saved checkpoint, or `null` when there is none. */
  load(): Promise<LoadedCheckpoint | null>;
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
   * Per-sample augmentation run on plain images; default `new Compose([redamage(), horizontalFlip()])`: a fresh
   * lost region and a random flip each time a sample is seen. Its draws come from `seed`, the epoch and the
   * sample's index (not from a `Compose`'s own generator), so they do not depend on the order loads finish in and a
   * resumed run draws the same.
   */
  augment?: Transform | null;
  /** Seed of the sample order and the augmentation; default 0. */
  seed?: number;
  /**
   * Stop after the step during which this many seconds of training have passed (the epoch ends there and is
   * validated); a resumed run counts the time before it. Default no limit.
   */
  maxSeconds?: number;
  /** The loss's terms and weights; default the reference recipe's (see {@link LossWeights}). */
  loss?: LossWeights;
  /**
   * Learning-rate schedule: `'constant'` (default); `'cosine'`: `lr * (1 + cos(pi * t)) / 2` where `t` is the
   * fraction of the run done (of `maxSeconds` when set, else of `epochs`), so a fixed budget anneals to 0;
   * `'plateau'`: reduce-on-plateau, the rate multiplied by `plateau.factor` after `plateau.patience` epochs without
   * a validation improvement (Keras' `ReduceLROnPlateau`; PyTorch's `patience` counts one less). The reference
   * recipe tried cosine and plateau.
   */
  schedule?: 'constant' | 'cosine' | 'plateau';
  /** Options of the `'plateau'` schedule. */
  plateau?: PlateauOptions;
  /**
   * Stages left as they are: not updated (their batch norm in inference mode, no gradient computed for them).
   * `['inpaint']` with the `global` preset keeps stage 1 the classical fill it starts as and spends the whole
   * budget on the colors. Default none.
   */
  freeze?: readonly ('inpaint' | 'colorize')[];
  /**
   * Linear learning-rate warm-up: step `k` (counted over the whole run, 0-based) uses `(k + 1) / warmupSteps` of
   * the schedule's rate until `k + 1 = warmupSteps`. Adam moves every weight of a zeroed head by about the rate
   * at each step, all in the same direction at first, so a colorizer that starts as gray can overshoot into a
   * color cast within a few dozen steps; a warm-up lets the gradients' directions settle first. Default 0 (none).
   */
  warmupSteps?: number;
  /**
   * Validate and keep an exponential moving average of the trained weights (decay `ema`, see
   * {@link WeightAverage}) instead of the weights of the epoch's last step: the average smooths the step-to-step
   * wander (a colorizer's overall tint moves from batch to batch), so the kept epoch depends less on which batch came
   * last. The averaged weights are what validation scores, what `best` keeps, what checkpoints save as the
   * pipeline (the raw weights ride along with the optimizer's state) and what the pipeline ends with. Default 0
   * (off); typical 0.9-0.999.
   */
  ema?: number;
  /** Batches loaded (and augmented, and pre-filled) ahead while a step runs; default 1. */
  prefetch?: number;
  /**
   * Saves a checkpoint after every epoch (and reads it back for `resume`); see {@link Checkpointer}. Default none.
   */
  checkpointer?: Checkpointer;
  /**
   * Continue from the checkpointer's latest checkpoint: the weights, the optimizer, the schedule, the sample
   * source's state and the history are restored, so the run ends with the same weights as one never interrupted
   * (with the same options; encoders with stochastic depth, EfficientNet's, draw unseeded and are the exception).
   * Without a checkpoint the run starts afresh. Default false.
   */
  resume?: boolean;
  /**
   * Validation score of the current weights; default {@link validationScore} on `val`. Override it to score
   * differently (or to test early stopping).
   */
  validate?: (pipeline: RestorationPipeline, epoch: number) => Promise<number>;
  /**
   * The default validation fits the pipeline's chroma gains (`chromaGain`, `lostChromaGain`) with
   * {@link fitChromaGain} after each epoch: the epoch's score is the fitted one, and the gains are kept with the
   * best weights. A colorizer unsure of a color scores better with it muted than wrong (SSIM counts the error,
   * the hue histogram only the hue). Default `{}` (the default grids) when the pipeline preserves luminance
   * (the gains only act there); `false`: the pipeline's gains are left as they are. Ignored with a custom
   * `validate`.
   */
  fitChroma?: ChromaFitOptions | false;
  /**
   * Also score the starting weights before the first step, and keep them unless an epoch beats them (the result's
   * `bestEpoch` is then -1 with their score). A pipeline that starts as a baseline (the `global` preset starts as
   * the classical fill) then never ends below that baseline on the validation set. Default false; not repeated on
   * `resume`.
   */
  validateStart?: boolean;
  /** Called after each step. */
  onStep?: (log: StepLog) => void;
  /** Called after each epoch, once its checkpoint is saved. */
  onEpoch?: (log: EpochLog) => unknown;
}

/** What {@link trainPipeline} returns. */
export interface TrainResult {
  /** Every epoch's summary, those before a resume included. */
  history: EpochLog[];
  /**
   * Epoch whose weights the pipeline holds at the end (the best validation score), or -1 if none scored or, with
   * `validateStart`, when the starting weights stayed the best (`bestScore` is then theirs).
   */
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
 *
 * ```ts
 * const score = await validationScore(pipeline, val);
 * ```
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
    scores.push(nanAsZero(score));
  }
  return summarizeScores(scores).score;
}

/** A score that is `NaN` (a prediction of one value over the whole image) counts as 0, like in the reference. */
function nanAsZero(score: ImageScores): ImageScores {
  return Number.isNaN(score.score) ? { ...score, score: 0, ssim: 0, maskedSsim: 0 } : score;
}

/** A pipeline's two chroma gains (see `RestorationPipeline.chromaGain`). */
export interface ChromaGains {
  chroma: number;
  /** `null`: the same as `chroma`. */
  lost: number | null;
  /** `RestorationPipeline.chromaOffset` (absent in checkpoints saved before it existed: none). */
  offset?: [number, number, number] | null;
}

/** The grids {@link fitChromaGain} searches. */
export interface ChromaFitOptions {
  /** Gains tried for the whole image; default {@link DEFAULT_CHROMA_GAINS}. */
  gains?: readonly number[];
  /**
   * Then, with the best of those, the factors on it tried in the lost region (`lostChromaGain = factor * gain`;
   * factor 1 gives `null`, the whole-image gain): the best of these is the result, so `[0]` always leaves the lost
   * region gray and `[0, 0.5, 1]` lets the samples choose. `[]`: not fitted (`lostChromaGain` null). Default
   * {@link DEFAULT_LOST_FACTORS}.
   */
  lostFactors?: readonly number[];
  /**
   * Also fit a tint correction (`chromaOffset`, {@link meanChromaOffset} of the samples' truths and colors) and try
   * the gains with it. A colorizer trained for a few dozen CPU steps swings between color casts from one epoch to
   * the next; cancelling the cast makes the kept epoch matter less (docs/pipeline.md, "tint"). Default true.
   */
  tint?: boolean;
}

/** The chroma gains {@link fitChromaGain} tries by default. */
export const DEFAULT_CHROMA_GAINS: readonly number[] = [0.25, 0.5, 0.75, 1];

/**
 * The lost-region factors {@link fitChromaGain} tries by default: `[0]`, the lost region left gray (the classical
 * fill's gray when stage 1 is frozen). In every bench:quality run so far the gray lost region scored higher on the
 * held-out photos than the colorizer's colors there (+0.002 to +0.010; M back to the classical fill's), while 6
 * validation photos let choose picked the colors on 2 of 3 seeds (docs/pipeline.md#measured).
 */
export const DEFAULT_LOST_FACTORS: readonly number[] = [0];

/** What {@link fitChromaGain} returns. */
export interface ChromaGainFit {
  /** The whole-image gain with the best mean score (the first of equals, in the order given). */
  gain: number;
  /** The lost region's gain (`null`: the whole-image gain, factor 1, won there, or it was not fitted). */
  lostGain: number | null;
  /** The tint correction the scores were computed with (`null` with `tint: false`). */
  offset: [number, number, number] | null;
  /** The mean score (as {@link validationScore} computes it) with both. */
  score: number;
  /**
   * Every combination tried, in order: the whole-image gains (lost = same), then the lost-region factors on the best
   * of them.
   */
  scores: { gain: number; lostGain: number | null; score: number }[];
}

/**
 * Finds the chroma gains (see `RestorationPipeline.chromaGain` and `lostChromaGain`) with the best mean
 * competition score on samples: first the whole image's from `gains`, then the lost region's from `lostFactors`
 * times it, all under the tint correction `offset` fitted first (see `tint`). Each sample is predicted once and its
 * colors re-mixed under every gain (cheap next to the models). Does not change the pipeline.
 *
 * ```ts
 * const fit = await fitChromaGain(pipeline, val);
 * pipeline.chromaGain = fit.gain;
 * pipeline.lostChromaGain = fit.lostGain;
 * pipeline.chromaOffset = fit.offset;
 * ```
 * @throws RangeError on no samples, no gains, a negative gain or factor, or a pipeline without
 *   `preserveLuminance`.
 */
export async function fitChromaGain(
  pipeline: RestorationPipeline,
  samples: readonly Sample[],
  options: ChromaFitOptions = {},
): Promise<ChromaGainFit> {
  const gains = options.gains ?? DEFAULT_CHROMA_GAINS;
  const factors = options.lostFactors ?? DEFAULT_LOST_FACTORS;
  if (samples.length === 0) throw new RangeError('fitChromaGain: no samples');
  if (gains.length === 0) throw new RangeError('fitChromaGain: no gains to try');
  for (const [name, list] of [
    ['gains', gains],
    ['lostFactors', factors],
  ] as const)
    for (const g of list)
      if (!(g >= 0 && Number.isFinite(g)))
        throw new RangeError(`fitChromaGain: ${name} must be finite numbers >= 0, got ${String(g)}`);
  if (!pipeline.preserveLuminance)
    throw new RangeError('fitChromaGain: the gain acts only on a pipeline with preserveLuminance');
  const parts: { s: Sample; colors: Image; gray: Image; mask: Mask; scoring: Mask }[] = [];
  for (const s of samples) {
    const { colors, gray, mask } = await pipeline.predictDetailed(s.input, s.mask);
    parts.push({ s, colors, gray, mask, scoring: competitionMask(s.input, s.gt) });
  }
  const offset =
    (options.tint ?? true)
      ? meanChromaOffset(
          parts.map((p) => (p.s.gt.channels === 3 ? p.s.gt : grayToRgb(p.s.gt))),
          parts.map((p) => p.colors),
        )
      : null;
  const chromaOffset = offset ?? undefined;
  const meanScore = (chromaGain: number, lost: number) =>
    summarizeScores(
      parts.map((p) => {
        const pred = matchLuminance(p.colors, p.gray, {
          chromaGain,
          mask: p.mask,
          maskChromaGain: lost,
          chromaOffset,
        });
        return nanAsZero(scoreImage(p.s.gt, pred, p.scoring));
      }),
    ).score;
  const scores: ChromaGainFit['scores'] = gains.map((gain) => ({
    gain,
    lostGain: null,
    score: meanScore(gain, gain),
  }));
  const bestOf = (list: ChromaGainFit['scores']) => list.reduce((a, b) => (b.score > a.score ? b : a));
  const whole = bestOf(scores);
  if (factors.length === 0) return { ...whole, offset, scores };
  const lost = factors.map((f) =>
    f === 1
      ? whole
      : { gain: whole.gain, lostGain: f * whole.gain, score: meanScore(whole.gain, f * whole.gain) },
  );
  scores.push(...lost.filter((t) => t !== whole));
  const best = bestOf(lost);
  return { gain: best.gain, lostGain: best.lostGain, offset, score: best.score, scores };
}

function snapshot(pipeline: RestorationPipeline): tf.Tensor[][] {
  return [pipeline.inpaint, pipeline.colorize].map((m) => m.getWeights().map((w) => w.clone()));
}

function disposeSnapshot(s: tf.Tensor[][] | null): void {
  s?.forEach((ws) => tf.dispose(ws));
}

function setPipelineWeights(pipeline: RestorationPipeline, weights: tf.Tensor[][], what: string): void {
  [pipeline.inpaint, pipeline.colorize].forEach((m, k) => {
    const expected = m.getWeights();
    const got = weights[k];
    if (
      got?.length !== expected.length ||
      got.some((t, i) => t.shape.join('x') !== expected[i].shape.join('x'))
    )
      throw new Error(
        `trainPipeline: the ${what} weights of stage ${m.name} do not fit the pipeline (another model?): ` +
          `${got?.length ?? 0} tensors for ${expected.length} weights`,
      );
    m.setWeights(got);
  });
}

function isSource(train: readonly Sample[] | SampleSource): train is SampleSource {
  return !Array.isArray(train);
}

/** The per-read augmentation seed: from the run's seed, the epoch and the sample's index. */
function augmentSeed(seed: number, epoch: number, index: number): number {
  return hash32(seed ^ hash32(epoch ^ hash32(index ^ 0x5bd1e995)));
}

/**
 * One training example as the loader's sample: `input` is stage 1's start image ({@link stageOneStart}, the same
 * function prediction uses), `gt` the RGB target, `mask` the lost region.
 */
function trainingExample(s: Sample, config: PipelineConfig, id: string): BatchSample {
  return { id, input: stageOneStart(s.input, s.mask, config), gt: s.gt, mask: s.mask };
}

function checkSample(s: Sample, index: number, size: [number, number] | null): [number, number] {
  const [w, h] = size ?? checkTrainSize(s.gt);
  for (const [name, im] of [
    ['input', s.input],
    ['gt', s.gt],
    ['mask', s.mask],
  ] as [string, Image][])
    if (im.width !== w || im.height !== h)
      throw new RangeError(
        `trainPipeline: train[${index}].${name} is ${im.width}x${im.height}, the first sample is ` +
          `${w}x${h}: all training images must have one size`,
      );
  if (s.gt.channels !== 3) throw new RangeError(`trainPipeline: train[${index}].gt must be RGB`);
  return [w, h];
}

/**
 * Trains both stages of a pipeline jointly: stage 1 on {@link stageOneStart}'s image (and the mask) -> the gt's
 * gray, stage 2 on stage 1's output -> the gt, one AdamW optimizer on one weighted loss ({@link pipelineLoss}).
 * Batches come through the data module's loader (`batches`), the next ones loading, augmenting and pre-filling
 * while a step runs. After each epoch the validation score decides: better weights are kept, `patience` epochs
 * without improvement stop training, and the pipeline ends with the best weights. With a `checkpointer` each epoch
 * is saved, and `resume` continues exactly where the last checkpoint stopped.
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
    prefetch = 1,
    checkpointer,
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
  const emaDecay = options.ema ?? 0;
  if (!(emaDecay >= 0 && emaDecay < 1))
    throw new RangeError(`trainPipeline: ema must be 0 (off) or a decay in (0, 1), got ${String(emaDecay)}`);
  const warmupSteps = options.warmupSteps ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0)
    throw new RangeError(`trainPipeline: warmupSteps must be an integer >= 0, got ${String(warmupSteps)}`);
  if (!Number.isInteger(prefetch) || prefetch < 0)
    throw new RangeError(`trainPipeline: prefetch must be an integer >= 0, got ${prefetch}`);
  if (options.resume && !checkpointer)
    throw new RangeError('trainPipeline: resume needs a checkpointer to load the checkpoint from');
  const given = options.augment === undefined ? new Compose([redamage(), horizontalFlip()]) : options.augment;
  const augmentWith = given === null ? null : given instanceof Compose ? given.transforms : [given];
  const fitChroma = options.fitChroma ?? (pipeline.preserveLuminance ? {} : false);
  const validate =
    options.validate ??
    (val.length === 0
      ? null
      : fitChroma
        ? async (p: RestorationPipeline) => {
            const fit = await fitChromaGain(p, val, fitChroma);
            p.chromaGain = fit.gain;
            p.lostChromaGain = fit.lostGain;
            p.chromaOffset = fit.offset;
            return fit.score;
          }
        : (p: RestorationPipeline) => validationScore(p, val));
  const gainsOf = (p: RestorationPipeline): ChromaGains => ({
    chroma: p.chromaGain,
    lost: p.lostChromaGain,
    offset: p.chromaOffset ? [...p.chromaOffset] : null,
  });
  const setGains = (p: RestorationPipeline, g: ChromaGains) => {
    p.chromaGain = g.chroma;
    p.lostChromaGain = g.lost;
    p.chromaOffset = checkChromaOffset(g.offset ?? null, "trainPipeline: the checkpoint's chroma offset");
  };
  const weights = checkLossWeights(options.loss ?? {});
  const schedule = options.schedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'cosine' && schedule !== 'plateau')
    throw new RangeError(
      `trainPipeline: schedule must be 'constant', 'cosine' or 'plateau', got '${String(schedule)}'`,
    );
  const plateau = checkPlateau(options.plateau ?? {});
  if (schedule === 'plateau' && !validate)
    throw new RangeError("trainPipeline: the 'plateau' schedule needs validation (val or validate)");

  const optimizer = adamW(learningRate, { weightDecay });
  const freeze = new Set(options.freeze ?? []);
  for (const f of freeze)
    if (f !== 'inpaint' && f !== 'colorize')
      throw new RangeError(`trainPipeline: freeze takes 'inpaint' and 'colorize', got '${String(f)}'`);
  if (freeze.size === 2) throw new RangeError('trainPipeline: freeze leaves no stage to train');
  const modes = { inpaint: !freeze.has('inpaint'), colorize: !freeze.has('colorize') };
  const vars = [
    ...(modes.inpaint ? variablesOf(pipeline.inpaint) : []),
    ...(modes.colorize ? variablesOf(pipeline.colorize) : []),
  ];
  // With `ema`, the averaged weights sit in the pipeline from validation through the checkpoint and onEpoch
  // (`averaged`), the raw ones in the average's shadows; a swap back resumes training on the raw ones.
  const average = emaDecay > 0 ? new WeightAverage(vars, emaDecay) : null;
  let averaged = false;
  const useAverage = (on: boolean) => {
    if (average && averaged !== on) {
      average.swap();
      averaged = on;
    }
  };
  let best: tf.Tensor[][] | null = null;
  let state: TrainState = {
    epoch: 0,
    bestScore: -Infinity,
    bestEpoch: -1,
    wait: 0,
    plateauLearningRate: learningRate,
    plateauWait: 0,
    source: null,
    elapsedSeconds: 0,
    stopReason: null,
    history: [],
  };
  const steps = Math.ceil(source.size / batchSize);
  const indices = Array.from({ length: source.size }, (_, i) => i);
  let firstSize: [number, number] | null = null;

  try {
    if (options.resume) {
      const saved = await checkpointer!.load();
      if (saved) {
        try {
          setPipelineWeights(pipeline, saved.weights, 'checkpoint');
          const isAverage = (w: NamedTensor) => w.name.startsWith('average/');
          const shadows = saved.optimizer.filter(isAverage);
          if (average) {
            if (shadows.length === 0)
              throw new Error('trainPipeline: resume with ema needs a checkpoint saved with ema');
            // The checkpoint's pipeline holds the averaged weights, the shadows the raw ones.
            average.loadState(shadows, saved.state.emaUpdates ?? 0);
            averaged = true;
          } else if (shadows.length > 0)
            throw new Error('trainPipeline: the checkpoint was saved with ema; resume it with ema');
          await optimizer.loadState(saved.optimizer.filter((w) => !isAverage(w)));
          if (saved.best) {
            best = saved.best.map((ws) => ws.map((w) => w.clone()));
          }
        } finally {
          disposeSnapshot(saved.weights);
          disposeSnapshot(saved.best);
          tf.dispose(saved.optimizer.map((w) => w.tensor));
        }
        state = { ...saved.state, history: saved.state.history.slice() };
        state.bestScore ??= -Infinity; // JSON has no -Infinity
        if (state.gains) setGains(pipeline, state.gains);
        if (state.source !== null && state.source !== undefined) {
          if (!source.restore)
            throw new Error(
              'trainPipeline: the checkpoint holds a sample-source state the source cannot restore',
            );
          source.restore(state.source);
        }
        // The last epoch improved: its weights (just loaded; averaged with ema) are the best.
        if (!best && state.bestEpoch >= 0) best = snapshot(pipeline);
        // A finished run goes on when these options allow more (more epochs, patience or time).
        state.stopReason =
          validate && state.wait >= patience
            ? 'early-stopping'
            : state.elapsedSeconds >= maxSeconds
              ? 'time-limit'
              : null;
      }
    }
    const start = performance.now() - state.elapsedSeconds * 1000;
    const elapsed = () => (performance.now() - start) / 1000;
    // Counted in the time budget, like every validation.
    if (options.validateStart && validate && state.epoch === 0 && state.history.length === 0) {
      state.bestScore = await validate(pipeline, -1);
      state.bestGains = gainsOf(pipeline);
      best = snapshot(pipeline);
    }
    const load = async (index: number, epoch: number): Promise<BatchSample> => {
      const loaded = await source.load(index);
      firstSize = checkSample(loaded, index, firstSize);
      const s = augmentWith
        ? new Compose(augmentWith, { seed: augmentSeed(seed, epoch, index) }).call(loaded).sample
        : loaded;
      return trainingExample(s, pipeline.config, String(index));
    };

    for (let epoch = state.epoch; epoch < epochs && state.stopReason === null; epoch++) {
      // Steps taken in earlier epochs (those before a resume included), for the warm-up.
      const stepsBefore = state.history.reduce((n, e) => n + e.steps, 0);
      let sum1 = 0;
      let sum2 = 0;
      let sum = 0;
      let taken = 0;
      let lr = learningRate;
      let outOfTime = false;
      const loader = batches(indices, (i) => load(i, epoch), {
        batchSize,
        shuffle: true,
        seed,
        epoch,
        prefetch,
      });
      useAverage(false);
      for await (const batch of loader) {
        try {
          const step = taken;
          const progress =
            maxSeconds < Infinity
              ? Math.min(1, elapsed() / maxSeconds)
              : (epoch * steps + step) / (epochs * steps);
          lr =
            schedule === 'cosine'
              ? (learningRate * (1 + Math.cos(Math.PI * progress))) / 2
              : schedule === 'plateau'
                ? state.plateauLearningRate
                : learningRate;
          if (warmupSteps > 0) lr *= Math.min(1, (stepsBefore + step + 1) / warmupSteps);
          optimizer.setLearningRate(lr);
          const losses = trainStep(pipeline, optimizer, vars, batch, weights, modes);
          average?.update();
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
            elapsedSeconds: elapsed(),
          });
        } finally {
          batch.dispose();
        }
        outOfTime = elapsed() >= maxSeconds;
        if (outOfTime) break; // ends the loader (its pending loads are dropped)
      }
      useAverage(true);
      const valScore = validate ? await validate(pipeline, epoch) : NaN;
      const improved = validate !== null && valScore > state.bestScore + minDelta;
      if (improved) {
        disposeSnapshot(best);
        best = snapshot(pipeline);
        state.bestScore = valScore;
        state.bestGains = gainsOf(pipeline);
        state.bestEpoch = epoch;
        state.wait = 0;
        state.plateauWait = 0;
      } else {
        state.wait++;
        state.plateauWait++;
        if (schedule === 'plateau' && state.plateauWait >= plateau.patience) {
          state.plateauLearningRate = Math.max(
            plateau.minLearningRate,
            state.plateauLearningRate * plateau.factor,
          );
          state.plateauWait = 0;
        }
      }
      const log: EpochLog = {
        epoch,
        inpaintLoss: sum1 / taken,
        colorizeLoss: sum2 / taken,
        loss: sum / taken,
        steps: taken,
        learningRate: lr,
        valScore,
        improved,
        chromaGain: pipeline.chromaGain,
        lostChromaGain: pipeline.lostChromaGain,
        chromaOffset: pipeline.chromaOffset ? [...pipeline.chromaOffset] : null,
        elapsedSeconds: elapsed(),
      };
      state.history.push(log);
      state.epoch = epoch + 1;
      state.elapsedSeconds = log.elapsedSeconds;
      state.gains = gainsOf(pipeline);
      state.source = source.state ? source.state() : null;
      if (average) state.emaUpdates = average.updates;
      if (validate && state.wait >= patience) state.stopReason = 'early-stopping';
      else if (outOfTime && epoch < epochs - 1) state.stopReason = 'time-limit';
      else if (epoch === epochs - 1) state.stopReason = 'epochs';
      if (checkpointer) {
        const optimizerState = [...(await optimizer.saveState()), ...(average?.saveState() ?? [])];
        try {
          await checkpointer.save({
            state: { ...state, history: state.history.slice() },
            pipeline,
            optimizer: optimizerState,
            best: improved || !validate,
          });
        } finally {
          tf.dispose(optimizerState.map((w) => w.tensor));
        }
      }
      await options.onEpoch?.(log);
    }
    useAverage(true);
    if (best) {
      setPipelineWeights(pipeline, best, 'best');
      if (state.bestGains) setGains(pipeline, state.bestGains);
    }
  } finally {
    disposeSnapshot(best);
    average?.dispose();
    optimizer.dispose();
  }
  return {
    history: state.history,
    bestEpoch: state.bestEpoch,
    bestScore: state.bestScore,
    stopReason: state.stopReason ?? 'epochs',
  };
}

function checkPlateau(p: PlateauOptions): Required<PlateauOptions> {
  const out = { factor: 0.5, patience: 2, minLearningRate: 0, ...p };
  if (!(out.factor > 0 && out.factor < 1))
    throw new RangeError(`trainPipeline: plateau.factor must be in (0, 1), got ${String(out.factor)}`);
  if (!Number.isInteger(out.patience) || out.patience < 1)
    throw new RangeError(
      `trainPipeline: plateau.patience must be a positive integer, got ${String(out.patience)}`,
    );
  if (!(out.minLearningRate >= 0))
    throw new RangeError(
      `trainPipeline: plateau.minLearningRate must be >= 0, got ${String(out.minLearningRate)}`,
    );
  return out;
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
 * The gray target of an RGB batch in [0, 1], exactly Pillow's `convert('L')` of its bytes (as `toGray`): every
 * intermediate is an integer below 2^24, so float32 holds it exactly.
 */
function grayTarget(gt: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const bytes = tf.round(tf.mul(gt, 255));
    const sum = tf.sum(tf.mul(bytes, tf.tensor1d([19595, 38470, 7471])), 3, true);
    return tf.div(tf.floor(tf.div(tf.add(sum, 0x8000), 65536)), 255) as tf.Tensor4D;
  });
}

/** The loss terms of a collated training batch (`input` = stage 1's start image); see {@link pipelineLoss}. */
function batchLoss(
  pipeline: RestorationPipeline,
  batch: Batch,
  w: Required<LossWeights>,
  training: boolean | { inpaint: boolean; colorize: boolean },
): [tf.Scalar, tf.Scalar, tf.Scalar] {
  return tf.tidy(() => {
    const mask = batch.mask as tf.Tensor4D;
    const gtRgb = batch.gt as tf.Tensor4D;
    const gtGray = grayTarget(gtRgb);
    const { gray, rgb } = forwardStages(
      pipeline.inpaint,
      pipeline.colorize,
      pipeline.config,
      batch.input,
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

/**
 * The training loss of a batch (see {@link LossWeights}): returns the gray term, the RGB term and the weighted
 * total, all differentiable. The trainer computes the same from its loader's batches.
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
    const batch = collate(samples.map((s, i) => trainingExample(s, pipeline.config, String(i))));
    return batchLoss(pipeline, batch, w, training);
  });
}

/** One AdamW step of both stages on the joint loss; returns the gray term, the RGB term and the total. */
function trainStep(
  pipeline: RestorationPipeline,
  optimizer: AdamWOptimizer,
  vars: tf.Variable[],
  batch: Batch,
  weights: Required<LossWeights>,
  modes: { inpaint: boolean; colorize: boolean },
): tf.Scalar[] {
  return tf.tidy(() => {
    let terms: tf.Scalar[] = [];
    const total = optimizer.minimize(
      () => {
        const [g, c, t] = batchLoss(pipeline, batch, weights, modes);
        terms = [tf.keep(g), tf.keep(c)];
        return t;
      },
      true,
      vars,
    ) as tf.Scalar;
    return [...terms, total];
  });
}
