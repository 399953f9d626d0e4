/**
 * Smoke tests of the examples: examples/train-competition.ts on a tiny data set made by the `damage` CLI command,
 * and `npm run demo` (examples/demo.ts) in a tiny configuration.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { decodePng } from '../../src/image/index.js';
import { loadPipeline } from '../../src/pipeline/node.js';

const ROOT = resolve(import.meta.dirname, '../..');
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

describe('examples/demo.ts (npm run demo)', () => {
  it('trains, restores held-out photos, writes report.html, submission.zip and model/, ends with one JSON line', async () => {
    const out = join(dir, 'demo');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'mine.txt'), "not the demo's"); // another file in --out stays
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'examples/demo.ts'),
        ...['--out', out, '--seconds', '1', '--epochs', '1', '--batch', '2', '--train-limit', '2'],
        ...['--val', '1', '--tests', '2'],
      ],
      { cwd: ROOT, timeout: 120_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]);
    expect(Object.keys(r)).toEqual([
      'n',
      'score',
      'baselineScore',
      'classicalScore',
      'model',
      'report',
      'submission',
    ]);
    expect(r.n).toBe(2);
    for (const k of ['score', 'baselineScore', 'classicalScore']) expect(r[k]).toBeTypeOf('number');
    expect(r).toMatchObject({
      model: join(out, 'model'),
      report: join(out, 'report.html'),
      submission: join(out, 'submission.zip'),
    });
    const html = readFileSync(r.report, 'utf8');
    for (const t of [
      'gray input copied as RGB',
      'classical fill',
      'restored (this model)',
      'validation score per epoch',
    ])
      expect(html).toContain(t);
    expect(html.match(/<img [^>]*src="data:image\/png;base64,/g)).toHaveLength(2);
    const files = unzipSync(readFileSync(r.submission));
    expect(Object.keys(files).sort()).toEqual(['TEST_000.png', 'TEST_001.png']);
    expect(decodePng(files['TEST_000.png']).width).toBe(512);
    (await loadPipeline(r.model)).dispose();
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe("not the demo's");
    // 1 row (photos 0; 5, 10, 15 do not exist with --tests 2) of 4 pictures of 192 px with 4 px gaps
    const sheet = decodePng(readFileSync(join(out, 'contact-sheet.png')));
    expect([sheet.width, sheet.height]).toEqual([4 * 192 + 5 * 4, 192 + 2 * 4]);
  });
});
