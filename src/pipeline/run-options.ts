/**
 * The command-line options of a training run (`tfjs-restoration train` and examples/train-competition.ts): one spec
 * and one parser, giving `trainOnDataset`'s options. No tfjs: the CLI loads it before tfjs.
 */
import { parseOptions, UsageError } from '../node/args.js';
import type { TrainRunOptions } from './run.js';

/** The options of `tfjs-restoration train` (see its `--help`), as a {@link parseOptions} spec. */
export const TRAIN_OPTIONS = {
  data: { type: 'string', required: true, value: 'DIR' },
  out: { type: 'string', required: true, value: 'DIR' },
  resume: { type: 'flag' },
  force: { type: 'flag' },
  preset: { type: 'string', choices: ['global', 'reference', 'legacy'] },
  encoder: { type: 'string', default: 'resnet34' },
  'encoder-width': { type: 'int', min: 1 },
  'decoder-channels': { type: 'int-list', min: 1 },
  size: { type: 'int', default: 256, min: 32 },
  batch: { type: 'int', default: 4, min: 1 },
  lr: { type: 'number', default: 3e-4, min: 0 },
  warmup: { type: 'int', default: 10, min: 0 },
  freeze: { type: 'string', choices: ['inpaint', 'colorize'] },
  ema: { type: 'number', default: 0, min: 0, max: 0.9999 },
  'weight-decay': { type: 'number', default: 1e-2, min: 0 },
  schedule: { type: 'string', default: 'cosine', choices: ['cosine', 'plateau', 'constant'] },
  'plateau-factor': { type: 'number', min: 0, max: 1 },
  'plateau-patience': { type: 'int', min: 1 },
  epochs: { type: 'int', default: 30, min: 1 },
  patience: { type: 'int', default: 5, min: 1 },
  folds: { type: 'int', min: 2 },
  fold: { type: 'int', min: 0 },
  groups: { type: 'string', value: 'FILE' },
  'val-fraction': { type: 'number', default: 0.1, min: 0, max: 1 },
  'val-limit': { type: 'int', default: 64, min: 1 },
  limit: { type: 'int', min: 1 },
  'max-seconds': { type: 'number', min: 0 },
  seed: { type: 'int', default: 0 },
  backend: { type: 'list', default: ['native', 'wasm'] },
} as const;

/** What {@link parseTrainOptions} returns. */
export interface ParsedTrainOptions {
  /** `trainOnDataset`'s options (add the callbacks). */
  options: TrainRunOptions;
  /** `--backend`: the backends to try, in order (for `useFirstBackend`). */
  backend: string[];
}

/**
 * Parses a training run's command-line options ({@link TRAIN_OPTIONS}) into `trainOnDataset`'s options, with
 * the checks between options (`--size` a multiple of 32, `--fold` below `--folds`, five `--decoder-channels` ...).
 *
 * ```ts
 * const { options, backend } = parseTrainOptions(process.argv.slice(2)); // --data data --out runs/a --epochs 5
 * await useFirstBackend(backend as BackendName[]);
 * const result = await trainOnDataset({ ...options, onEpoch: (e) => console.log(e.valScore) });
 * ```
 * @throws UsageError naming the option that is unknown, missing or wrong.
 */
export function parseTrainOptions(args: readonly string[]): ParsedTrainOptions {
  const a = parseOptions(args, TRAIN_OPTIONS);
  if (a.size % 32 !== 0) throw new UsageError(`option '--size' expects a multiple of 32, got ${a.size}`);
  if (a.lr <= 0) throw new UsageError(`option '--lr' expects a positive number, got ${a.lr}`);
  if (a.folds === undefined && (a.fold !== undefined || a.groups !== undefined))
    throw new UsageError(`option '--${a.fold !== undefined ? 'fold' : 'groups'}' needs --folds N`);
  if (a.folds !== undefined && a.fold !== undefined && a.fold >= a.folds)
    throw new UsageError(`option '--fold' expects a fold in 0..${a.folds - 1}, got ${a.fold}`);
  if (a['decoder-channels'] !== undefined && a['decoder-channels'].length !== 5)
    throw new UsageError(`option '--decoder-channels' expects 5 widths, got ${a['decoder-channels'].length}`);
  const plateau =
    a['plateau-factor'] === undefined && a['plateau-patience'] === undefined
      ? undefined
      : { factor: a['plateau-factor'], patience: a['plateau-patience'] };
  return {
    options: {
      data: a.data,
      out: a.out,
      resume: a.resume,
      force: a.force,
      preset: a.preset as TrainRunOptions['preset'],
      encoder: a.encoder,
      encoderWidth: a['encoder-width'],
      decoderChannels: a['decoder-channels'],
      size: a.size,
      batchSize: a.batch,
      learningRate: a.lr,
      warmupSteps: a.warmup,
      freeze: a.freeze === undefined ? undefined : [a.freeze as 'inpaint' | 'colorize'],
      ema: a.ema,
      weightDecay: a['weight-decay'],
      schedule: a.schedule as TrainRunOptions['schedule'],
      plateau,
      epochs: a.epochs,
      patience: a.patience,
      folds: a.folds,
      fold: a.folds === undefined ? undefined : (a.fold ?? 0),
      groups: a.groups,
      valFraction: a['val-fraction'],
      valLimit: a['val-limit'],
      limit: a.limit,
      maxSeconds: a['max-seconds'],
      seed: a.seed,
    },
    backend: a.backend,
  };
}
