/**
 * Times the conv gradient kernels on the current wasm build for U-Net-sized layers.
 * Run: node --import tsx bench/kernels.ts [--reps 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { useBackend } from '../src/backends/index.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' } } });
const reps = Number(values.reps);
await useBackend('wasm');
/** CPU time of this process in ms (wall time is unreliable on a shared machine). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const layers: { name: string; x: [number, number, number, number]; k: number; co: number; s: number }[] = [
  { name: 'enc layer1 3x3 64->64 @64', x: [4, 64, 64, 64], k: 3, co: 64, s: 1 },
  { name: 'enc layer2 3x3 64->128 s2', x: [4, 64, 64, 64], k: 3, co: 128, s: 2 },
  { name: 'dec 3x3 96->32 @128', x: [4, 128, 128, 96], k: 3, co: 32, s: 1 },
  { name: 'dec 3x3 16->16 @256', x: [4, 256, 256, 16], k: 3, co: 16, s: 1 },
];

function time(f: () => tf.Tensor): number {
  f().dispose(); // warm-up (operator creation)
  const t0 = cpuMs();
  for (let i = 0; i < reps; i++) {
    const r = f();
    r.dataSync();
    r.dispose();
  }
  return (cpuMs() - t0) / reps;
}

for (const l of layers) {
  const x = tf.randomUniform(l.x, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([l.k, l.k, l.x[3], l.co], -1, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.conv2d(x, w, l.s, 'same');
  const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 3) as tf.Tensor4D;
  const fwd = time(() => tf.conv2d(x, w, l.s, 'same'));
  const dw = time(
    () =>
      tf.conv2d(x, w, l.s, 'same') &&
      (tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          strides: [l.s, l.s],
          pad: 'same',
          dataFormat: 'NHWC',
          filterShape: w.shape,
        },
      ) as tf.Tensor),
  );
  const dx = time(
    () =>
      tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy, filter: w },
        {
          strides: [l.s, l.s],
          pad: 'same',
          dataFormat: 'NHWC',
          inputShape: x.shape,
        },
      ) as tf.Tensor,
  );
  console.log(
    `${l.name.padEnd(30)} forward ${fwd.toFixed(0).padStart(6)} ms  dW ${(dw - fwd).toFixed(0).padStart(6)} ms  dx ${dx.toFixed(0).padStart(6)} ms`,
  );
  tf.dispose([x, w, y, dy]);
}
