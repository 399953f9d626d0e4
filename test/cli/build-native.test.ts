/** The build-native command and native/build.mjs: usage errors (the build itself runs at npm install and in CI). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

function capture(): { io: Parameters<typeof runCli>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false },
    out: () => out,
    err: () => err,
  };
}

describe('build-native', () => {
  it('prints its usage with --help', async () => {
    const c = capture();
    expect(await runCli(['build-native', '--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/Usage: tfjs-restoration build-native/);
  });

  it('rejects an unknown option with exit code 2, naming it', async () => {
    const c = capture();
    expect(await runCli(['build-native', '--fast'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown option '--fast'; valid options: --quiet/);
  });

  it('native/build.mjs rejects an unknown option with exit code 2', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['native/build.mjs', '--fast'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: unknown }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/unknown option '--fast'; valid options: --if-possible, --quiet/);
  });
});
