/**
 * The tensor forms of the metrics alone (tfjs-core), for a future `tfjs-restoration/metrics/tensor` subpath.
 * They are also re-exported from the metrics index.
 * @module metrics/tensor
 */
export { ssimTensor, maskedSsimTensor } from './ssim.js';
export type { SsimTensorOptions, TensorMasks } from './ssim.js';
export {
  hueOpenCvTensor,
  hueTensor,
  hueHistogramTensor,
  histogramCorrelationTensor,
  hueHistogramSimilarityTensor,
} from './histogram.js';
export type { HueHistogramTensorOptions } from './histogram.js';
export { competitionScoreTensor } from './competition.js';
export type { CompetitionScoreTensors } from './competition.js';
