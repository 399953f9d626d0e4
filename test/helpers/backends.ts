/** Shared helpers for the backend tests: seeded data, a tiny conv net, comparisons. */
import '@tensorflow/tfjs-layers'; // registers the op gradients (tfjs-core's Node build has none)
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../src/random/rng.js';

/** A conv2d padding as tf.conv2d takes it. */
export type ConvPad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** One conv2d test case: NHWC input n x h x w x ci, k x k filter to co channels. */
export interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
  pad: ConvPad;
  dilation?: number;
}

/** Seeded values uniform in [-1, 1). */
export function randomValues(size: number, seed: number): Float32Array {
  const next = createRng(seed, { raw: true }).float; // the raw mulberry32 stream
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = next() * 2 - 1;
  return out;
}

/** max |a - b| / max |b| (b the reference); 0 when both are all zeros. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export interface TinyNetResult {
  loss: number;
  /** Gradients by variable name. */
  grads: Record<string, Float32Array>;
  /** Variable values after one Adam step. */
  after: Record<string, Float32Array>;
}

/**
 * One training step of a tiny conv net (conv-BN-relu x2 then a 1x1 conv head, L1 loss, Adam) on the current
 * backend, from seeded weights and data. Everything is created and disposed inside.
 */
export async function tinyNetStep(
  opts: { batch?: number; size?: number; seed?: number } = {},
): Promise<TinyNetResult> {
  const { batch = 2, size = 16, seed = 7 } = opts;
  const shapes: Record<string, number[]> = {
    w1: [3, 3, 1, 8],
    g1: [8],
    b1: [8],
    w2: [3, 3, 8, 16],
    g2: [16],
    b2: [16],
    w3: [1, 1, 16, 3],
  };
  const vars: Record<string, tf.Variable> = {};
  let s = seed;
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const init = name.startsWith('g')
      ? new Float32Array(n).fill(1)
      : name.startsWith('b')
        ? new Float32Array(n)
        : randomValues(n, ++s).map((v) => v * 0.5);
    const initial = tf.tensor(init, shape);
    vars[name] = tf.variable(initial, true, `${name}_${seed}_${Math.random()}`);
    initial.dispose();
  }
  const x = tf.tensor4d(randomValues(batch * size * size, 101), [batch, size, size, 1]);
  const y = tf.tensor4d(randomValues(batch * size * size * 3, 102), [batch, size, size, 3]);
  const bn = (t: tf.Tensor4D, g: tf.Variable, b: tf.Variable): tf.Tensor4D => {
    const { mean, variance } = tf.moments(t, [0, 1, 2]);
    return tf.batchNorm4d(
      t,
      mean as tf.Tensor1D,
      variance as tf.Tensor1D,
      b as tf.Tensor1D,
      g as tf.Tensor1D,
      1e-5,
    );
  };
  const lossFn = (): tf.Scalar => {
    let h = tf.conv2d(x, vars.w1 as tf.Tensor4D, 1, 'same');
    h = tf.relu(bn(h, vars.g1, vars.b1));
    h = tf.conv2d(h, vars.w2 as tf.Tensor4D, 2, 'same');
    h = tf.relu(bn(h, vars.g2, vars.b2));
    h = tf.conv2d(h, vars.w3 as tf.Tensor4D, 1, 'valid');
    h = tf.image.resizeBilinear(h, [size, size]) as tf.Tensor4D;
    return tf.mean(tf.abs(tf.sub(h, y)));
  };
  const names = Object.keys(vars);
  const { value, grads } = tf.variableGrads(
    lossFn,
    names.map((n) => vars[n]),
  );
  const loss = (await value.data())[0];
  const out: TinyNetResult = { loss, grads: {}, after: {} };
  for (const n of names) out.grads[n] = (await grads[vars[n].name].data()) as Float32Array;
  const opt = tf.train.adam(1e-2);
  opt.applyGradients(grads as Record<string, tf.Variable>);
  for (const n of names) out.after[n] = (await vars[n].data()) as Float32Array;
  opt.dispose();
  tf.dispose([value, x, y]);
  tf.dispose(grads);
  for (const v of Object.values(vars)) v.dispose();
  return out;
}
