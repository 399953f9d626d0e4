/**
 * A restoration run as one self-contained HTML page: the score table of every method on held-out photos, the
 * pictures side by side, and the training curves. Plain images and strings only: no tfjs, no Node module.
 */
import { shrinkToFit } from '../image/resize.js';
import type { Image } from '../image/types.js';
import type { ImageScores } from '../metrics/competition.js';
import { contactSheet } from './chart.js';
import { escapeHtml, htmlPage, htmlTable, pngDataUri, svgLines } from './html.js';
import type { EpochLog, StepLog } from './train.js';

/** One held-out photo of a {@link RestorationReport}. */
export interface RestorationReportPhoto {
  /** A name shown under its pictures (e.g. the file's). */
  name: string;
  /** The damaged input (gray). */
  input: Image;
  /** The original. */
  gt: Image;
  /** Each method's prediction, in {@link RestorationReport.methods} order. */
  predictions: readonly Image[];
  /** Each method's scores on this photo, in {@link RestorationReport.methods} order. */
  scores: readonly ImageScores[];
}

/** What {@link restorationReportHtml} renders. */
export interface RestorationReport {
  /** The page's title. */
  title: string;
  /** Paragraphs of plain text under the title (what was trained, on what, how long). */
  notes?: readonly string[];
  /** Names of the methods compared (baselines and the model). */
  methods: readonly string[];
  /** Indices of the methods whose predictions are pictured, between the input and the original; default all. */
  pictured?: readonly number[];
  /** The held-out photos. */
  photos: readonly RestorationReportPhoto[];
  /** Training curves: the per-step log (`trainPipeline`'s `onStep`). */
  steps?: readonly StepLog[];
  /** Training curves: the per-epoch log (`trainPipeline`'s `onEpoch`), with the validation score. */
  epochs?: readonly EpochLog[];
  /** Longest side of each picture in pixels; default 192. */
  thumbnail?: number;
}

/** Mean scores of one method; a `NaN` score (a flat prediction, see `validationScore`) counts as 0. */
function meanScores(scores: readonly ImageScores[]): ImageScores & { nan: number } {
  const n = Math.max(1, scores.length);
  const nan = scores.filter((s) => Number.isNaN(s.score)).length;
  const m = (f: (s: ImageScores) => number) =>
    scores.reduce((a, s) => a + (Number.isNaN(f(s)) ? 0 : f(s)), 0) / n;
  return {
    score: m((s) => s.score),
    ssim: m((s) => s.ssim),
    maskedSsim: m((s) => s.maskedSsim),
    histogram: m((s) => s.histogram),
    nan,
  };
}

/**
 * Renders a {@link RestorationReport} as one self-contained HTML page (pictures are PNG data URIs, charts inline
 * SVG, nothing external): the mean competition score of each method with its three terms (S = SSIM, M = SSIM of
 * the lost region, C = hue-histogram correlation), the training loss per step and the validation score per epoch,
 * and per photo its pictures (damaged input | pictured predictions | original) with each method's score.
 *
 * ```ts
 * const html = restorationReportHtml({
 *   title: 'Restoration report',
 *   methods: ['gray input as RGB', 'restored'],
 *   photos: [{ name: 'a.jpg', input, gt, predictions: [grayToRgb(input), restored], scores: [s0, s1] }],
 *   steps,
 *   epochs,
 * });
 * await writeFileAtomic('out/report.html', html);
 * ```
 * @throws RangeError when a photo's predictions or scores do not match the methods.
 */
export function restorationReportHtml(report: RestorationReport): string {
  const { methods, photos, steps = [], epochs = [] } = report;
  const pictured = report.pictured ?? methods.map((_, i) => i);
  for (const p of photos)
    if (p.predictions.length !== methods.length || p.scores.length !== methods.length)
      throw new RangeError(
        `restorationReportHtml: photo '${p.name}' has ${p.predictions.length} predictions and ` +
          `${p.scores.length} scores for ${methods.length} methods`,
      );
  for (const i of pictured)
    if (!(Number.isInteger(i) && i >= 0 && i < methods.length))
      throw new RangeError(
        `restorationReportHtml: pictured index ${i} is not a method (0..${methods.length - 1})`,
      );
  const parts: string[] = [];
  for (const note of report.notes ?? []) parts.push(`<p>${escapeHtml(note)}</p>`);

  const means = methods.map((_, k) => meanScores(photos.map((p) => p.scores[k])));
  const f = (v: number) => v.toFixed(4);
  parts.push(
    `<h2>Scores on ${photos.length} held-out photos</h2>` +
      htmlTable(
        ['method', 'score', 'S (SSIM)', 'M (lost-region SSIM)', 'C (hue histogram)'],
        methods.map((name, k) => [
          name + (means[k].nan ? ` (${means[k].nan} NaN counted as 0)` : ''),
          f(means[k].score),
          f(means[k].ssim),
          f(means[k].maskedSsim),
          f(means[k].histogram),
        ]),
      ) +
      '<p>score = 0.2 S + 0.4 M + 0.4 C, the competition metric, averaged over the photos.</p>',
  );

  if (steps.length > 0 || epochs.length > 0) {
    let charts = '';
    if (steps.length > 0)
      charts += svgLines(
        [
          { label: 'stage 1 (inpaint)', values: steps.map((s) => s.inpaintLoss), color: '#1f77b4' },
          { label: 'stage 2 (colorize)', values: steps.map((s) => s.colorizeLoss), color: '#ff7f0e' },
        ],
        { title: 'training loss per step', xLabel: 'step', logScale: true },
      );
    const scored = epochs.filter((e) => Number.isFinite(e.valScore));
    if (scored.length > 0) {
      let best = 0;
      epochs.forEach((e, i) => {
        if (Number.isFinite(e.valScore) && !(e.valScore <= epochs[best].valScore)) best = i;
      });
      charts += svgLines(
        [{ label: 'validation score', values: epochs.map((e) => e.valScore), color: '#2ca02c', dots: true }],
        {
          title: 'validation score per epoch',
          xLabel: 'epoch',
          mark: { x: best, label: `best: epoch ${best + 1}, ${epochs[best].valScore.toFixed(4)}` },
        },
      );
    }
    parts.push(`<h2>Training</h2>${charts}`);
  }

  if (photos.length > 0) {
    const size = report.thumbnail ?? 192;
    const heads = ['damaged input', ...pictured.map((k) => methods[k]), 'original'];
    parts.push(`<h2>Held-out photos</h2><p>${heads.map(escapeHtml).join(' | ')}</p>`);
    for (const p of photos) {
      const sheet = contactSheet([
        [p.input, ...pictured.map((k) => p.predictions[k]), p.gt].map((im) => shrinkToFit(im, size)),
      ]);
      const caption = methods.map((m, k) => `${m}: ${f(p.scores[k].score)}`).join('; ');
      parts.push(
        `<figure><img alt="${escapeHtml(`${p.name}: ${heads.join(', ')}`)}" src="${pngDataUri(sheet)}">` +
          `<figcaption>${escapeHtml(p.name)} — ${escapeHtml(caption)}</figcaption></figure>`,
      );
    }
  }
  return htmlPage(report.title, parts.join('\n'));
}
