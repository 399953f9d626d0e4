/**
 * Dataset exploration: statistics of a competition-layout dataset (what the reference looked at in a notebook) and
 * their rendering as one self-contained HTML page. Plain images only: no tfjs, no Node module (reading a dataset
 * from disk is `inspectDataset` in `tfjs-restoration/pipeline/node`).
 */
import { shrinkToFit } from '../image/resize.js';
import type { Image, Mask } from '../image/types.js';
import { detectLostRegionDetailed } from '../masks/detect.js';
import { competitionMask } from '../metrics/competition.js';
import { histogram } from '../metrics/histogram.js';
import { contactSheet } from './chart.js';
import { escapeHtml, htmlPage, htmlTable as table, pngDataUri, svgBars } from './html.js';

/** Statistics of one split's lost regions. */
export interface LostRegionStats {
  /** Lost fraction of each inspected image, in inspection order. */
  coverage: number[];
  /** Images per fill value 0..255 (the constant gray of the lost region); images with no region are not counted. */
  fill: number[];
  /** Images where no lost region was found (an empty mask). */
  empty: number;
}

/** What `inspectDataset` (`tfjs-restoration/pipeline/node`) returns and {@link datasetReportHtml} renders. */
export interface DatasetReport {
  /** The dataset's folder, as given. */
  root: string;
  /** Rows of `train.csv` and `test.csv` (0 when absent) and how many of each were inspected. */
  counts: { train: number; test: number; trainInspected: number; testInspected: number };
  /** The sampling: `limit` (rows per split, or null for all) and its `seed`. */
  sampling: { limit: number | null; seed: number };
  /** Per file role (`train_input`, `train_gt`, `test_input`): how many files of each `WxH mode depth-bit`. */
  formats: Record<string, Record<string, number>>;
  /** Train pairs: mask = where the gray input differs from the gt's gray (`competitionMask`). */
  train: LostRegionStats;
  /** Test inputs: mask found by `detectLostRegion`. */
  test: LostRegionStats;
  /** Color statistics of the inspected gts, over all their pixels. */
  color: {
    pixels: number;
    /** Mean of R, G, B (0..255). */
    mean: [number, number, number];
    /** Standard deviation of R, G, B. */
    std: [number, number, number];
    /** Pixels per OpenCV hue 0..179. */
    hue: number[];
  };
  /** A few inspected train pairs, downscaled (longest side at most 160), for the contact sheet. */
  samples: { id: string; input: Image; gt: Image }[];
}

/**
 * Accumulates a {@link DatasetReport} sample by sample (the engine of `inspectDataset`; use it directly to inspect
 * images that are not on disk).
 *
 * ```ts
 * const acc = new DatasetReportBuilder('my-data', { limit: null, seed: 0 });
 * acc.addTrain('TRAIN_00000', input, gt);
 * acc.addTest('TEST_000', testInput);
 * const html = datasetReportHtml(acc.report);
 * ```
 */
export class DatasetReportBuilder {
  /** The report so far. */
  readonly report: DatasetReport;
  private readonly sums = [0, 0, 0];
  private readonly squares = [0, 0, 0];

  /** @param maxSamples how many train pairs to keep as thumbnails (default 8). */
  constructor(
    root: string,
    sampling: { limit: number | null; seed: number },
    private readonly maxSamples = 8,
  ) {
    const split = (): LostRegionStats => ({ coverage: [], fill: new Array(256).fill(0), empty: 0 });
    this.report = {
      root,
      counts: { train: 0, test: 0, trainInspected: 0, testInspected: 0 },
      sampling,
      formats: {},
      train: split(),
      test: split(),
      color: { pixels: 0, mean: [0, 0, 0], std: [0, 0, 0], hue: new Array(180).fill(0) },
      samples: [],
    };
  }

  /** Counts one file's format (e.g. `512x512 L 8-bit`) under a role such as `train_gt`. */
  addFormat(role: string, format: string): void {
    const f = (this.report.formats[role] ??= {});
    f[format] = (f[format] ?? 0) + 1;
  }

  /** Adds a train pair: its lost region (`competitionMask`) and the gt's colors. */
  addTrain(id: string, input: Image, gt: Image): void {
    const mask = competitionMask(input, gt);
    this.addRegion(this.report.train, input, mask, undefined);
    const c = this.report.color;
    const d = gt.data;
    for (let i = 0; i < d.length; i += 3)
      for (let k = 0; k < 3; k++) {
        this.sums[k] += d[i + k];
        this.squares[k] += d[i + k] * d[i + k];
      }
    c.pixels += d.length / 3;
    for (let k = 0; k < 3; k++) {
      c.mean[k] = this.sums[k] / c.pixels;
      c.std[k] = Math.sqrt(Math.max(0, this.squares[k] / c.pixels - c.mean[k] ** 2));
    }
    const hue = histogram(gt, { channel: 'hue' });
    for (let b = 0; b < 180; b++) c.hue[b] += hue[b];
    if (this.report.samples.length < this.maxSamples)
      this.report.samples.push({ id, input: shrinkToFit(input, 160), gt: shrinkToFit(gt, 160) });
    this.report.counts.trainInspected++;
  }

  /** Adds a test input: its lost region as `detectLostRegion` finds it. */
  addTest(_id: string, input: Image): void {
    const { mask, fill } = detectLostRegionDetailed(input);
    this.addRegion(this.report.test, input, mask, fill);
    this.report.counts.testInspected++;
  }

  private addRegion(stats: LostRegionStats, input: Image, mask: Mask, fill: number | undefined): void {
    let lost = 0;
    const votes = fill === undefined ? new Uint32Array(256) : undefined;
    for (let i = 0; i < mask.data.length; i++)
      if (mask.data[i]) {
        lost++;
        if (votes) votes[input.data[i]]++;
      }
    stats.coverage.push(lost / mask.data.length);
    if (lost === 0) {
      stats.empty++;
      return;
    }
    let value = fill ?? -1;
    if (votes) for (let v = 0; v < 256; v++) if (value < 0 || votes[v] > votes[value]) value = v;
    if (value >= 0) stats.fill[value]++;
  }
}

/** Coverage values binned by 1 % up to the next 5 % above the largest (at least 5 %). */
function coverageBins(coverage: readonly number[]): { counts: number[]; top: number } {
  const top = Math.max(5, Math.ceil((Math.max(0, ...coverage) * 100 + 1e-9) / 5) * 5);
  const counts = new Array(Math.min(100, top)).fill(0);
  for (const c of coverage) counts[Math.min(counts.length - 1, Math.floor(c * 100))]++;
  return { counts, top: Math.min(100, top) };
}

function summary(values: readonly number[]): string {
  if (values.length === 0) return 'none inspected';
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  return `n ${values.length}, mean ${pct(mean)}, min ${pct(Math.min(...values))}, max ${pct(Math.max(...values))}`;
}

/** An HSV color of OpenCV hue bin `h` (0..179) at full saturation, as CSS. */
function hueColor(h: number): string {
  return `hsl(${h * 2}, 80%, 50%)`;
}

/**
 * Renders a {@link DatasetReport} as one self-contained HTML page (no external file: charts are inline SVG, the
 * contact sheet a PNG data URI): counts, file formats, lost-region coverage and fill-value histograms, gt color
 * statistics with a hue histogram, and sample pairs (input | gt).
 *
 * ```ts
 * await writeFileAtomic('report.html', datasetReportHtml(await inspectDataset('data', { limit: 500 })));
 * ```
 */
export function datasetReportHtml(report: DatasetReport): string {
  const { counts, sampling, formats, train, test, color, samples } = report;
  const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>\n${body}\n`;
  const parts: string[] = [];
  const sampled =
    sampling.limit === null ? 'all rows' : `at most ${sampling.limit} rows per split, seed ${sampling.seed}`;
  parts.push(
    section(
      'Counts',
      table(
        ['split', 'rows', 'inspected'],
        [
          ['train', counts.train, counts.trainInspected],
          ['test', counts.test, counts.testInspected],
        ],
      ) + `<p>Sampling: ${escapeHtml(sampled)}.</p>`,
    ),
  );
  const formatRows = Object.entries(formats).flatMap(([role, f]) =>
    Object.entries(f)
      .sort((a, b) => b[1] - a[1])
      .map(([format, n]) => [role, format, n]),
  );
  parts.push(section('Image modes and sizes', table(['files', 'size, mode, depth', 'count'], formatRows)));
  const regions = (['train', 'test'] as const)
    .map((split) => {
      const s = split === 'train' ? train : test;
      if (s.coverage.length === 0) return '';
      const how = split === 'train' ? 'input differs from the gt’s gray' : 'detectLostRegion on the input';
      const { counts: bins, top } = coverageBins(s.coverage);
      return (
        `<h3>${split} (${how})</h3><p>Coverage: ${summary(s.coverage)}; ${s.empty} without a lost region.</p>` +
        svgBars(bins, {
          title: `${split}: lost fraction of the image (1 % bins)`,
          first: '0 %',
          last: `${top} %`,
        }) +
        svgBars(s.fill, {
          title: `${split}: fill value of the lost region (gray level)`,
          first: '0',
          last: '255',
        })
      );
    })
    .join('\n');
  parts.push(section('Lost regions', regions || '<p>No images inspected.</p>'));
  if (color.pixels > 0) {
    const f = (v: number) => v.toFixed(2);
    parts.push(
      section(
        'Colors of the ground truth',
        table(
          ['channel', 'mean', 'std'],
          ['R', 'G', 'B'].map((c, k) => [c, f(color.mean[k]), f(color.std[k])]),
        ) +
          `<p>Over ${color.pixels} pixels.</p>` +
          svgBars(color.hue, {
            title: 'hue (OpenCV, 0..179; gray pixels count as hue 0)',
            first: '0',
            last: '179',
            color: hueColor,
          }),
      ),
    );
  }
  if (samples.length > 0) {
    const rows: Image[][] = [];
    samples.forEach((s, i) =>
      i % 2 === 0 ? rows.push([s.input, s.gt]) : rows[rows.length - 1].push(s.input, s.gt),
    );
    const sheet = contactSheet(rows);
    parts.push(
      section(
        'Samples (input | gt, two pairs a row)',
        `<p>${samples.map((s) => escapeHtml(s.id)).join(', ')}</p>` +
          `<img alt="sample pairs" src="${pngDataUri(sheet)}">`,
      ),
    );
  }
  return htmlPage(`Dataset report: ${report.root}`, parts.join(''));
}
