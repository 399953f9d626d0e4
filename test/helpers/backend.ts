/**
 * The backend for tests of the trainer and the pipeline, whose subject is not a backend: the native addon when it
 * is built (about 30x faster than tfjs' cpu backend on these models), tfjs' cpu backend otherwise. In CI the addon
 * must be there, so CI always runs them on native (and native's own tests check it against wasm and cpu).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/backends/index.js';
import { NATIVE_BUILT } from './native.js';

/** Sets the fast test backend: `native` when built (or in CI), else `cpu`. Returns its name. */
export async function useFastBackend(): Promise<string> {
  if (NATIVE_BUILT || process.env.CI) return useBackend('native');
  await tf.setBackend('cpu');
  return 'cpu';
}
