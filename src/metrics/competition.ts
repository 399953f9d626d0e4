/**
 * The DACON 2024 image-restoration competition score on plain images:
 * `score = 0.2 * S + 0.4 * M + 0.4 * C` with S the SSIM of the whole image, M the SSIM of the lost-region
 * pixels and C the hue-histogram correlation, each matching the participants' Python scoring code
 * (scikit-image 0.19.3, OpenCV 4.6) to the last bit on the golden fixtures. No tfjs.
 * @module
 */
import { grayToRgb, toGray } from '../image/color.js';
import { createImage, type Image, type Mask } from '../image/types.js';
import { numpySum } from './filters.js';
import { hueHistogramSimilarity } from './histogram.js';
import { maskedSsim, ssim } from './ssim.js';

/** The three terms of one image and its score. */
export interface ImageScores {
  /** `0.2 * ssim + 0.4 * maskedSsim + 0.4 * histogram`. */
  score: number;
  /** S: SSIM of the whole image (7x7 window, data range from the prediction). */
  ssim: number;
  /** M: 1-D SSIM of the lost-region pixels in row-major order (data range from the whole prediction). */
  maskedSsim: number;
  /** C: correlation of the L2-normalized 180-bin hue histograms. */
  histogram: number;
}

/** Means over images of each term, and the score of those means; `n` images. */
export interface ScoreSummary extends ImageScores {
  n: number;
}

/**
 * The competition's lost-region mask: 1 where the damaged input's gray value differs from the gray value
 * (Pillow `convert('L')`) of the ground truth, else 0. `input` may be gray or RGB (an RGB gray photo
 * converts to itself). Pixels of the lost region whose fill value happens to equal the true gray value are
 * not in the mask, as in the reference.
 *
 * ```ts
 * const mask = competitionMask(input, gt);
 * ```
 * @throws RangeError when the sizes differ.
 */
export function competitionMask(input: Image, gt: Image): Mask {
  if (input.width !== gt.width || input.height !== gt.height)
    throw new RangeError(
      `competitionMask: input is ${input.width}x${input.height} but gt is ${gt.width}x${gt.height}`,
    );
  const a = toGray(input).data;
  const b = toGray(gt).data;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] !== b[i] ? 1 : 0;
  return createImage(input.width, input.height, 1, out) as Mask;
}

/**
 * Scores one prediction like the competition: S, M and C (see {@link ImageScores}) and
 * `score = 0.2 S + 0.4 M + 0.4 C`. 1-channel images count as gray replicated to RGB.
 *
 * S and M both take their data range from the whole prediction (`pred.max() - pred.min()` in the
 * reference), so a prediction flat over the lost region only (the gray input itself, say) gets a finite M.
 * Edge case, as the reference: a prediction constant over the whole image has data range 0, so S and M
 * divide 0/0 wherever the ground truth is flat too, and are `NaN` then (the score with them), else 0.
 *
 * ```ts
 * const { score, ssim, maskedSsim, histogram } = scoreImage(gt, pred, competitionMask(input, gt));
 * ```
 * @throws RangeError naming the argument when sizes differ, or when the mask has fewer than 7 pixels
 * (the reference raises then too).
 */
export function scoreImage(gt: Image, pred: Image, mask: Mask): ImageScores {
  if (pred.width !== gt.width || pred.height !== gt.height)
    throw new RangeError(
      `scoreImage: pred is ${pred.width}x${pred.height} but gt is ${gt.width}x${gt.height}`,
    );
  if (mask.width !== gt.width || mask.height !== gt.height)
    throw new RangeError(
      `scoreImage: mask is ${mask.width}x${mask.height} but gt is ${gt.width}x${gt.height}`,
    );
  if (mask.channels !== 1) throw new RangeError(`scoreImage: mask must have 1 channel, got ${mask.channels}`);
  // Gray counts as gray repeated into RGB (like `cv2.imread`); RGB is used as is, without a copy.
  const g = gt.channels === 3 ? gt : grayToRgb(gt);
  const p = pred.channels === 3 ? pred : grayToRgb(pred);
  const s = ssim(g, p, { dataRange: 'prediction' });
  const m = maskedSsim(g, p, mask);
  const c = hueHistogramSimilarity(g, p);
  return { score: 0.2 * s + 0.4 * m + 0.4 * c, ssim: s, maskedSsim: m, histogram: c };
}

/**
 * Averages per-image scores like the competition: the mean of each term (summed in `numpy.mean`'s pairwise
 * order), and `score = 0.2 mean(S) + 0.4 mean(M) + 0.4 mean(C)`. `NaN` terms propagate, like `numpy.mean`.
 *
 * ```ts
 * const summary = summarizeScores(images.map((x) => scoreImage(x.gt, x.pred, x.mask)));
 * ```
 * @throws RangeError on an empty list.
 */
export function summarizeScores(scores: readonly ImageScores[]): ScoreSummary {
  const n = scores.length;
  if (n === 0) throw new RangeError('summarizeScores: no scores to summarize (empty list)');
  const s = numpySum(scores.map((x) => x.ssim)) / n;
  const m = numpySum(scores.map((x) => x.maskedSsim)) / n;
  const c = numpySum(scores.map((x) => x.histogram)) / n;
  return { n, score: 0.2 * s + 0.4 * m + 0.4 * c, ssim: s, maskedSsim: m, histogram: c };
}
