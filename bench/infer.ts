/**
 * Inference benchmark: U-Net (resnet34 encoder, 1->3) forward on each tfjs backend asked for (each in its own
 * process) and PyTorch (CPU, threads = cores, eval mode), side by side.
 * Run: npm run bench:infer -- [--backends native,wasm] [--batch 1] [--size 512] [--reps 5] [--threads N]
 * [--encoder resnet34] [--no-torch]
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BENCH_OPTIONS, positiveInt, runBenchmark, timeRuns, type Measurement } from './common.js';
import { inferencePass } from './workloads.js';

const { values } = parseArgs({
  options: {
    ...BENCH_OPTIONS,
    batch: { type: 'string', default: '1' },
    size: { type: 'string', default: '512' },
    reps: { type: 'string', default: '5' },
  },
});
const batch = positiveInt('batch', values.batch);
const size = positiveInt('size', values.size);
const reps = positiveInt('reps', values.reps);

/** One warm-up forward pass, then `reps` timed ones, on the backend this process runs. */
async function measure(backend: string): Promise<Measurement> {
  const pass = inferencePass({ encoder: values.encoder, batch, size });
  const result = await timeRuns(backend, 'pass', reps, batch, () => pass.run());
  pass.dispose();
  return result;
}

await runBenchmark({
  values,
  script: import.meta.url,
  describe:
    `inference: U-Net ${values.encoder} 1->3 forward, batch ${batch}, ${size}x${size}; ` +
    `median of ${reps} pass(es) after a warm-up`,
  unit: 'batch',
  target: 1.5,
  task: 'inference',
  measure,
  torch: {
    script: fileURLToPath(new URL('./torch_infer.py', import.meta.url)),
    args: ['--batch', `${batch}`, '--size', `${size}`, '--reps', `${reps}`, '--encoder', values.encoder],
    seconds: 'secondsPerBatch',
    cpuSeconds: 'cpuSecondsPerBatch',
  },
});
