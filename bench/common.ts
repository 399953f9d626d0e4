/** Shared bits of the benchmarks: machine description, PyTorch baseline runner, formatting. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';

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
