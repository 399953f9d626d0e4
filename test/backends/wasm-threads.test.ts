import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { nodeWasmThreadsUnsupportedReason } from '../../src/backends/wasm-threads-node.js';

interface RunResult {
  threads: number;
  loss: number;
  out: number[];
  grads: number[][];
  leaked: number;
}

const helper = fileURLToPath(new URL('../helpers/wasm-threads-run.ts', import.meta.url));

/** Runs the helper in its own process (a backend starts once per process); fails if the process does not exit. */
async function run(threads: number): Promise<RunResult & { ms: number }> {
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', helper, String(threads)],
    {
      timeout: 60_000,
      maxBuffer: 1 << 26,
    },
  );
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as RunResult), ms: performance.now() - t0 };
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const unsupported = nodeWasmThreadsUnsupportedReason();
if (unsupported !== undefined) console.warn(`skipping the wasm threads test: ${unsupported}`);

describe('wasm backend with threads in Node', () => {
  it('rejects a thread count outside 1..8 before starting anything', async () => {
    await expect(useBackend('wasm', { threads: 0 })).rejects.toThrow(
      /threads must be an integer from 1 to 8, got 0/,
    );
    await expect(useBackend('wasm', { threads: 2.5 })).rejects.toThrow(/got 2\.5/);
  });

  it('warns when asked for threads after the backend started with another count', async () => {
    expect(await useBackend('wasm')).toBe('wasm');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(await useBackend('wasm', { threads: 2 })).toBe('wasm');
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/already started with 1 thread.*threads: 2/));
    } finally {
      warn.mockRestore();
    }
  });

  it.skipIf(unsupported !== undefined)(
    'runs 2 threads, gives the single-threaded results and lets the process exit',
    async () => {
      const [one, two] = await Promise.all([run(1), run(2)]);
      console.log(
        `wasm threads in use: ${one.threads} (${one.ms.toFixed(0)} ms) and ${two.threads} (${two.ms.toFixed(0)} ms)`,
      );
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      expect(maxAbsDiff(two.out, one.out)).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(two.loss - one.loss)).toBeLessThanOrEqual(1e-5);
      two.grads.forEach((g, i) => expect(maxAbsDiff(g, one.grads[i]!)).toBeLessThanOrEqual(1e-5));
      expect(one.out.some((v) => v !== 0)).toBe(true);
      expect([one.leaked, two.leaked]).toEqual([0, 0]);
    },
  );
});
