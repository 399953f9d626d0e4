/**
 * The tensor forms of the metrics (tfjs-core only): batched NHWC float32 in [0, 1], differentiable where it means
 * something. The `tfjs-restoration/metrics/tensor` subpath; the plain forms in `tfjs-restoration/metrics` need no tfjs.
 * @module metrics/tensor
 */
export { ssimTensor, maskedSsimTensor } from './ssim.js';
export type { SsimTensorOptions, MaskedSsimTensorOptions, TensorMasks } from './ssim.js';
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
