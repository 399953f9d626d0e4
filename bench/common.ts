/**
 * Shared bits of the benchmarks: machine description, PyTorch baseline runner, one child process per backend
 * ({@link runBenchmark}) and the comparison table.
 */
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName } from '../src/backends/index.js';

/** One line describing this machine (CPU model, cores, memory, Node). */
export function machine(): string {
  const cpus = os.cpus();
  const mem = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${mem} GiB, Node ${process.version}`;
}

/** Runs a PyTorch baseline script and parses its JSON line; null (with a note) when python3/torch is missing. */
export function runTorch(script: string, args: string[]): Record<string, number | string> | null {
  // The system Python has torch (Debian's python3-torch); a pyenv shim earlier on PATH may not.
  const python = process.env.PYTHON ?? '/usr/bin/python3';
  try {
    const out = execFileSync(python, [script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = out.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as Record<string, number | string>;
  } catch (e) {
    console.log(
      `PyTorch baseline skipped (${python} ${script}): ${e instanceof Error ? e.message.split('\n')[0] : e}`,
    );
    return null;
  }
}

/** Peak resident set size of this process in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** CPU time (user + system) of this process in seconds: robust to other load on a shared machine. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU seconds of each thread of this process, busiest first (Linux only, from /proc/self/task; empty elsewhere).
 * Shows whether wasm pool threads share the work: with N threads busy, the top N are of similar size.
 */
export function threadCpuSeconds(): number[] {
  try {
    const tick = 100; // USER_HZ on Linux
    return readdirSync('/proc/self/task')
      .map((t) => {
        const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / tick; // utime, stime (fields 14, 15)
      })
      .sort((a, b) => b - a);
  } catch {
    return [];
  }
}

/** Backends measured when neither --backends nor --backend is given. */
export const DEFAULT_BACKENDS = 'native,wasm';

/**
 * Options bench:train and bench:infer share (each adds its workload's: --batch, --size, --steps or --reps). `child`
 * is internal: the parent passes `--child BACKEND` to the process it starts for that backend.
 */
export const BENCH_OPTIONS = {
  backends: { type: 'string' },
  backend: { type: 'string' },
  encoder: { type: 'string', default: 'resnet34' },
  threads: { type: 'string' },
  'no-torch': { type: 'boolean', default: false },
  child: { type: 'string' },
} as const;

/** The shared options as parseArgs returns them. */
export interface BenchValues {
  backends?: string;
  backend?: string;
  threads?: string;
  'no-torch'?: boolean;
  child?: string;
}

/** What a benchmark measures on one backend, in that backend's child process. */
export interface Measurement {
  /** Median wall seconds per step (training) or per batch (inference), warm-up excluded. */
  seconds: number;
  /** Median CPU seconds (user + system, all threads of the process) per step or batch. */
  cpuSeconds: number;
  /** Images per second at the median wall time. */
  imagesPerSecond: number;
}

/** One backend's result: the JSON line its child prints on stdout. */
export interface BackendResult extends Measurement {
  backend: string;
  /** Threads the backend computes with, as it reports them ('-' where it has no such setting). */
  threads: string;
  /** Peak RSS of the child process (MiB): model, activations and the backend's own overhead. */
  peakRssMiB: number;
}

/** What a child reports: its result, or why the backend could not be measured. */
export type ChildReport = BackendResult | { backend: string; skipped: string };

/** How {@link runBenchmark} runs one benchmark. */
export interface BenchSpec {
  /** The options as parsed (with {@link BENCH_OPTIONS}). */
  values: BenchValues;
  /** The benchmark script's own `import.meta.url`: each backend's child runs it again. */
  script: string;
  /** The workload, for the header line. */
  describe: string;
  /** Unit of the time columns: 'step' (training) or 'batch' (inference). */
  unit: 'step' | 'batch';
  /** Issue 5's target: wall time within this factor of PyTorch's ... */
  target: number;
  /** ... for this task ('training', 'inference'). */
  task: string;
  /** Runs the workload on the backend this process has just started; progress lines go to stderr. */
  measure(backend: string): Promise<Measurement>;
  /** The PyTorch reference: script path, its arguments, and the JSON keys of its wall and CPU seconds. */
  torch: { script: string; args: string[]; seconds: string; cpuSeconds: string };
}

/** The backends to measure: --backends (comma list), else the old --backend as a one-element list. */
export function backendList(values: BenchValues): string[] {
  const list = values.backends ?? values.backend ?? DEFAULT_BACKENDS;
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/**
 * Runs `run` once to warm up (operators built, kernels compiled, buffers allocated), then `count` timed times,
 * printing each run's wall and CPU time to stderr; returns the medians and images/s for `batch` images a run.
 */
export async function timeRuns(
  backend: string,
  label: string,
  count: number,
  batch: number,
  run: () => Promise<void>,
): Promise<Measurement> {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i <= count; i++) {
    const t0 = performance.now();
    const c0 = cpuSeconds();
    await run();
    const s = (performance.now() - t0) / 1000;
    const c = cpuSeconds() - c0;
    if (i > 0) {
      times.push(s);
      cpuTimes.push(c);
    }
    console.error(
      `${backend}: ${i === 0 ? 'warm-up' : label} ${i}: ${s.toFixed(3)} s wall, ${c.toFixed(3)} s CPU`,
    );
  }
  return { seconds: median(times), cpuSeconds: median(cpuTimes), imagesPerSecond: batch / median(times) };
}

/** Parses a whole-number option (--batch, --steps, ...); exits with a message naming it when it is not one. */
export function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got '${value}'`);
    process.exit(2);
  }
  return n;
}

/** --threads as a number; undefined (each backend's own default) when not given. */
export function threadsOption(values: BenchValues): number | undefined {
  return values.threads === undefined ? undefined : positiveInt('threads', values.threads);
}

/** Starts `name` in this process; returns the thread count it computes with. */
async function startBackend(name: string, threads: number | undefined): Promise<string> {
  await useBackend(name as BackendName, threads === undefined ? {} : { threads });
  // NaN checks read every kernel output back: not part of what is measured.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  switch (name) {
    case 'native': {
      const { loadNativeAddon } = await import('../src/backends/native/addon.js');
      return String(loadNativeAddon().getThreads());
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      return String(wasm.getThreadsCount());
    }
    case 'cpu':
      return '1';
    case 'webgpu': {
      console.error(`webgpu: adapter ${await webGpuAdapterName()}`);
      return '-';
    }
    default:
      return '-';
  }
}

/** The WebGPU adapter's vendor, architecture and device as Dawn (or a browser) reports them. */
async function webGpuAdapterName(): Promise<string> {
  type Info = { vendor?: string; architecture?: string; device?: string; description?: string };
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: Info } | null> } } })
    .navigator?.gpu;
  const info = (await gpu?.requestAdapter())?.info;
  if (!info) return 'unknown';
  return (
    [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(', ') || 'unknown'
  );
}

/**
 * Child side: starts one backend (with `threads`, or its default), runs `measure` on it, prints the result (or why
 * the backend could not start) as one JSON line on stdout; progress goes to stderr.
 */
export async function runChild(
  backend: string,
  threads: number | undefined,
  measure: (backend: string) => Promise<Measurement>,
): Promise<void> {
  // stdout carries the result line only: whatever the libraries log joins the progress lines on stderr.
  const write = (report: ChildReport) => process.stdout.write(JSON.stringify(report) + '\n');
  console.log = console.error;
  console.info = console.error;
  let used: string;
  try {
    used = await startBackend(backend, threads);
  } catch (e) {
    write({ backend, skipped: e instanceof Error ? e.message : String(e) });
    return;
  }
  console.error(`${backend}: started, ${used} thread(s)`);
  const m = await measure(backend);
  const busiest = threadCpuSeconds().slice(0, 3);
  if (busiest.length)
    console.error(`${backend}: CPU s of the busiest threads: ${busiest.map((c) => c.toFixed(1)).join(', ')}`);
  write({ backend, threads: used, ...m, peakRssMiB: peakRssMiB() });
}

/**
 * Parent side: runs `script` again with `args` (which name the backend with `--child BACKEND`) in a fresh Node
 * process (so peak RSS, JIT and kernel warm-up belong to that run alone), its stderr shown as it comes, its last
 * stdout line parsed.
 */
export function spawnChild(script: string, args: string[], backend: string): Promise<ChildReport> {
  // A bundled bench (.mjs, as bench/gpu/pack.sh makes) runs on plain Node; the TypeScript sources through tsx.
  const path = fileURLToPath(script);
  const argv = path.endsWith('.ts')
    ? ['--import', import.meta.resolve('tsx'), path, ...args]
    : [path, ...args];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (e) => resolve({ backend, skipped: `could not start a child process: ${e.message}` }));
    child.on('close', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code === 0) return resolve(JSON.parse(line) as ChildReport);
      } catch {
        // fall through: no result line
      }
      const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
      resolve({ backend, skipped: `its process failed (${how}; its errors are above)` });
    });
  });
}

/** Formats rows as a Markdown table with padded columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The comparison table and one target line per backend. */
function report(spec: BenchSpec, results: BackendResult[], torch: TorchResult | null): void {
  const ratio = (a: number, b: number | undefined) =>
    b === undefined || !Number.isFinite(b) || !Number.isFinite(a) ? '-' : `${(a / b).toFixed(2)}x`;
  const u = spec.unit;
  const header = [
    'backend',
    'threads',
    `s/${u} (wall, median)`,
    `CPU s/${u}`,
    'images/s',
    'peak RSS MiB',
    'wall ratio to PyTorch',
    'CPU ratio',
  ];
  const row = (name: string, threads: string, r: Measurement, rss: number) => [
    name,
    threads,
    r.seconds.toFixed(3),
    Number.isFinite(r.cpuSeconds) ? r.cpuSeconds.toFixed(3) : '-',
    r.imagesPerSecond.toFixed(2),
    Number.isFinite(rss) ? rss.toFixed(0) : '-',
    ratio(r.seconds, torch?.seconds),
    ratio(r.cpuSeconds, torch?.cpuSeconds),
  ];
  const rows = results.map((r) => row(`tfjs ${r.backend}`, r.threads, r, r.peakRssMiB));
  if (torch) rows.push(row(torch.label, torch.threads, torch, torch.peakRssMiB));
  if (rows.length === 0) {
    console.log('nothing measured');
    return;
  }
  console.log(table(header, rows));
  for (const r of results) {
    const goal = `target: within ${spec.target}x of PyTorch (${spec.task})`;
    if (!torch) {
      console.log(`${r.backend}: ${goal}: not checked (no PyTorch figure)`);
      continue;
    }
    const wall = r.seconds / torch.seconds;
    console.log(
      `${r.backend}: ${goal}: ${wall <= spec.target ? 'met' : 'not met'} (${wall.toFixed(2)}x wall time; CPU time ` +
        `${ratio(r.cpuSeconds, torch.cpuSeconds)})`,
    );
  }
}

/** The PyTorch reference's figures, for the table's last row. */
interface TorchResult extends Measurement {
  label: string;
  threads: string;
  peakRssMiB: number;
}

/** Runs the PyTorch reference and reads its figures; null when skipped or unavailable. */
function torchReference(spec: BenchSpec): TorchResult | null {
  if (spec.values['no-torch']) return null;
  console.error('pytorch: running', spec.torch.script);
  const t = runTorch(spec.torch.script, spec.torch.args);
  if (!t) return null;
  const seconds = Number(t[spec.torch.seconds]);
  return {
    label: String(t.framework).replace(/^pytorch/, 'PyTorch'),
    threads: String(t.threads),
    seconds,
    cpuSeconds: Number(t[spec.torch.cpuSeconds]),
    imagesPerSecond: Number(t.imagesPerSecond),
    peakRssMiB: Number(t.peakRssMiB),
  };
}

/**
 * The whole benchmark. As a child (`--child BACKEND`): measure that backend, print one JSON line. Otherwise: one
 * child per backend of --backends in turn, then the PyTorch reference, then the table and the target lines.
 */
export async function runBenchmark(spec: BenchSpec): Promise<void> {
  if (spec.values.child !== undefined) {
    return runChild(spec.values.child, threadsOption(spec.values), spec.measure);
  }
  threadsOption(spec.values); // a bad --threads fails here, once, rather than in every child
  console.log(`machine: ${machine()}; date ${new Date().toISOString()}`);
  console.log(spec.describe);
  const results: BackendResult[] = [];
  for (const backend of backendList(spec.values)) {
    const r = await spawnChild(spec.script, [...process.argv.slice(2), '--child', backend], backend);
    if ('skipped' in r) console.log(`${backend}: skipped: ${r.skipped}`);
    else results.push(r);
  }
  report(spec, results, torchReference(spec));
}
