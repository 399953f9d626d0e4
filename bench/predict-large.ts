/**
 * Memory of tiled prediction on a large image: a 4000x3000 damaged gray input restored by a tiny random-weight
 * pipeline through `tiledRestorer`, sampling the process RSS and tf.memory() after every tile.
 * Run: node --import tsx bench/predict-large.ts [--width 4000] [--height 3000] [--tile 1024] [--overlap 128]
 *        [--backend native,wasm] [--whole]
 * `--whole` also restores the image in one piece (no tiles) for comparison.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useFirstBackend, type BackendName } from '../src/backends/index.js';
import { createImage, type Mask } from '../src/image/index.js';
import { parseOptions } from '../src/node/index.js';
import { asRestorer, RestorationPipeline, tiledRestorer, type Restorer } from '../src/pipeline/index.js';

const a = parseOptions(process.argv.slice(2), {
  width: { type: 'int', default: 4000, min: 1 },
  height: { type: 'int', default: 3000, min: 1 },
  tile: { type: 'int', default: 1024, min: 32 },
  overlap: { type: 'int', default: 128, min: 0 },
  backend: { type: 'list', default: ['native', 'wasm'] },
  whole: { type: 'flag' },
});
const backend = await useFirstBackend(a.backend as BackendName[]);
const { width: W, height: H } = a;
const input = createImage(W, H, 1);
const mask = createImage(W, H, 1) as Mask;
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++) {
    const i = y * W + x;
    const lost = x > W * 0.4 && x < W * 0.6 && y > H * 0.3 && y < H * 0.5;
    input.data[i] = lost ? 50 : (x * 7 + y * 3 + ((x * y) % 13)) & 255;
    mask.data[i] = lost ? 1 : 0;
  }
const pipeline = RestorationPipeline.create({
  encoder: 'resnet18',
  encoderWidth: 8,
  decoderChannels: [16, 8, 8, 8, 8],
  seed: 1,
});
const mib = (b: number) => Math.round(b / 2 ** 20);
const peak = { rss: 0, tensors: 0, bytes: 0 };
const sample = () => {
  const m = tf.memory();
  peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
  peak.tensors = Math.max(peak.tensors, m.numTensors);
  peak.bytes = Math.max(peak.bytes, m.numBytes);
};
let tiles = 0;
const plain = asRestorer(pipeline);
const counted: Restorer = async (x, m) => {
  const out = await plain(x, m);
  tiles++;
  sample();
  return out;
};
await plain(createImage(64, 64, 1), createImage(64, 64, 1) as Mask); // warm up
const start = { rss: process.memoryUsage().rss, tensors: tf.memory().numTensors };
const t0 = performance.now();
const out = await tiledRestorer(counted, { tile: a.tile, overlap: a.overlap })(input, mask);
const seconds = (performance.now() - t0) / 1000;
sample();
console.log(
  JSON.stringify({
    backend,
    image: `${W}x${H}`,
    tile: a.tile,
    overlap: a.overlap,
    tiles,
    seconds: Math.round(seconds * 10) / 10,
    rssStartMiB: mib(start.rss),
    rssPeakMiB: mib(peak.rss),
    tfPeakTensors: peak.tensors,
    tfPeakMiB: mib(peak.bytes),
    tensorsBefore: start.tensors,
    tensorsAfter: tf.memory().numTensors,
    out: `${out.width}x${out.height}x${out.channels}`,
  }),
);
if (a.whole) {
  const t1 = performance.now();
  peak.rss = 0;
  peak.bytes = 0;
  const timer = setInterval(sample, 50);
  await plain(input, mask);
  clearInterval(timer);
  sample();
  console.log(
    JSON.stringify({
      whole: true,
      seconds: Math.round((performance.now() - t1) / 100) / 10,
      rssPeakMiB: mib(peak.rss),
      tfPeakMiB: mib(peak.bytes),
    }),
  );
}
pipeline.dispose();
