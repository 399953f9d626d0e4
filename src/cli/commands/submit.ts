import { parseOptions } from '../../node/args.js';
import { checkSubmission, writeSubmissionZip } from '../../pipeline/files.js';
import type { Command } from '../command.js';

const USAGE = `Usage: tfjs-restoration submit --pred DIR --out FILE.zip [--data DIR]

Packs predicted PNGs into a submission zip: the files as they are, at the archive's root (no folders), written
atomically.

  --pred DIR      the predictions (e.g. the --out of predict)
  --out FILE.zip  the archive to write
  --data DIR      a dataset in the competition layout: check first that every test.csv id has <id>.png in --pred,
                  an 8-bit RGB PNG of its test input's size, and that --pred holds no other PNG (every problem is
                  listed in one error); the archive then follows test.csv's order

Prints one JSON line: {"zip", "n", "checked"}.`;

export const submit: Command = {
  summary: 'zip predicted PNGs for a submission, checked against test.csv with --data',
  usage: USAGE,
  async run(args, io) {
    const a = parseOptions(args, {
      pred: { type: 'string', required: true, value: 'DIR' },
      out: { type: 'string', required: true, value: 'FILE.zip' },
      data: { type: 'string', value: 'DIR' },
    });
    if (!a.out.toLowerCase().endsWith('.zip')) throw new Error(`--out ${a.out}: expected a .zip file name`);
    const files = a.data === undefined ? a.pred : await checkSubmission(a.pred, a.data);
    const names = await writeSubmissionZip(files, a.out);
    io.stdout(JSON.stringify({ zip: a.out, n: names.length, checked: a.data !== undefined }) + '\n');
    return 0;
  },
};
