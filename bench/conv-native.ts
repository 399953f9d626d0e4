/**
 * The native addon's convolution kernels one U-Net layer at a time: GFLOP per CPU second (best of --reps) of the
 * forward pass, the input gradient and the filter gradient, at a batch and image size. CPU time, not wall time: on a
 * shared machine it moves much less with the other load. With `--compare other.node`, that build of the addon runs
 * interleaved with this one (same shapes, alternating calls), for a same-run ratio.
 * Run: node --import tsx bench/conv-native.ts [--batch 8] [--size 128] [--reps 5] [--threads 1] [--compare a.node]
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadNativeAddon, type NativeAddon } from '../src/backends/native/addon.js';
import { positiveInt } from './common.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '128' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1' },
    compare: { type: 'string' },
  },
});
const batch = positiveInt('batch', values.batch);
const size = positiveInt('size', values.size);
const reps = positiveInt('reps', values.reps);
const threads = positiveInt('threads', values.threads);

/** U-Net resnet34 layers: [filter, stride, in channels, out channels, input size as a fraction of the image]. */
const LAYERS: [number, number, number, number, number][] = [
  [7, 2, 1, 64, 1],
  [3, 1, 64, 64, 1 / 4],
  [3, 1, 128, 128, 1 / 8],
  [3, 1, 256, 256, 1 / 16],
  [3, 1, 512, 512, 1 / 32],
  [3, 2, 256, 512, 1 / 16],
  [3, 1, 768, 256, 1 / 16],
  [3, 1, 128, 32, 1 / 2],
  [3, 1, 32, 16, 1],
  [3, 1, 16, 3, 1],
];

const addons: [string, NativeAddon][] = [['this', loadNativeAddon()]];
if (values.compare) addons.push(['other', createRequire(import.meta.url)(values.compare) as NativeAddon]);
for (const [, a] of addons) a.setThreads(threads);

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const random = (n: number) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  return a;
};

console.log(
  `batch ${batch}, ${size}x${size}, ${threads} thread(s), best of ${reps}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
console.log(
  'GFLOP per CPU second (forward / input gradient / filter gradient)' +
    (values.compare ? ', this vs other' : ''),
);
for (const [f, stride, ci, co, frac] of LAYERS) {
  const h = Math.round(size * frac);
  const pad = Math.floor((f - 1) / 2);
  const oh = Math.floor((h + 2 * pad - f) / stride) + 1;
  const shape = [batch, h, h, ci, oh, oh, co, f, f, stride, stride, 1, 1, pad, pad];
  const x = random(batch * h * h * ci);
  const w = random(f * f * ci * co);
  const dy = random(batch * oh * oh * co);
  const y = new Float32Array(dy.length);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  const gflop = (2 * batch * oh * oh * co * f * f * ci) / 1e9;
  const ops: [string, (a: NativeAddon) => void][] = [
    ['fwd', (a) => a.conv2d(x, w, null, shape, 0, y)],
    ['dx', (a) => a.conv2dBackpropInput(dy, w, shape, dx)],
    ['dw', (a) => a.conv2dBackpropFilter(x, dy, shape, dw)],
  ];
  const cells: string[] = [];
  for (const [name, op] of ops) {
    const best = addons.map(() => Infinity);
    for (let r = 0; r <= reps; r++) {
      addons.forEach(([, a], i) => {
        const c0 = cpuNow();
        op(a);
        if (r > 0) best[i] = Math.min(best[i], cpuNow() - c0);
      });
    }
    const rates = best.map((b) => (gflop / b).toFixed(0));
    cells.push(
      `${name} ${rates.join(' vs ')}` + (best.length > 1 ? ` (${(best[1] / best[0]).toFixed(2)}x)` : ''),
    );
  }
  console.log(`${f}x${f}/${stride} ${ci}->${co} at ${h}x${h}: `.padEnd(30) + cells.join(', '));
}
