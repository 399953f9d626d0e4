/**
 * Multithreaded tfjs-backend-wasm in Node, without patching the installed package.
 *
 * tfjs-backend-wasm 4.22 switches threads off in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false there, tfjs issue
 * #3830) for three reasons, each worked around here for the duration of backend start-up only:
 *
 * 1. Its Emscripten pthread workers are started from a `blob:` URL (`URL.createObjectURL` of the worker script),
 *    which Node's `worker_threads.Worker` rejects. While the backend starts, `URL.createObjectURL` hands out, for
 *    that one JavaScript blob, a `data:` URL object (which Node's Worker accepts) of a small ES module that loads
 *    the package's own `wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`.
 * 2. Each worker then loads the main script from a Blob (the bundled factory's source, which refers to the
 *    bundle's private variables and cannot run on its own). Inside the worker, the module above answers
 *    `URL.createObjectURL` with the path of the package's unbundled `wasm-out/tfjs-backend-wasm-threaded-simd.js`,
 *    the same Emscripten glue as a plain script.
 * 3. The C++ side caps the thread pool at `emscripten_num_logical_cores() / 2` (it assumes hyper-threading),
 *    which Node answers with `os.cpus().length`: one thread on a 2-core machine. While the backend starts,
 *    `os.cpus()` lists each real CPU entry twice as many times as needed for the requested count.
 *
 * Both globals are restored as soon as the backend has started. The Emscripten runtime `unref()`s idle workers but
 * `ref()`s those running a thread, and XNNPACK's pool threads run for the life of the backend: they would keep the
 * process from exiting, so they are `unref()`ed too (they only ever work while the main thread waits for them, so no
 * work can be cut short).
 */

/** Where the unbundled threaded Emscripten glue of tfjs-backend-wasm lives. */
interface ThreadedGluePaths {
  mainScript: string;
  workerScript: string;
}

/** Why threads cannot run here, or undefined when they can. */
export function nodeWasmThreadsUnsupportedReason(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  if (typeof URL.createObjectURL !== 'function') return 'URL.createObjectURL is not available';
  return undefined;
}

async function threadedGluePaths(distDir: string): Promise<ThreadedGluePaths> {
  const path = await import('node:path');
  const fs = await import('node:fs');
  const wasmOut = path.join(distDir, '..', 'wasm-out');
  const mainScript = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const workerScript = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js');
  for (const file of [mainScript, workerScript]) {
    if (!fs.existsSync(file)) {
      throw new Error(
        `wasm threads: expected the threaded Emscripten glue at ${file}, but it does not exist`,
      );
    }
  }
  return { mainScript, workerScript };
}

/**
 * Source of the ES module each pthread worker starts from. It makes the environment the Emscripten worker script
 * expects of a CommonJS script (`require`, `__filename`), reports crashes (a silently dead worker would leave the
 * main thread waiting for it forever), and evaluates the package's worker script.
 */
function workerBootstrapSource({ mainScript, workerScript }: ThreadedGluePaths): string {
  return [
    "import { createRequire } from 'node:module';",
    `const mainScript = ${JSON.stringify(mainScript)};`,
    'const req = createRequire(mainScript);',
    'globalThis.require = req;',
    'globalThis.__filename = mainScript;',
    // The worker asks for an object URL of the main script's Blob only to load it; give it the real file instead.
    'URL.createObjectURL = () => mainScript;',
    'URL.revokeObjectURL = () => {};',
    "const fs = req('fs');",
    "process.on('uncaughtException', (e) => { fs.writeSync(2, 'tfjs-restoration wasm thread crashed: ' + " +
      "(e && e.stack ? e.stack : String(e)) + '\\n'); process.exit(1); });",
    // The script is a JavaScript string literal in a CommonJS module; its '\n' escapes became real newlines
    // inside string literals, so escape them again before evaluating it (as tfjs-backend-wasm does).
    `const source = req(${JSON.stringify(workerScript)}).wasmWorkerContents.replace(/\\n/g, '\\\\n');`,
    '(0, eval)(source);',
  ].join('\n');
}

/** The parts of the started backend's Emscripten module used here. */
interface WasmBackendWithPThreads {
  wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[] } };
}

/** Lets the process exit although the backend's pool threads are alive (see the module comment). */
export function unrefWasmThreads(backend: unknown): number {
  const workers = (backend as WasmBackendWithPThreads | null)?.wasm?.PThread?.runningWorkers ?? [];
  for (const worker of workers) worker.unref?.();
  return workers.length;
}

/**
 * Sets tfjs-backend-wasm up to start multithreaded in Node with `threads` threads and returns the function that
 * restores the patched globals and unrefs the pool threads (call it once the backend has started or failed to, with
 * the started backend or null).
 *
 * @param wasmModule the imported `@tensorflow/tfjs-backend-wasm` module.
 * @param distDir the package's `dist/` directory (trailing separator optional).
 * @param threads wanted thread count, 2..8 (the backend's own maximum).
 */
export async function prepareNodeWasmThreads(
  wasmModule: { setThreadsCount(n: number): void },
  setFlag: (name: string, value: boolean) => void,
  distDir: string,
  threads: number,
): Promise<(backend: unknown) => void> {
  const reason = nodeWasmThreadsUnsupportedReason();
  if (reason !== undefined) throw new Error(`wasm threads: ${reason}`);
  await import('node:worker_threads'); // throws where this Node build has no worker_threads
  const glue = await threadedGluePaths(distDir);
  const os = (await import('node:os')).default;
  const workerUrl = new URL('data:text/javascript,' + encodeURIComponent(workerBootstrapSource(glue)));

  setFlag('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmModule.setThreadsCount(threads);

  const originalCreateObjectURL = URL.createObjectURL;
  const originalCpus = os.cpus;
  URL.createObjectURL = ((obj: Blob) =>
    obj instanceof Blob && obj.type === 'application/javascript'
      ? (workerUrl as unknown as string) // Emscripten passes it straight to `new Worker`, which takes URL objects
      : originalCreateObjectURL(obj)) as typeof URL.createObjectURL;
  os.cpus = () => {
    const real = originalCpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]!);
  };
  return (backend) => {
    URL.createObjectURL = originalCreateObjectURL;
    os.cpus = originalCpus;
    unrefWasmThreads(backend);
  };
}
