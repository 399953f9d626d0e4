import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend, type BackendName } from '../../src/backends/index.js';

describe('useBackend', () => {
  it('starts cpu and wasm and makes each the current backend', async () => {
    expect(await useBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await useBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await y.data())).toEqual([4, 6]);
    // Starting an already started backend is fine.
    expect(await useBackend('wasm')).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('rejects an unknown name, listing the known ones', async () => {
    await expect(useBackend('metal' as BackendName)).rejects.toThrow(
      /unknown backend 'metal'.*cpu, native, wasm, webgpu/,
    );
  });

  it('says why webgl cannot start in Node and what to do', async () => {
    await expect(useBackend('webgl')).rejects.toThrow(/webgl.*needs a browser.*Install it with/);
  });

  it('names the package to install when tfjs-node is missing', async () => {
    await expect(useBackend('tensorflow')).rejects.toThrow(/tfjs-node.*npm install @tensorflow\/tfjs-node/);
  });
});
