import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createImage } from '../../image/types.js';
import { detectLostRegionDetailed } from '../../masks/detect.js';
import { listPngs, readPng, writePng } from '../../node/files.js';
import type { Command } from '../command.js';
import { parseOptions } from '../../node/args.js';
import { startProgress } from '../../node/progress.js';

export const detectMask: Command = {
  summary: 'estimate the lost region of damaged inputs, written as PNG masks (255 = lost)',
  usage: `Usage: tfjs-restoration detect-mask --input FILE|DIR --out DIR

Reads damaged gray inputs (PNG; RGB inputs are converted like Pillow convert('L')) and writes, for each, a
same-named PNG mask into --out: 255 where the pixel is judged lost, 0 elsewhere. An input with no lost region (no
constant, hard-edged region: an undamaged photo) gets an all-0 mask and is named on stderr.`,
  async run(args, io) {
    const a = parseOptions(args, {
      input: { type: 'string', required: true, value: 'FILE|DIR' },
      out: { type: 'string', required: true, value: 'DIR' },
    });
    const input = a.input;
    let stat;
    try {
      stat = await fs.stat(input);
    } catch {
      throw new Error(`${input}: no such file or directory`);
    }
    const files = stat.isDirectory() ? await listPngs(input) : [input];
    const progress = startProgress(io, 'detect-mask', files.length);
    const none: string[] = [];
    for (const file of files) {
      const gray = await readPng(file, { channels: 1 });
      const { found, mask } = detectLostRegionDetailed(gray);
      if (!found) none.push(file);
      const png = createImage(
        mask.width,
        mask.height,
        1,
        mask.data.map((v) => (v ? 255 : 0)),
      );
      await writePng(path.join(a.out, path.basename(file)), png);
      progress.tick(path.basename(file));
    }
    progress.done();
    for (const file of none)
      io.stderr(`${file}: no lost region found (no constant, hard-edged region); wrote an all-0 mask\n`);
    if (none.length > 0)
      io.stderr(`detect-mask: no lost region in ${none.length} of ${files.length} inputs\n`);
    return 0;
  },
};
