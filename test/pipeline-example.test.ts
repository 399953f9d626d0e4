/** Smoke test of examples/train-competition.ts on a tiny data set made by the `damage` CLI command. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { decodePng } from '../src/image/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pipeline-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/train-competition.ts', () => {
  it('trains (a run directory), writes predictions, submission.zip (names at the root) and loss.png', async () => {
    const data = join(dir, 'data');
    const quiet = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false };
    const made = await runCli(
      [
        'damage',
        '--photos',
        join(ROOT, 'test/fixtures/photos-masks'),
        '--out',
        data,
        '--count',
        '4',
        '--test',
        '2',
        '--size',
        '64',
        '--seed',
        '3',
      ],
      quiet,
    );
    expect(made).toBe(0);
    const out = join(dir, 'out');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'examples/train-competition.ts'),
        ...['--data', data, '--out', out, '--size', '32', '--encoder', 'resnet18', '--encoder-width', '4'],
        ...['--decoder-channels', '16,8,8,4,4', '--epochs', '1', '--batch', '2', '--val-fraction', '0.3'],
        ...['--backend', 'cpu', '--preset', 'reference'],
      ],
      { cwd: ROOT, timeout: 60_000 },
    );
    expect(stdout).toMatch(/3 train, 1 validation/);
    expect(stdout).toMatch(/wrote 2 predictions/);
    for (const f of [
      'run/best/pipeline.json',
      'run/best/inpaint/model.json',
      'run/best/colorize/weights.bin',
      'run/last/optimizer.bin',
      'run/log.jsonl',
      'loss.png',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    const files = unzipSync(readFileSync(join(out, 'submission.zip')));
    expect(Object.keys(files).sort()).toEqual(['TEST_000.png', 'TEST_001.png']);
    const png = decodePng(files['TEST_000.png']);
    expect([png.width, png.height, png.channels]).toEqual([64, 64, 3]);
    expect(
      Buffer.from(files['TEST_001.png']).equals(readFileSync(join(out, 'predictions/TEST_001.png'))),
    ).toBe(true);
  });
});
