/**
 * Child process of test/pipeline/checkpoint.test.ts: saves checkpoints of a tiny pipeline into argv[2] in a loop,
 * each with its save number n (epoch n - 1) in the state, the optimizer tensor and the first weight, printing `begin N` and `end N`
 * around each save, until it is killed.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { directoryCheckpointer, readCheckpointState } from '../../src/pipeline/node.js';
import { tinyPipeline } from './pipeline.js';

await tf.setBackend('cpu');
const dir = process.argv[2];
const pipeline = tinyPipeline(3, 'reference');
const checkpointer = directoryCheckpointer(dir);
let n = ((await readCheckpointState(dir).catch(() => null))?.epoch ?? 0) + 1;
for (;;) {
  const first = pipeline.inpaint.weights[0];
  const value = tf.fill(first.shape as number[], n);
  first.write(value);
  value.dispose();
  const iter = tf.scalar(n, 'int32');
  process.stdout.write(`begin ${n}\n`);
  await checkpointer.save({
    state: {
      epoch: n,
      bestScore: n,
      bestEpoch: n % 2 === 0 ? n - 1 : n - 2, // best/ is written on even saves
      wait: 0,
      plateauLearningRate: 1e-3,
      plateauWait: 0,
      source: null,
      elapsedSeconds: n,
      stopReason: null,
      history: [],
    },
    pipeline,
    optimizer: [{ name: 'iter', tensor: iter }],
    best: n % 2 === 0,
  });
  iter.dispose();
  process.stdout.write(`end ${n}\n`);
  n++;
}
