/**
 * A whole training run on a data set in the competition layout, in a run directory (Node; exported from
 * `tfjs-restoration/pipeline/node`): what `tfjs-restoration train` and `examples/train-competition.ts` do.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Compose } from '../data/augment/compose.js';
import { horizontalFlip } from '../data/augment/geometric.js';
import type { Sample } from '../image/types.js';
import type { DatasetRecord } from '../data/layout.js';
import { groupKFold, kFold, splitTrainVal } from '../data/split.js';
import { competitionMask } from '../metrics/competition.js';
import { validateDataset } from '../node/dataset.js';
import { readPng, readTextNamed, writeFileAtomic } from '../node/files.js';
import { readPlaceLabels } from '../node/places.js';
import { directoryCheckpointer, readCheckpointState } from './checkpoint.js';
import type { PipelineConfig, PipelinePreset } from './recipe.js';
import { RestorationPipeline } from './restore.js';
import { photoSource } from './samples.js';
import {
  trainPipeline,
  type Checkpointer,
  type EpochLog,
  type LossWeights,
  type PlateauOptions,
  type StepLog,
  type TrainResult,
} from './train.js';

/** What a run is: options that must stay the same when it is resumed (see {@link trainOnDataset}). */
export interface TrainRecipe {
  /** Named pipeline configuration; default `RestorationPipeline.create`'s. */
  preset?: PipelinePreset;
  /** Fields that override the preset's. */
  config?: Partial<PipelineConfig>;
  /** Encoder of both U-Nets; default `resnet34`. */
  encoder?: string;
  /** Encoder stem width (small models); default the encoder's. */
  encoderWidth?: number;
  /** Decoder widths; default smp's. */
  decoderChannels?: number[];
  /** Side of the full-resolution training window when the configuration has no `workSize`; default 256. */
  size?: number;
  /** Default 4. */
  batchSize?: number;
  /** Default 3e-4 (in bench:quality's short runs 1e-3 over-saturated the colorizer). */
  learningRate?: number;
  /** Linear warm-up steps (see `TrainOptions.warmupSteps`); default 10. */
  warmupSteps?: number;
  /**
   * Stages left untrained (see `TrainOptions.freeze`); default none. `['inpaint']` keeps the `global` preset's
   * stage 1 the classical fill and spends the budget on the colors (what `npm run demo` does).
   */
  freeze?: ('inpaint' | 'colorize')[];
  /** Validate and keep a moving average of the weights with this decay (see `TrainOptions.ema`); default 0 (off). */
  ema?: number;
  /** Default 1e-2. */
  weightDecay?: number;
  /** Default `'cosine'`. */
  schedule?: 'constant' | 'cosine' | 'plateau';
  plateau?: PlateauOptions;
  loss?: LossWeights;
  /** Seed of the weights, the split, the order and the damage; default 0. */
  seed?: number;
  /** K-fold: the number of folds (validation is fold `fold`); default none (a `valFraction` split). */
  folds?: number;
  /** The validating fold with `folds`, from 0; default 0. */
  fold?: number;
  /**
   * A `train_preproc.csv` (`image,label`, −1 = noise, image = the row's id) for group K-fold with `folds`: places
   * stay on one side, validation takes one image per place, noise is left out (as the reference recipe).
   */
  groups?: string;
  /** Without `folds`: the fraction of rows (whole bursts of 10 from 100 rows on) that validate; default 0.1. */
  valFraction?: number;
  /** Validation images scored per epoch (the first ones); default 64. */
  valLimit?: number;
  /** Use only the first this many rows of `train.csv`; default all. */
  limit?: number;
}

/** Options of {@link trainOnDataset}. */
export interface TrainRunOptions extends TrainRecipe {
  /** Data set root holding `train.csv` (the competition layout). */
  data: string;
  /** Run directory: checkpoints `last/` and `best/`, `run.json`, `log.jsonl`, `history.json`. */
  out: string;
  /** Most epochs; default 30. */
  epochs?: number;
  /** Epochs without a validation improvement before stopping; default 5. */
  patience?: number;
  /** Training-time budget in seconds, over resumes; default none. */
  maxSeconds?: number;
  /** Continue the run in `out` (the same recipe); default false. */
  resume?: boolean;
  /** Replace a run already in `out`; default false (refused). */
  force?: boolean;
  /** Called once the data are checked and split, before the first step. */
  onStart?: (info: TrainRunStart) => void;
  onStep?: (log: StepLog) => void;
  onEpoch?: (log: EpochLog) => void;
}

/** Given to {@link TrainRunOptions.onStart}. */
export interface TrainRunStart {
  /** Training and validation images (validation: those scored). */
  train: number;
  val: number;
  stepsPerEpoch: number;
  epochs: number;
  /** Epochs already done (a resumed run). */
  done: number;
}

/** What {@link trainOnDataset} returns. */
export interface TrainRunResult {
  /** The best pipeline's directory (`out/best`): `loadPipeline` and `tfjs-restoration predict --model` read it. */
  model: string;
  bestScore: number;
  bestEpoch: number;
  /** Epochs done, over resumes. */
  epochs: number;
  stopReason: TrainResult['stopReason'];
  history: EpochLog[];
}

const RUN_FILE = 'run.json';
/** What a run directory holds: removed by `force`. */
const RUN_ENTRIES = [RUN_FILE, 'last', 'best', 'log.jsonl', 'history.json'];

function recipeOf(o: TrainRecipe) {
  return {
    preset: o.preset,
    config: o.config,
    encoder: o.encoder ?? 'resnet34',
    encoderWidth: o.encoderWidth,
    decoderChannels: o.decoderChannels,
    size: o.size ?? 256,
    batchSize: o.batchSize ?? 4,
    learningRate: o.learningRate ?? 3e-4,
    warmupSteps: o.warmupSteps ?? 10,
    freeze: o.freeze,
    ema: o.ema ?? 0,
    weightDecay: o.weightDecay ?? 1e-2,
    schedule: o.schedule ?? 'cosine',
    plateau: o.plateau,
    loss: o.loss,
    seed: o.seed ?? 0,
    folds: o.folds,
    fold: o.fold ?? 0,
    groups: o.groups === undefined ? undefined : path.resolve(o.groups),
    valFraction: o.valFraction ?? 0.1,
    valLimit: o.valLimit ?? 64,
    limit: o.limit,
  };
}

/** JSON of a value with object keys sorted and `undefined` dropped, for comparing recipes. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** Prepares `out`: refuses another run unless `force` (then removes it), checks a resume's recipe. */
async function prepareRunDir(
  out: string,
  recipe: TrainRecipe,
  resume: boolean,
  force: boolean,
): Promise<void> {
  const runFile = path.join(out, RUN_FILE);
  const entries = (await fs.readdir(out).catch(() => [] as string[])).filter((n) =>
    RUN_ENTRIES.some((e) => n === e || n.startsWith(`${e}.`)),
  );
  if (resume) {
    if (!(await exists(runFile)))
      throw new Error(`out ${out}: no ${RUN_FILE}, nothing to resume (start a run without resume)`);
    const saved = JSON.parse(await fs.readFile(runFile, 'utf8')) as { recipe: TrainRecipe };
    const a = saved.recipe as Record<string, unknown>;
    const b = recipe as Record<string, unknown>;
    const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
      (k) => canonical(a[k]) !== canonical(b[k]),
    );
    if (differ.length > 0)
      throw new Error(
        `out ${out}: the run was started with other options (${differ
          .map((k) => `${k}: ${canonical(a[k])} then, ${canonical(b[k])} now`)
          .join('; ')}); resume with the same ones, or start over (force)`,
      );
    return;
  }
  if (entries.length > 0) {
    if (!force)
      throw new Error(
        `out ${out}: holds another run (${entries.sort().join(', ')}): resume it (--resume), or replace it ` +
          `(--force)`,
      );
    for (const e of entries) await fs.rm(path.join(out, e), { recursive: true, force: true });
  }
  await writeFileAtomic(
    runFile,
    JSON.stringify({ format: 'tfjs-restoration-run', version: 1, recipe }, null, 2) + '\n',
  );
}

/** The rows that train and those that validate, by the recipe's split. */
async function split(
  records: DatasetRecord[],
  r: ReturnType<typeof recipeOf>,
): Promise<{ train: DatasetRecord[]; val: DatasetRecord[] }> {
  if (r.folds === undefined) {
    if (r.groups !== undefined) throw new RangeError('trainOnDataset: groups needs folds (group K-fold)');
    return splitTrainVal(records, {
      valFraction: r.valFraction,
      seed: r.seed,
      groupSize: records.length >= 100 ? 10 : 1,
    });
  }
  let indices: { train: number[]; val: number[] };
  if (r.groups !== undefined) {
    const { images, labels } = await readPlaceLabels(r.groups);
    const labelOf = new Map(images.map((im, i) => [im.replace(/\.png$/i, ''), labels[i]]));
    const missing = records.filter((rec) => !labelOf.has(rec.id)).map((rec) => rec.id);
    if (missing.length > 0)
      throw new Error(
        `${r.groups}: no label for ${missing.length} training row(s): ${missing.slice(0, 5).join(', ')}` +
          (missing.length > 5 ? ', ...' : ''),
      );
    indices = groupKFold(
      records.map((rec) => labelOf.get(rec.id)!),
      r.folds,
      r.fold,
      { seed: r.seed },
    );
  } else indices = kFold(records.length, r.folds, r.fold, { seed: r.seed });
  return { train: indices.train.map((i) => records[i]), val: indices.val.map((i) => records[i]) };
}

/**
 * Trains a pipeline on a data set in the competition layout, in a run directory that a kill never breaks and a
 * resume continues exactly. The rows are checked first ({@link validateDataset}); then split (a validation
 * fraction, K-fold, or group K-fold over a `train_preproc.csv`). Training samples are the training rows' gt photos
 * through `photoSource` (a fresh lost region at every read, at the configuration's resolution) with a random
 * flip; validation scores the real damaged inputs at full size (the competition's mask). Every epoch saves
 * `out/last` and, when it is the best, `out/best` (see `directoryCheckpointer`), appends steps and epochs to
 * `out/log.jsonl` and rewrites `out/history.json`. An `out` holding another run is refused unless `resume` (the
 * same recipe, see {@link TrainRecipe}) or `force`.
 *
 * ```ts
 * await useFirstBackend(['native', 'wasm']);
 * const { model, bestScore } = await trainOnDataset({ data: 'data', out: 'runs/fold0', folds: 5, fold: 0 });
 * const pipeline = await loadPipeline(model);
 * ```
 */
export async function trainOnDataset(options: TrainRunOptions): Promise<TrainRunResult> {
  const { out, epochs = 30, patience = 5, maxSeconds, resume = false, force = false } = options;
  const r = recipeOf(options);
  if (!(Number.isInteger(r.valLimit) && r.valLimit > 0))
    throw new RangeError(`trainOnDataset: valLimit must be a positive integer, got ${r.valLimit}`);
  const all = await validateDataset(options.data, 'train');
  const records = r.limit === undefined ? all : all.slice(0, r.limit);
  const sides = await split(records, r);
  await fs.mkdir(out, { recursive: true });
  await prepareRunDir(out, r, resume, force);

  const val: Sample[] = [];
  for (const rec of sides.val.slice(0, r.valLimit)) {
    const input = await readPng(rec.input, { channels: 1 });
    const gt = await readPng(rec.gt as string, { channels: 3 });
    val.push({ input, gt, mask: competitionMask(input, gt) });
  }
  const pipeline = RestorationPipeline.create({
    preset: r.preset,
    config: r.config,
    encoder: r.encoder,
    encoderWidth: r.encoderWidth,
    decoderChannels: r.decoderChannels,
    seed: r.seed,
  });
  try {
    const train = photoSource(
      sides.train.length,
      (i) => readPng(sides.train[i].gt as string, { channels: 3 }),
      pipeline.config,
      { size: r.size, seed: r.seed },
    );
    const logFile = path.join(out, 'log.jsonl');
    const log = (line: object) => fs.appendFile(logFile, JSON.stringify(line) + '\n');
    const disk = directoryCheckpointer(out);
    // history.json follows each checkpoint (one source of truth for both).
    const checkpointer: Checkpointer = {
      load: () => disk.load(),
      async save(c) {
        await disk.save(c);
        await writeFileAtomic(
          path.join(out, 'history.json'),
          JSON.stringify(c.state.history, null, 1) + '\n',
        );
      },
    };
    const done = (await readCheckpointState(out))?.epoch ?? 0;
    const stepsPerEpoch = Math.ceil(sides.train.length / r.batchSize);
    options.onStart?.({ train: sides.train.length, val: val.length, stepsPerEpoch, epochs, done });
    if (resume) {
      // Steps of an epoch that the kill cut short are done again: drop their lines, keep the finished epochs'.
      const lines = (await fs.readFile(logFile, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
      let end = lines.length - 1;
      for (; end >= 0; end--) {
        const e = JSON.parse(lines[end]) as { type: string; epoch: number };
        if (e.type === 'epoch' && e.epoch === done - 1) break;
      }
      await writeFileAtomic(
        logFile,
        lines
          .slice(0, end + 1)
          .map((l) => l + '\n')
          .join(''),
      );
      await log({ type: 'resume', epoch: done });
    }
    let pending = Promise.resolve();
    const result = await trainPipeline(pipeline, {
      train,
      val,
      epochs,
      batchSize: r.batchSize,
      learningRate: r.learningRate,
      warmupSteps: r.warmupSteps,
      freeze: r.freeze,
      ema: r.ema,
      weightDecay: r.weightDecay,
      patience,
      seed: r.seed,
      maxSeconds,
      loss: r.loss,
      schedule: r.schedule,
      plateau: r.plateau,
      augment: new Compose([horizontalFlip()]),
      checkpointer,
      resume,
      onStep: (s) => {
        pending = pending.then(() => log({ type: 'step', ...s }));
        options.onStep?.(s);
      },
      onEpoch: async (e) => {
        await pending;
        await log({ type: 'epoch', ...e });
        options.onEpoch?.(e);
      },
    });
    await pending;
    return {
      model: path.join(out, 'best'),
      bestScore: result.bestScore,
      bestEpoch: result.bestEpoch,
      epochs: result.history.length,
      stopReason: result.stopReason,
      history: result.history,
    };
  } finally {
    pipeline.dispose();
  }
}

/** What {@link readTrainLog} returns: the logged steps and epochs, in order. */
export interface TrainLog {
  steps: StepLog[];
  epochs: EpochLog[];
}

/**
 * Reads the steps and epochs that {@link trainOnDataset} logged in a run directory's `log.jsonl`: every step since
 * the run began, resumes included (the steps of an epoch cut short by a kill are there once, as trained again).
 *
 * ```ts
 * const { steps, epochs } = await readTrainLog('runs/fold0');
 * await writePng('runs/fold0/loss.png', trainingLossChart(steps, epochs));
 * ```
 * @throws Error naming the file (and the line, for one that is not JSON).
 */
export async function readTrainLog(out: string): Promise<TrainLog> {
  const file = path.join(out, 'log.jsonl');
  const log: TrainLog = { steps: [], epochs: [] };
  (await readTextNamed(file)).split('\n').forEach((line, i) => {
    if (line === '') return;
    let entry: { type?: string };
    try {
      entry = JSON.parse(line) as { type?: string };
    } catch (err) {
      throw new Error(`${file}: line ${i + 1}: ${(err as Error).message}`);
    }
    const { type, ...fields } = entry;
    if (type === 'step') log.steps.push(fields as StepLog);
    else if (type === 'epoch') log.epochs.push(fields as EpochLog);
  });
  return log;
}
