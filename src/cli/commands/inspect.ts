import { parseOptions } from '../../node/args.js';
import { writeFileAtomic } from '../../node/files.js';
import { datasetReportHtml } from '../../pipeline/inspect.js';
import { inspectDataset } from '../../pipeline/inspect-node.js';
import type { Command } from '../command.js';
import { startProgress } from '../../node/progress.js';

const USAGE = `Usage: tfjs-restoration inspect --data DIR --out report.html [--limit N] [--seed N] [--samples N]

Explores a dataset in the competition layout (train.csv and/or test.csv) and writes one self-contained HTML page:
row counts, image sizes and modes, lost-region coverage and fill-value histograms (train: where the input differs
from the gt's gray; test: detected), per-channel color statistics and a hue histogram of the gts, sample pairs.

  --data DIR        the dataset (e.g. made by 'tfjs-restoration damage', or the competition's)
  --out FILE.html   the page to write (atomically)
  --limit N         inspect at most N rows per split, drawn at random (default: all rows)
  --seed N          seed of that draw (default 0)
  --samples N       train pairs in the contact sheet (default 8)

Prints one JSON line: {"out", "train", "test", "trainInspected", "testInspected"}. Progress on stderr when it is a
terminal.`;

export const inspect: Command = {
  summary: 'explore a competition-layout dataset into one HTML page of statistics and pictures',
  usage: USAGE,
  async run(args, io) {
    const a = parseOptions(args, {
      data: { type: 'string', required: true, value: 'DIR' },
      out: { type: 'string', required: true, value: 'FILE.html' },
      limit: { type: 'int', min: 1 },
      seed: { type: 'int', default: 0 },
      samples: { type: 'int', default: 8, min: 0 },
    });
    let progress = startProgress(io, 'inspect', 0);
    const report = await inspectDataset(a.data, {
      limit: a.limit,
      seed: a.seed,
      samples: a.samples,
      onProgress: (done, total) => {
        if (done === 1) progress = startProgress(io, 'inspect', total);
        progress.tick();
      },
    });
    progress.done();
    await writeFileAtomic(a.out, datasetReportHtml(report));
    io.stdout(JSON.stringify({ out: a.out, ...report.counts }) + '\n');
    return 0;
  },
};
