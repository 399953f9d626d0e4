/**
 * Metrics: the competition score (S, M, C) and the standard forms it is built from, on plain images
 * (no tfjs). Tensor forms for training live in `./tensor` and are exported here with a `Tensor` suffix.
 * @module metrics
 */
export { competitionMask, scoreImage, summarizeScores } from './competition.js';
export type { ImageScores, ScoreSummary } from './competition.js';
export { ssim, ssim1d, maskedSsim, regionSsim } from './ssim.js';
export type { SsimOptions } from './ssim.js';
export { histogram, normalizeHistogram, compareHistograms, hueHistogramSimilarity } from './histogram.js';
export type { HistogramChannel, HistogramOptions, HistogramComparison } from './histogram.js';
export { ssimTensor, maskedSsimTensor } from './tensor/ssim.js';
export type { SsimTensorOptions, TensorMasks } from './tensor/ssim.js';
export {
  hueOpenCvTensor,
  hueTensor,
  hueHistogramTensor,
  histogramCorrelationTensor,
  hueHistogramSimilarityTensor,
} from './tensor/histogram.js';
export type { HueHistogramTensorOptions } from './tensor/histogram.js';
export { competitionScoreTensor } from './tensor/competition.js';
export type { CompetitionScoreTensors } from './tensor/competition.js';
