/**
 * Metrics: the competition score (S, M, C) and the standard forms it is built from, on plain images
 * (no tfjs). The tensor forms for training (tfjs-core) are the `tfjs-restoration/metrics/tensor` subpath.
 * @module metrics
 */
export { competitionMask, scoreImage, summarizeScores } from './competition.js';
export type { ImageScores, ScoreSummary } from './competition.js';
export { ssim, ssim1d, maskedSsim, regionSsim } from './ssim.js';
export type { SsimOptions, MaskedSsimOptions } from './ssim.js';
export { histogram, normalizeHistogram, compareHistograms, hueHistogramSimilarity } from './histogram.js';
export type { HistogramChannel, HistogramOptions, HistogramComparison } from './histogram.js';
