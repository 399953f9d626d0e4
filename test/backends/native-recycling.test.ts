/**
 * The native backend reuses the arrays of disposed tensors for new outputs. It must never reuse one that something
 * else can still see: an array read out with dataSync, or one a view (a CPU-kernel slice) still refers to.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { SKIP_NATIVE } from '../helpers/native.js';

/** Many kernel outputs of every size seen so far: any recycled array gets overwritten. */
function churn(shape: number[]): void {
  for (let i = 0; i < 20; i++) {
    tf.tidy(() => tf.relu(tf.add(tf.fill(shape, -i), tf.scalar(i * 2))));
  }
}

describe.skipIf(SKIP_NATIVE)('native backend: recycled output arrays', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('native');
  });

  it('reuses the array of a disposed kernel output for the next output of that length', () => {
    const a = tf.relu(tf.fill([64, 64], 1));
    const values = (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(
      a.dataId,
    ).values;
    a.dispose();
    const b = tf.relu(tf.fill([64, 64], 2));
    const reused = (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(
      b.dataId,
    ).values;
    expect(reused).toBe(values);
    b.dispose();
  });

  it('recycles the outputs of a kernel with several (split) into the next outputs of their length', () => {
    const backend = tf.backend() as unknown as { data: { get(id: object): { values: unknown } } };
    const x = tf.fill([2, 5, 7], 1.5);
    const [a, b] = tf.split(x, [3, 4], 2);
    expect(Array.from(b.dataSync().slice(0, 4))).toEqual([1.5, 1.5, 1.5, 1.5]);
    const values = backend.data.get(a.dataId).values;
    a.dispose();
    const c = tf.relu(tf.fill([2, 5, 3], 2));
    expect(backend.data.get(c.dataId).values).toBe(values);
    tf.dispose([x, b, c]);
  });

  it('releaseFreeArrays empties the free list (nothing is reused after it)', () => {
    const backend = tf.backend() as unknown as {
      releaseFreeArrays(): void;
      data: { get(id: object): { values: unknown } };
    };
    const a = tf.relu(tf.fill([48, 48], 1));
    const values = backend.data.get(a.dataId).values;
    a.dispose();
    backend.releaseFreeArrays();
    const b = tf.relu(tf.fill([48, 48], 2));
    expect(backend.data.get(b.dataId).values).not.toBe(values);
    b.dispose();
  });

  it('never reuses an array that was read out with dataSync', () => {
    const a = tf.relu(tf.fill([32, 33], 3));
    const read = a.dataSync();
    a.dispose();
    churn([32, 33]);
    expect(Array.from(read).every((v) => v === 3)).toBe(true);
  });

  it('never reuses an array that a slice (a view on the CPU backend) still refers to', () => {
    const a = tf.relu(tf.fill([8, 16, 16], 5));
    const view = tf.slice(a, [0], [4]); // outermost-axis slice: the CPU kernel returns a subarray view
    a.dispose();
    churn([8, 16, 16]);
    expect(Array.from(view.dataSync()).every((v) => v === 5)).toBe(true);
    view.dispose();
  });

  it('keeps the values of tensors made from user arrays intact', () => {
    const user = new Float32Array(100).fill(7);
    const t = tf.tensor(user);
    const r = tf.relu(t);
    t.dispose();
    r.dispose();
    churn([100]);
    expect(Array.from(user).every((v) => v === 7)).toBe(true);
  });

  it('leaks no tensors and gives the same results as the cpu backend over a chain of ops', async () => {
    const run = (): number[] =>
      tf.tidy(() => {
        let x: tf.Tensor = tf.reshape(tf.range(0, 4096, 1, 'float32'), [4, 32, 32]);
        for (let i = 0; i < 10; i++) x = tf.sub(tf.mul(tf.relu(x), 0.5), tf.mean(x, [1, 2], true));
        return Array.from(x.dataSync());
      });
    await tf.setBackend('cpu');
    const ref = run();
    await tf.setBackend('native');
    const start = tf.memory().numTensors;
    const got = run();
    expect(tf.memory().numTensors).toBe(start);
    expect(got).toEqual(ref);
  });
});

describe.skipIf(SKIP_NATIVE)('native backend: float32 tensors cast from int32 or bool', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('native');
  });

  it('convert on Cast, and kernels accept the CPU backend cast tensors too', async () => {
    const run = (): number[] =>
      tf.tidy(() => {
        const mask = tf.cast(tf.greater(tf.tensor4d([0, 2, 0, 3, 1, 0, 5, 0], [1, 2, 2, 2]), 0), 'float32');
        const ints = tf.cast(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2], 'int32'), 'float32');
        return Array.from(tf.concat([tf.mul(mask, ints), tf.relu(ints)], 3).dataSync());
      });
    await tf.setBackend('cpu');
    const ref = run();
    await tf.setBackend('native');
    expect(run()).toEqual(ref);
    // A float32 tensor holding an Int32Array (what the CPU backend's own Cast leaves) still works in native kernels.
    const odd = tf.tensor1d([1, -2, 3], 'int32');
    const info = tf.engine().makeTensorFromTensorInfo({ dataId: odd.dataId, shape: [3], dtype: 'float32' });
    expect(Array.from(tf.relu(info).dataSync())).toEqual([1, 0, 3]);
    tf.dispose([odd, info]);
  });
});
