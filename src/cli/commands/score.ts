import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Image } from '../../image/index.js';
import { competitionMask, scoreImage, summarizeScores, type ImageScores } from '../../metrics/index.js';
import { listPngs, matchPngsByName, readPng, type MatchedFiles } from '../../node/index.js';
import { parseOptions } from '../../node/args.js';
import type { Command } from '../command.js';
import { startProgress } from '../../node/progress.js';

const USAGE = `Usage: tfjs-restoration score --gt DIR|FILE --pred DIR|FILE --input DIR|FILE [--per-image] [--allow-missing]

Scores predictions with the competition metric (0.2 SSIM + 0.4 masked SSIM + 0.4 hue-histogram
similarity; the mask is where the gray input differs from the gray ground truth).

  --gt DIR|FILE     ground-truth color PNGs; every PNG here needs a same-named prediction (a submission
                    covers every image), unless --allow-missing
  --pred DIR|FILE   predicted PNGs; every PNG here needs a same-named file in --gt and --input
  --input DIR|FILE  the damaged gray inputs (give the same kind as --pred: all directories or all files)
  --per-image       add "images": [{"name", "score", "ssim", "maskedSsim", "histogram"}, ...]
  --allow-missing   score only the --gt images that have a prediction; stderr says how many were skipped
                    and the JSON gets "skipped": n

Prints one JSON line: {"n", "score", "ssim", "maskedSsim", "histogram"} (means over the images; a NaN
term, which a prediction constant over the whole image can give as in the reference, prints as null).
Gray PNGs given as --gt or --pred are read as RGB with the gray value repeated, as OpenCV's imread does.`;

type Role = 'gt' | 'pred' | 'input';

interface LoadedSet {
  name: string;
  gt: Image;
  pred: Image;
  input: Image;
}

async function load(set: MatchedFiles<Role>): Promise<LoadedSet> {
  const [gt, pred, input] = await Promise.all([
    readPng(set.gt, { channels: 3 }),
    readPng(set.pred, { channels: 3 }),
    readPng(set.input, { channels: 1 }),
  ]);
  for (const [other, file] of [
    [pred, set.pred],
    [input, set.input],
  ] as const) {
    if (other.width !== gt.width || other.height !== gt.height)
      throw new Error(
        `${file}: size ${other.width}x${other.height} differs from the ground truth ${set.gt} (${gt.width}x${gt.height})`,
      );
  }
  return { name: set.name, gt, pred, input };
}

export const score: Command = {
  summary: 'score predictions against ground truth with the competition metric',
  usage: USAGE,
  async run(args, io) {
    const values = parseOptions(args, {
      gt: { type: 'string', required: true, value: 'DIR|FILE' },
      pred: { type: 'string', required: true, value: 'DIR|FILE' },
      input: { type: 'string', required: true, value: 'DIR|FILE' },
      'per-image': { type: 'flag' },
      'allow-missing': { type: 'flag' },
    });
    const sources = { pred: values.pred, gt: values.gt, input: values.input };

    const sets = await matchPngsByName<Role>(sources, { primary: 'pred', label: (r) => `--${r}` });
    const unpredicted = await withoutPrediction(sources.gt, sets);
    const allowMissing = values['allow-missing'];
    if (unpredicted.length > 0) {
      const listed = `${unpredicted.slice(0, 5).join(', ')}${unpredicted.length > 5 ? ` and ${unpredicted.length - 5} more` : ''}`;
      const total = unpredicted.length + sets.length;
      if (!allowMissing)
        throw new Error(
          `--pred ${sources.pred} is missing ${unpredicted.length} of the ${total} files in --gt ${sources.gt}: ` +
            `${listed} (a submission covers every image; --allow-missing scores the others)`,
        );
      io.stderr(
        `score: skipped ${unpredicted.length} of the ${total} images in --gt ${sources.gt} ` +
          `(no prediction, --allow-missing): ${listed}\n`,
      );
    }
    const progress = startProgress(io, 'score', sets.length);
    const perImage: (ImageScores & { name: string })[] = [];
    // Start reading the next set before scoring this one, so the file reads overlap the scoring.
    let next = load(sets[0]);
    for (let i = 0; i < sets.length; i++) {
      const current = await next;
      if (i + 1 < sets.length) {
        next = load(sets[i + 1]);
        next.catch(() => undefined); // surfaced when awaited; avoid an unhandled rejection meanwhile
      }
      let scores: ImageScores;
      try {
        scores = scoreImage(current.gt, current.pred, competitionMask(current.input, current.gt));
      } catch (err) {
        throw new Error(`${sets[i].pred}: ${(err as Error).message}`);
      }
      perImage.push({ name: current.name, ...pick(scores) });
      progress.tick(current.name);
    }
    progress.done();
    // JSON has no NaN: such terms print as null, and stderr says which images (a prediction constant overall).
    const nan = perImage.filter((x) => Object.values(pick(x)).some(Number.isNaN)).map((x) => x.name);
    if (nan.length > 0)
      io.stderr(
        `warning: ${nan.length} image(s) have a NaN term (printed as null; the prediction is one value over ` +
          `the whole image, so its data range is 0, and the truth is flat somewhere, as in the reference): ` +
          `${nan.slice(0, 5).join(', ')}${nan.length > 5 ? ` and ${nan.length - 5} more` : ''}\n`,
      );

    const summary = summarizeScores(perImage);
    const result: Record<string, unknown> = {
      n: summary.n,
      score: summary.score,
      ssim: summary.ssim,
      maskedSsim: summary.maskedSsim,
      histogram: summary.histogram,
    };
    if (allowMissing) result.skipped = unpredicted.length;
    if (values['per-image']) result.images = perImage;
    io.stdout(JSON.stringify(result) + '\n');
    return 0;
  },
};

/** Names of the PNGs in the `--gt` directory that no matched set covers (none when `--gt` is a file). */
async function withoutPrediction(gt: string, sets: readonly MatchedFiles<Role>[]): Promise<string[]> {
  if (!(await fs.stat(gt)).isDirectory()) return [];
  const have = new Set(sets.map((s) => s.name));
  return (await listPngs(gt)).map((f) => path.basename(f)).filter((n) => !have.has(n));
}

/** The four scores in a fixed key order, whatever else the object carries. */
function pick(s: ImageScores): ImageScores {
  return { score: s.score, ssim: s.ssim, maskedSsim: s.maskedSsim, histogram: s.histogram };
}
