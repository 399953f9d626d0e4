/**
 * Plain-pixel pictures for training reports: a loss-curve line chart (bare, or labelled for a pipeline's training
 * log) and a contact sheet. No tfjs, no canvas.
 */
import { createImage, type Image } from '../image/types.js';
import { grayToRgb } from '../image/color.js';
import { drawText } from '../image/text.js';
import type { EpochLog, StepLog } from './train.js';

/** One line of {@link lossChart}. */
export interface LossSeries {
  /** Values in step order; non-finite values are skipped. */
  values: readonly number[];
  /** Line color; default a palette color by position. */
  color?: readonly [number, number, number];
}

/** Options of {@link lossChart}. */
export interface LossChartOptions {
  /** Picture width; default 640. */
  width?: number;
  /** Picture height; default 360. */
  height?: number;
  /** Margin around the plot area in pixels; default 24. */
  margin?: number;
  /** Plot the values on a log10 scale (useful for losses); default true when all values are positive. */
  logScale?: boolean;
}

const PALETTE: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
];

function setPixel(img: Image, x: number, y: number, color: readonly number[]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  img.data.set(color, (y * img.width + x) * 3);
}

/** Draws a 2-pixel-thick line (Bresenham). */
function drawLine(
  img: Image,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: readonly number[],
): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    setPixel(img, x0, y0, color);
    setPixel(img, x0 + 1, y0, color);
    setPixel(img, x0, y0 + 1, color);
    if (x0 === x1 && y0 === y1) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

/**
 * Draws loss curves as an RGB line chart: white background, gray frame and horizontal grid lines (at powers of
 * ten on a log scale, else at quarters), one colored polyline per series sharing the x axis (step index) and y
 * range. Returns the picture and the y range it shows, so a caller can label it.
 *
 * ```ts
 * const { image } = lossChart([{ values: stage1Losses }, { values: stage2Losses }]);
 * await writePng('out/loss.png', image);
 * ```
 */
export function lossChart(
  series: readonly LossSeries[],
  options: LossChartOptions = {},
): { image: Image; yMin: number; yMax: number; logScale: boolean } {
  const { width = 640, height = 360, margin = 24 } = options;
  if (width <= 2 * margin + 2 || height <= 2 * margin + 2)
    throw new RangeError(`lossChart: ${width}x${height} leaves no room inside a margin of ${margin}`);
  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const logScale = options.logScale ?? (all.length > 0 && all.every((v) => v > 0));
  const f = (v: number): number => (logScale ? Math.log10(v) : v);
  const ys = all.filter((v) => !logScale || v > 0).map(f);
  let lo = ys.length ? Math.min(...ys) : 0;
  let hi = ys.length ? Math.max(...ys) : 1;
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const image = createImage(width, height, 3, new Uint8Array(width * height * 3).fill(255));
  const left = margin;
  const right = width - margin - 1;
  const top = margin;
  const bottom = height - margin - 1;
  const toY = (y: number): number => Math.round(bottom - ((y - lo) / (hi - lo)) * (bottom - top));
  // grid: powers of ten on a log scale, quarters otherwise
  const grid: number[] = [];
  if (logScale) for (let p = Math.ceil(lo); p <= Math.floor(hi); p++) grid.push(p);
  else for (let k = 1; k < 4; k++) grid.push(lo + ((hi - lo) * k) / 4);
  for (const g of grid) {
    const y = toY(g);
    for (let x = left; x <= right; x++) setPixel(image, x, y, [225, 225, 225]);
  }
  for (let x = left; x <= right; x++) {
    setPixel(image, x, top, [128, 128, 128]);
    setPixel(image, x, bottom, [128, 128, 128]);
  }
  for (let y = top; y <= bottom; y++) {
    setPixel(image, left, y, [128, 128, 128]);
    setPixel(image, right, y, [128, 128, 128]);
  }
  const maxLen = Math.max(2, ...series.map((s) => s.values.length));
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    let prev: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (logScale && v <= 0)) {
        prev = null;
        return;
      }
      const x = Math.round(left + (i / (maxLen - 1)) * (right - left));
      const y = toY(f(v));
      if (prev) drawLine(image, prev[0], prev[1], x, y, color);
      else setPixel(image, x, y, color);
      prev = [x, y];
    });
  });
  return {
    image,
    yMin: logScale ? 10 ** lo : lo,
    yMax: logScale ? 10 ** hi : hi,
    logScale,
  };
}

const BLUE = [31, 119, 180] as const;
const ORANGE = [255, 127, 14] as const;

/**
 * The two stages' per-step losses of a pipeline's training (`StepLog.inpaintLoss`, `colorizeLoss`) as a labelled
 * 720x400 line chart: a title, a legend, the y range shown and a footer with the step and epoch counts (log scale
 * when all losses are positive).
 *
 * ```ts
 * const steps: StepLog[] = [];
 * const { history } = await trainPipeline(pipeline, { ...options, onStep: (s) => steps.push(s) });
 * await writePng('out/loss.png', trainingLossChart(steps, history));
 * ```
 */
export function trainingLossChart(steps: readonly StepLog[], epochs: readonly EpochLog[]): Image {
  const width = 720;
  const height = 400;
  const { image, yMin, yMax, logScale } = lossChart(
    [
      { values: steps.map((s) => s.inpaintLoss), color: BLUE },
      { values: steps.map((s) => s.colorizeLoss), color: ORANGE },
    ],
    { width, height, margin: 40 },
  );
  drawText(image, 40, 8, 'training loss (L1+MSE) per step', { scale: 2 });
  drawText(image, 40, 28, 'stage 1 inpaint', { color: BLUE });
  drawText(image, 160, 28, 'stage 2 colorize', { color: ORANGE });
  const fmt = (v: number) => (v >= 0.01 ? v.toFixed(3) : v.toExponential(1));
  drawText(image, 2, 40, fmt(yMax));
  drawText(image, 2, height - 48, fmt(yMin));
  const footer = `${steps.length} steps, ${epochs.length} epochs${logScale ? ', log scale' : ''}`;
  drawText(image, 40, height - 28, footer);
  return image;
}

/**
 * Lays out images in a grid (row-major, `rows[r][c]`) with a white gap between tiles; gray images become RGB.
 * Every tile of a column takes the widest image's width, every row the tallest image's height; smaller images sit
 * at the tile's top-left.
 *
 * ```ts
 * const sheet = contactSheet([[input, restored, original]]); // one row: before | after | truth
 * ```
 */
export function contactSheet(rows: readonly (readonly Image[])[], gap = 4): Image {
  if (rows.length === 0 || rows.every((r) => r.length === 0)) throw new RangeError('contactSheet: no images');
  const cols = Math.max(...rows.map((r) => r.length));
  const colW = Array.from({ length: cols }, (_, c) => Math.max(0, ...rows.map((r) => r[c]?.width ?? 0)));
  const rowH = rows.map((r) => Math.max(0, ...r.map((im) => im.height)));
  const width = colW.reduce((a, b) => a + b, 0) + gap * (cols + 1);
  const height = rowH.reduce((a, b) => a + b, 0) + gap * (rows.length + 1);
  const out = createImage(width, height, 3, new Uint8Array(width * height * 3).fill(255));
  let y0 = gap;
  rows.forEach((row, r) => {
    let x0 = gap;
    row.forEach((im, c) => {
      const rgb = im.channels === 3 ? im : grayToRgb(im);
      for (let y = 0; y < rgb.height; y++)
        out.data.set(
          rgb.data.subarray(y * rgb.width * 3, (y + 1) * rgb.width * 3),
          ((y0 + y) * width + x0) * 3,
        );
      x0 += colW[c] + gap;
    });
    y0 += rowH[r] + gap;
  });
  return out;
}
