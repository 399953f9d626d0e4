/** Whether the native backend's addon is built; its tests skip without it, except in CI where it must be there. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nativeAddonPath } from '../../src/backends/native/addon.js';

export const NATIVE_BUILT = existsSync(nativeAddonPath() ?? '');

/** For `describe.skipIf(SKIP_NATIVE)`: skip when the addon is not built, unless CI is set (then the tests fail). */
export const SKIP_NATIVE = !NATIVE_BUILT && !process.env.CI;

/**
 * Runs `script` in a fresh Node process with the addon as `require(process.argv[1])` and TFJS_RESTORATION_GEMM set to
 * `gemm` ('generic' forces the portable kernels, '' the best the CPU has); returns what it printed, parsed as JSON.
 */
export function runWithAddon<T>(script: string, gemm: string): T {
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script, nativeAddonPath() ?? ''], {
      env: { ...process.env, TFJS_RESTORATION_GEMM: gemm },
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    }),
  ) as T;
}
