/**
 * The two-stage restoration pipeline (inpaint the gray image, then colorize it) and its trainer. Browser-safe;
 * saving and loading in Node: `tfjs-restoration/pipeline/node`.
 * @module pipeline
 */
export { RestorationPipeline, PAD_MULTIPLE, DEFAULT_PRESET } from './restore.js';
/** Plain-image operations the pipeline uses; also exported from `tfjs-restoration/image`, their home. */
export { padEdge } from '../image/resize.js';
export { matchLuminance } from '../image/color.js';
export type { MatchLuminanceOptions } from '../image/color.js';
export { PIPELINE_PRESETS, checkPipelineConfig, forwardStages, stageOneStart, ycbcrToRgb } from './recipe.js';
export type { PipelineConfig, PipelinePreset, StageOutputs } from './recipe.js';
export type { PipelineOptions, PipelinePrediction, RestorationOptions } from './restore.js';
export {
  trainPipeline,
  validationScore,
  fitChromaGain,
  pipelineLoss,
  DEFAULT_CHROMA_GAINS,
  DEFAULT_LOST_FACTORS,
} from './train.js';
export { trainingSample, photoSource } from './samples.js';
export type { TrainingSampleOptions } from './samples.js';
export type {
  TrainOptions,
  TrainResult,
  StepLog,
  EpochLog,
  SampleSource,
  LossWeights,
  PlateauOptions,
  TrainState,
  TrainCheckpoint,
  LoadedCheckpoint,
  Checkpointer,
  ChromaGainFit,
  ChromaGains,
  ChromaFitOptions,
} from './train.js';
export { lossChart, contactSheet, trainingLossChart } from './chart.js';
export type { LossSeries, LossChartOptions } from './chart.js';
export { asRestorer, ensembleRestorer, flipTta, tiledRestorer } from './restorers.js';
export type { Restorer, TileOptions } from './restorers.js';
export { DatasetReportBuilder, datasetReportHtml } from './inspect.js';
export type { DatasetReport, LostRegionStats } from './inspect.js';
export { restorationReportHtml } from './report.js';
export type { RestorationReport, RestorationReportPhoto } from './report.js';
export { submissionZip } from './submission.js';
export type { SubmissionEntry } from './submission.js';
