/**
 * The benchmark matrix: U-Net training steps (L1 loss, Adam) and inference passes at several shapes and encoders,
 * each tfjs backend asked for (each cell in its own Node process) beside PyTorch (CPU, threads = cores) run right
 * after it, in one table with wall, CPU and peak-RSS ratios and issue 12's targets.
 * Run: npm run bench:train -- [--shapes train:4x256,infer:1x512,...] [--encoders resnet18,resnet34] [--steps 3]
 * [--rounds 1] [--backends native] [--threads N] [--no-torch] [--torch-device cuda]
 * (`--batch B --size S` alone: the one training shape BxS, as before.)
 * On a GPU machine: `--backends webgpu --torch-device cuda` puts tfjs on WebGPU beside PyTorch on CUDA; the CPU
 * targets are then not checked (bench/gpu/device.sh runs it there).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  machine,
  median,
  positiveInt,
  runChild,
  runTorch,
  spawnChild,
  table,
  threadsOption,
  timeRuns,
  type BackendResult,
} from './common.js';
import { inferencePass, trainingStep } from './workloads.js';

/** The default matrix (issue 12): training at the shapes people train at on a CPU, inference at two. */
const DEFAULT_SHAPES = 'train:4x256,train:8x128,train:16x128,train:1x512,infer:1x512,infer:8x256';

/** Issue 12's targets: wall time at most this many times PyTorch's, and peak RSS at most PyTorch's. */
const TARGET = { train: 1.0, infer: 0.8, rss: 1.0 };

const { values } = parseArgs({
  options: {
    shapes: { type: 'string' },
    encoders: { type: 'string' },
    encoder: { type: 'string' },
    batch: { type: 'string' },
    size: { type: 'string' },
    steps: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '1' },
    backends: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    'torch-device': { type: 'string', default: 'cpu' },
    // Internal: a child process measures one cell.
    child: { type: 'string' },
    task: { type: 'string' },
  },
});

type Task = 'train' | 'infer';

/** One cell of the matrix. */
interface Cell {
  task: Task;
  encoder: string;
  batch: number;
  size: number;
}

/** Parses `--shapes`: comma list of `train:BxS`, `infer:BxS` or `BxS` (training). */
function parseShapes(text: string): { task: Task; batch: number; size: number }[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(?:(train|infer):)?(\d+)x(\d+)$/.exec(s);
      if (!m || Number(m[2]) < 1 || Number(m[3]) < 1) {
        console.error(
          `--shapes: '${s}' is not train:BATCHxSIZE, infer:BATCHxSIZE or BATCHxSIZE (e.g. train:8x128)`,
        );
        process.exit(2);
      }
      return { task: (m[1] ?? 'train') as Task, batch: Number(m[2]), size: Number(m[3]) };
    });
}

const steps = positiveInt('steps', values.steps);
const torchDevice = values['torch-device'];
if (torchDevice !== 'cpu' && torchDevice !== 'cuda') {
  console.error(`--torch-device must be cpu or cuda, got '${torchDevice}'`);
  process.exit(2);
}
/** The GPUs PyTorch reported (CUDA runs), for the summary. */
const torchDevices = new Set<string>();

if (values.child !== undefined) {
  // Child: one cell on one backend.
  const cell: Cell = {
    task: values.task === 'infer' ? 'infer' : 'train',
    encoder: values.encoder ?? 'resnet34',
    batch: positiveInt('batch', values.batch),
    size: positiveInt('size', values.size),
  };
  await runChild(values.child, threadsOption(values), async (backend) => {
    const work = cell.task === 'train' ? trainingStep(cell) : inferencePass(cell);
    const result = await timeRuns(backend, cell.task === 'train' ? 'step' : 'pass', steps, cell.batch, () =>
      work.run(),
    );
    work.dispose();
    return result;
  });
} else {
  await parent();
}

/** PyTorch's figures for one cell (null when it could not run). */
interface TorchFigures {
  seconds: number;
  cpuSeconds: number;
  imagesPerSecond: number;
  peakRssMiB: number;
  label: string;
}

function torchCell(cell: Cell): TorchFigures | null {
  const script = cell.task === 'train' ? 'torch_train.py' : 'torch_infer.py';
  const t = runTorch(fileURLToPath(new URL(`./${script}`, import.meta.url)), [
    '--batch',
    `${cell.batch}`,
    '--size',
    `${cell.size}`,
    cell.task === 'train' ? '--steps' : '--reps',
    `${steps}`,
    '--encoder',
    cell.encoder,
    '--device',
    torchDevice,
  ]);
  if (!t) return null;
  if (t.device !== undefined) torchDevices.add(`${t.device} (cuDNN TF32 allowed: ${t.cudnnTf32})`);
  const per = cell.task === 'train' ? 'Step' : 'Batch';
  return {
    seconds: Number(t[`secondsPer${per}`]),
    cpuSeconds: Number(t[`cpuSecondsPer${per}`]),
    imagesPerSecond: Number(t.imagesPerSecond),
    peakRssMiB: Number(t.peakRssMiB),
    label: String(t.framework),
  };
}

/** Median of each field over rounds (peak RSS: the largest); images/s at the median wall time. */
function combine<
  T extends { seconds: number; cpuSeconds: number; imagesPerSecond: number; peakRssMiB: number },
>(runs: T[], batch: number): T | null {
  if (runs.length === 0) return null;
  const seconds = median(runs.map((r) => r.seconds));
  return {
    ...runs[0],
    seconds,
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    imagesPerSecond: batch / seconds,
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
  };
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

async function parent(): Promise<void> {
  threadsOption(values); // a bad --threads fails here, once, rather than in every child
  const rounds = positiveInt('rounds', values.rounds);
  const shapes =
    values.shapes !== undefined
      ? parseShapes(values.shapes)
      : values.batch !== undefined || values.size !== undefined
        ? [
            {
              task: 'train' as Task,
              batch: positiveInt('batch', values.batch ?? '4'),
              size: positiveInt('size', values.size ?? '256'),
            },
          ]
        : parseShapes(DEFAULT_SHAPES);
  const encoders = (values.encoders ?? values.encoder ?? 'resnet18,resnet34')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const backends = (values.backends ?? values.backend ?? 'native')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const cells: Cell[] = [];
  for (const task of ['train', 'infer'] as Task[]) {
    for (const encoder of encoders) {
      for (const s of shapes)
        if (s.task === task) cells.push({ task, encoder, batch: s.batch, size: s.size });
    }
  }
  console.log(`machine: ${machine()}; date ${new Date().toISOString()}; load average ${loadAverage()}`);
  console.log(
    `U-Net 1->3; training: L1 loss, adamW(1e-4) / torch.optim.Adam; inference: eval mode; PyTorch on ` +
      `${torchDevice}. Each cell: median of ` +
      `${steps} step(s)/pass(es) after a warm-up, in its own process; ${rounds} round(s) per cell, ` +
      `tfjs and PyTorch alternating`,
  );
  const rows: string[][] = [];
  const verdicts: string[] = [];
  let met = 0;
  let checked = 0;
  for (const cell of cells) {
    const name = `${cell.task} ${cell.encoder} ${cell.batch}@${cell.size}`;
    const per = new Map<string, BackendResult[]>();
    const torchRuns: TorchFigures[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const backend of backends) {
        const args = [
          '--child',
          backend,
          '--task',
          cell.task,
          '--encoder',
          cell.encoder,
          '--batch',
          `${cell.batch}`,
          '--size',
          `${cell.size}`,
          '--steps',
          `${steps}`,
          ...(values.threads !== undefined ? ['--threads', values.threads] : []),
        ];
        console.error(`${name}: ${backend} (round ${r + 1}/${rounds}, load average ${loadAverage()})`);
        const res = await spawnChild(import.meta.url, args, backend);
        if ('skipped' in res) console.log(`${name}: ${backend} skipped: ${res.skipped}`);
        else per.set(backend, [...(per.get(backend) ?? []), res]);
      }
      if (!values['no-torch']) {
        console.error(`${name}: pytorch (round ${r + 1}/${rounds})`);
        const t = torchCell(cell);
        if (t) torchRuns.push(t);
      }
    }
    const torch = combine(torchRuns, cell.batch);
    const ratio = (a: number, b: number | undefined) =>
      b === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? '-' : `${(a / b).toFixed(2)}x`;
    for (const backend of backends) {
      const m = combine(per.get(backend) ?? [], cell.batch);
      if (!m) continue;
      rows.push([
        cell.task,
        cell.encoder,
        `${cell.batch}@${cell.size}`,
        `${m.backend} (${m.threads})`,
        m.seconds.toFixed(3),
        m.imagesPerSecond.toFixed(2),
        m.cpuSeconds.toFixed(3),
        m.peakRssMiB.toFixed(0),
        torch ? torch.seconds.toFixed(3) : '-',
        torch ? torch.imagesPerSecond.toFixed(2) : '-',
        torch ? torch.cpuSeconds.toFixed(3) : '-',
        torch ? torch.peakRssMiB.toFixed(0) : '-',
        ratio(m.seconds, torch?.seconds),
        ratio(m.cpuSeconds, torch?.cpuSeconds),
        ratio(m.peakRssMiB, torch?.peakRssMiB),
      ]);
      if (torch && torchDevice === 'cpu') {
        const wallOk = m.seconds / torch.seconds <= TARGET[cell.task];
        const rssOk = m.peakRssMiB / torch.peakRssMiB <= TARGET.rss;
        checked++;
        if (wallOk && rssOk) met++;
        else {
          const why = [
            wallOk ? '' : `wall ${ratio(m.seconds, torch.seconds)} > ${TARGET[cell.task]}x`,
            rssOk ? '' : `peak RSS ${ratio(m.peakRssMiB, torch.peakRssMiB)} > ${TARGET.rss}x`,
          ].filter((w) => w !== '');
          verdicts.push(`${name} ${m.backend}: ${why.join(', ')}`);
        }
      }
    }
  }
  console.log(`load average at the end: ${loadAverage()}`);
  if (rows.length === 0) {
    console.log('nothing measured');
    return;
  }
  console.log(
    table(
      [
        'task',
        'encoder',
        'batch@size',
        'backend (threads)',
        's/step',
        'images/s',
        'CPU s',
        'peak RSS MiB',
        'PyTorch s',
        'PyTorch images/s',
        'PyTorch CPU s',
        'PyTorch RSS MiB',
        'wall ratio',
        'CPU ratio',
        'RSS ratio',
      ],
      rows,
    ),
  );
  for (const d of torchDevices) console.log(`PyTorch ran on ${d}`);
  if (checked === 0) {
    console.log(
      torchDevice === 'cpu'
        ? 'targets: not checked (no PyTorch figures)'
        : `targets: not checked (they are for the CPU; PyTorch ran on ${torchDevice})`,
    );
    return;
  }
  console.log(
    `targets (training <= ${TARGET.train}x PyTorch's wall time, inference <= ${TARGET.infer}x, peak RSS <= ` +
      `${TARGET.rss}x): met in ${met} of ${checked} cells`,
  );
  for (const v of verdicts) console.log(`  not met: ${v}`);
}
