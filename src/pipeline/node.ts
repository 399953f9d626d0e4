/**
 * Saving and loading a {@link RestorationPipeline} to a directory in Node (`tfjs-restoration/pipeline/node`), restoring
 * folders of PNGs, checking and zipping a submission: a subpath of its own so that `tfjs-restoration/pipeline` stays
 * browser-safe.
 * @module pipeline/node
 */
import * as path from 'node:path';
import { loadModel, saveModel } from '../models/node.js';
import { readJsonNamed, writeFileAtomic } from '../node/files.js';
import { checkPipelineConfig, PIPELINE_PRESETS, type PipelineConfig } from './recipe.js';
import { checkChromaOffset, RestorationPipeline } from './restore.js';

/** `pipeline.json` written next to the two model directories. */
interface PipelineManifest {
  format: 'tfjs-restoration-pipeline';
  /** 1: no `config` (the `legacy` preset); 2: with `config`. */
  version: 1 | 2;
  inpaint: string;
  colorize: string;
  preserveLuminance: boolean;
  /** Absent in pipelines saved before it existed (gain 1). */
  chromaGain?: number;
  lostChromaGain?: number | null;
  /** Absent in pipelines saved before it existed (none). */
  chromaOffset?: [number, number, number] | null;
  config?: PipelineConfig;
}

/**
 * Saves both stages to `dir`: `inpaint/` and `colorize/` (model.json + weights.bin each, see `saveModel` of
 * `tfjs-restoration/models/node`) and `pipeline.json`, written last.
 *
 * ```ts
 * await savePipeline(pipeline, 'runs/restore');
 * const again = await loadPipeline('runs/restore');
 * ```
 */
export async function savePipeline(pipeline: RestorationPipeline, dir: string): Promise<void> {
  await saveModel(pipeline.inpaint, path.join(dir, 'inpaint'));
  await saveModel(pipeline.colorize, path.join(dir, 'colorize'));
  const manifest: PipelineManifest = {
    format: 'tfjs-restoration-pipeline',
    version: 2,
    inpaint: 'inpaint',
    colorize: 'colorize',
    preserveLuminance: pipeline.preserveLuminance,
    chromaGain: pipeline.chromaGain,
    lostChromaGain: pipeline.lostChromaGain,
    chromaOffset: pipeline.chromaOffset ? [...pipeline.chromaOffset] : null,
    config: pipeline.config,
  };
  await writeFileAtomic(path.join(dir, 'pipeline.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/** Loads a pipeline saved by {@link savePipeline}. */
export async function loadPipeline(dir: string): Promise<RestorationPipeline> {
  const file = path.join(dir, 'pipeline.json');
  const manifest = (await readJsonNamed(file, 'no such file (not a saved pipeline)')) as PipelineManifest;
  if (manifest.format !== 'tfjs-restoration-pipeline')
    throw new Error(`${file}: expected format 'tfjs-restoration-pipeline', got '${String(manifest.format)}'`);
  const inpaint = await loadModel(path.join(dir, manifest.inpaint));
  const colorize = await loadModel(path.join(dir, manifest.colorize));
  return new RestorationPipeline(inpaint, colorize, {
    preserveLuminance: manifest.preserveLuminance ?? true,
    chromaGain: manifest.chromaGain ?? 1,
    lostChromaGain: manifest.lostChromaGain ?? null,
    chromaOffset: checkChromaOffset(manifest.chromaOffset ?? null, `${file}: chromaOffset`),
    config: checkPipelineConfig(manifest.config ?? PIPELINE_PRESETS.legacy, `${file}: config`),
  });
}

export { restoreFiles, checkSubmission, writeSubmissionZip } from './files.js';
export { directoryCheckpointer, readCheckpointState } from './checkpoint.js';
export { readTrainLog, trainOnDataset } from './run.js';
export type { TrainLog, TrainRecipe, TrainRunOptions, TrainRunResult, TrainRunStart } from './run.js';
export { TRAIN_OPTIONS, parseTrainOptions } from './run-options.js';
export type { ParsedTrainOptions } from './run-options.js';
export type { RestoreFilesOptions, RestoreFilesResult, SubmissionFile } from './files.js';
export { clusterDatasetPlaces } from './places.js';
export type { ClusterDatasetOptions, DatasetPlaces } from './places.js';
export { inspectDataset } from './inspect-node.js';
export type { InspectOptions } from './inspect-node.js';
