/**
 * Shared bits of the examples: a progress bar on stderr, a labelled loss-curve picture and a labelled contact sheet.
 */
import { startProgress, type Progress } from '../src/node/progress.js';
import { createImage, type Image } from '../src/image/index.js';
import { contactSheet, lossChart, type EpochLog, type StepLog } from '../src/pipeline/index.js';
import { drawText } from '../scripts/font5x7.js';

/** A progress bar on stderr (only when it is a terminal) for `total` steps. */
export function progressBar(label: string, total: number): Progress {
  return startProgress(
    {
      stderr: (t) => process.stderr.write(t),
      stderrIsTTY: Boolean(process.stderr.isTTY),
    },
    label,
    total,
  );
}

const BLUE = [31, 119, 180] as const;
const ORANGE = [255, 127, 14] as const;
const BLACK = [0, 0, 0] as const;

/** The two stages' per-step losses as a labelled line chart (log scale), with the best epoch's end marked. */
export function lossCurvePicture(steps: readonly StepLog[], epochs: readonly EpochLog[]): Image {
  const width = 720;
  const height = 400;
  const { image, yMin, yMax, logScale } = lossChart(
    [
      { values: steps.map((s) => s.inpaintLoss), color: BLUE },
      { values: steps.map((s) => s.colorizeLoss), color: ORANGE },
    ],
    { width, height, margin: 40 },
  );
  drawText(image.data, width, height, 40, 8, 'training loss (L1+MSE) per step', BLACK, 2);
  drawText(image.data, width, height, 40, 28, 'stage 1 inpaint', BLUE, 1);
  drawText(image.data, width, height, 160, 28, 'stage 2 colorize', ORANGE, 1);
  const fmt = (v: number) => (v >= 0.01 ? v.toFixed(3) : v.toExponential(1));
  drawText(image.data, width, height, 2, 40, fmt(yMax), BLACK, 1);
  drawText(image.data, width, height, 2, height - 48, fmt(yMin), BLACK, 1);
  drawText(
    image.data,
    width,
    height,
    40,
    height - 28,
    `${steps.length} steps, ${epochs.length} epochs${logScale ? ', log scale' : ''}`,
    BLACK,
    1,
  );
  return image;
}

/** Rows of images under a header row of column titles. */
export function labelledSheet(titles: readonly string[], rows: readonly (readonly Image[])[]): Image {
  const sheet = contactSheet(rows);
  const header = 20;
  const out = createImage(
    sheet.width,
    sheet.height + header,
    3,
    new Uint8Array(sheet.width * (sheet.height + header) * 3).fill(255),
  );
  out.data.set(sheet.data, sheet.width * header * 3);
  const tile = rows[0][0].width + 4;
  titles.forEach((t, c) => drawText(out.data, out.width, out.height, 4 + c * tile, 6, t, BLACK, 1));
  return out;
}
