import type { Image, Mask } from '../../image/types.js';
import { parseOptions, UsageError } from '../../node/args.js';
import { restoreFiles } from '../../pipeline/files.js';
import {
  asRestorer,
  ensembleRestorer,
  flipTta,
  tiledRestorer,
  type Restorer,
} from '../../pipeline/restorers.js';
import type { Command } from '../command.js';
import { startProgress } from '../../node/progress.js';

const USAGE = `Usage: tfjs-restoration predict --model DIR --input DIR|FILE --out DIR [--mask DIR|FILE] [--tta] [--ensemble DIR,DIR...] [--backend NAME,...] [--tile N] [--overlap N] [--force]

Restores damaged gray PNGs with saved pipelines (savePipeline / train) and writes same-named RGB PNGs into --out.

  --model DIR         a saved pipeline (pipeline.json, inpaint/, colorize/)
  --ensemble DIR,...  more saved pipelines; the prediction is the average of all (with --model, if given)
  --input DIR|FILE    damaged gray PNGs, any size (RGB ones are converted like Pillow's convert('L'))
  --out DIR           receives one PNG per input, each written atomically; it must hold no PNG unless --force
  --mask DIR|FILE     lost-region masks, same names as the inputs (nonzero = lost); default: detected per image
  --tta               horizontal-flip test-time augmentation (average with the mirrored prediction)
  --tile N            images larger than N x N are restored in overlapping N x N tiles (default 1024)
  --overlap N         least overlap of neighbouring tiles, blended with a linear ramp (default 128)
  --backend NAMES     the first of these backends that starts (default native,wasm)
  --force             restore into an --out that holds PNGs: they are replaced and stale ones deleted

Prints one JSON line: {"n", "out", "models", "tta", "masksDetected", "removed", "backend", "seconds"}.
Progress with ETA on stderr when it is a terminal.`;

export const predict: Command = {
  summary: 'restore damaged gray PNGs with saved pipelines (tiles, flip TTA, ensembles)',
  usage: USAGE,
  async run(args, io) {
    const a = parseOptions(args, {
      model: { type: 'string', value: 'DIR' },
      ensemble: { type: 'list', value: 'DIR,DIR...' },
      input: { type: 'string', required: true, value: 'DIR|FILE' },
      out: { type: 'string', required: true, value: 'DIR' },
      mask: { type: 'string', value: 'DIR|FILE' },
      tta: { type: 'flag' },
      tile: { type: 'int', default: 1024, min: 32 },
      overlap: { type: 'int', default: 128, min: 0 },
      backend: { type: 'list', default: ['native', 'wasm'] },
      force: { type: 'flag' },
    });
    const dirs = [...(a.model === undefined ? [] : [a.model]), ...(a.ensemble ?? [])];
    if (dirs.length === 0) throw new UsageError('missing --model DIR (or --ensemble DIR,DIR...)');
    if (a.overlap >= a.tile / 2)
      throw new UsageError(
        `option '--overlap' must be less than half of --tile (${a.tile}), got ${a.overlap}`,
      );
    const started = performance.now();
    // The backend and the models load at the first image, after restoreFiles has checked the input, the masks and
    // --out (a bad path fails at once); tfjs itself is imported only here, so the tfjs-free commands start without it.
    const models: { predict(x: Image, m: Mask): Promise<Image>; dispose(): void }[] = [];
    let backend = '';
    let restorer: Restorer | undefined;
    const load = async (): Promise<Restorer> => {
      const [{ useFirstBackend }, { loadPipeline }] = await Promise.all([
        import('../../backends/index.js'),
        import('../../pipeline/node.js'),
      ]);
      backend = await useFirstBackend(a.backend as Parameters<typeof useFirstBackend>[0]);
      for (const dir of dirs) models.push(await loadPipeline(dir));
      let r = ensembleRestorer(models.map(asRestorer));
      if (a.tta) r = flipTta(r);
      return tiledRestorer(r, { tile: a.tile, overlap: a.overlap });
    };
    try {
      let progress = startProgress(io, 'predict', 0);
      const result = await restoreFiles(async (x, m) => (restorer ??= await load())(x, m), {
        input: a.input,
        out: a.out,
        masks: a.mask,
        force: a.force,
        onStart: (total) => void (progress = startProgress(io, 'predict', total)),
        onImage: (_done, _total, name) => progress.tick(name),
      });
      progress.done();
      if (result.removed.length > 0)
        io.stderr(`removed ${result.removed.length} stale PNG(s) from ${a.out} (--force)\n`);
      io.stdout(
        JSON.stringify({
          n: result.names.length,
          out: a.out,
          models: dirs.length,
          tta: a.tta,
          masksDetected: result.detected,
          removed: result.removed.length,
          backend,
          seconds: Math.round((performance.now() - started) / 100) / 10,
        }) + '\n',
      );
    } finally {
      for (const m of models) m.dispose();
    }
    return 0;
  },
};
