import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createImage } from '../../image/types.js';
import { detectLostRegion } from '../../masks/detect.js';
import { listPngs, readPng, writePng } from '../../node/files.js';
import type { Command } from '../command.js';
import { parseOptions } from '../../node/args.js';
import { startProgress } from '../../node/progress.js';

export const detectMask: Command = {
  summary: 'estimate the lost region of damaged inputs, written as PNG masks (255 = lost)',
  usage: `Usage: tfjs-restoration detect-mask --input FILE|DIR --out DIR

Reads damaged gray inputs (PNG; RGB inputs are converted like Pillow convert('L')) and writes, for each, a
same-named PNG mask into --out: 255 where the pixel is judged lost, 0 elsewhere.`,
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
    for (const file of files) {
      const gray = await readPng(file, { channels: 1 });
      const mask = detectLostRegion(gray);
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
    return 0;
  },
};
