/** The inspect command, inspectDataset and datasetReportHtml, on a small dataset made by the damage command. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { decodePng, toGray } from '../../src/image/index.js';
import { readPng } from '../../src/node/index.js';
import { datasetReportHtml } from '../../src/pipeline/inspect.js';
import { inspectDataset } from '../../src/pipeline/inspect-node.js';

const PHOTOS = path.resolve(import.meta.dirname, '..', 'fixtures', 'photos-masks');
let root: string;
const d = (...p: string[]) => path.join(root, ...p);

async function cli(argv: string[], stderrIsTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'cli-inspect-'));
  const args = ['--photos', PHOTOS, '--count', '6', '--test', '3', '--size', '64', '--seed', '3'];
  const made = await cli(['damage', ...args, '--out', d('data')]);
  expect(made.code, made.stderr).toBe(0);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('inspectDataset', () => {
  it('counts rows and formats, and measures lost regions and colors', async () => {
    const report = await inspectDataset(d('data'), { samples: 4 });
    expect(report.counts).toEqual({ train: 6, test: 3, trainInspected: 6, testInspected: 3 });
    expect(report.formats).toEqual({
      train_input: { '64x64 L 8-bit': 6 },
      train_gt: { '64x64 RGB 8-bit': 6 },
      test_input: { '64x64 L 8-bit': 3 },
    });
    // Each train pair: coverage and fill value straight from the files.
    for (let k = 0; k < 6; k++) {
      const name = `TRAIN_${String(k).padStart(5, '0')}.png`;
      const input = await readPng(d('data', 'train_input', name), { channels: 1 });
      const gray = toGray(await readPng(d('data', 'train_gt', name), { channels: 3 }));
      const lost = input.data.filter((v, i) => v !== gray.data[i]);
      expect(report.train.coverage[k]).toBeCloseTo(lost.length / (64 * 64), 12);
      expect(report.train.fill[lost[0]]).toBeGreaterThan(0); // the damage's one fill value
    }
    expect(report.train.fill.reduce((a, b) => a + b, 0)).toBe(6);
    expect(report.test.coverage).toHaveLength(3);
    expect(report.test.coverage.every((c) => c > 0.02 && c < 0.15)).toBe(true);
    expect(report.color.pixels).toBe(6 * 64 * 64);
    expect(report.color.hue.reduce((a, b) => a + b, 0)).toBe(6 * 64 * 64);
    for (const m of report.color.mean) expect(m).toBeGreaterThan(10);
    for (const s of report.color.std) expect(s).toBeGreaterThan(5);
    expect(report.samples.map((s) => s.id)).toEqual([
      'TRAIN_00000',
      'TRAIN_00001',
      'TRAIN_00002',
      'TRAIN_00003',
    ]);
  });

  it('samples --limit rows per split with a seed, reproducibly', async () => {
    const a = await inspectDataset(d('data'), { limit: 2, seed: 5 });
    const b = await inspectDataset(d('data'), { limit: 2, seed: 5 });
    const c = await inspectDataset(d('data'), { limit: 2, seed: 6 });
    expect(a.counts).toEqual({ train: 6, test: 3, trainInspected: 2, testInspected: 2 });
    expect(a.train.coverage).toEqual(b.train.coverage);
    expect(a.samples.map((s) => s.id)).not.toEqual(c.samples.map((s) => s.id));
    await expect(inspectDataset(d('nothing'))).rejects.toThrow(/no train\.csv or test\.csv/);
    await expect(inspectDataset(d('data'), { limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
  });
});

describe('tfjs-restoration inspect', () => {
  it('writes one self-contained HTML page with charts and a contact sheet', async () => {
    const r = await cli(['inspect', '--data', d('data'), '--out', d('report.html'), '--samples', '3'], true);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      out: d('report.html'),
      train: 6,
      test: 3,
      trainInspected: 6,
      testInspected: 3,
    });
    expect(r.stderr).toMatch(/inspect \[#+\] 9\/9 ETA/);
    const html = await fs.readFile(d('report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const heading of [
      'Counts',
      'Image modes and sizes',
      'Lost regions',
      'Colors of the ground truth',
      'Samples',
    ])
      expect(html).toContain(`<h2>${heading}`);
    expect(html.match(/<svg /g)).toHaveLength(5); // coverage + fill for train and test, hue
    expect(html).not.toMatch(/(src|href)="(?!data:)/); // nothing external
    const uri = /src="data:image\/png;base64,([^"]+)"/.exec(html)![1];
    const sheet = decodePng(Buffer.from(uri, 'base64'));
    expect(sheet.width).toBe(4 + 4 * (64 + 4)); // two pairs a row
    expect(sheet.height).toBe(4 + 2 * (64 + 4)); // 3 pairs: two rows
    // datasetReportHtml escapes what it prints
    const report = await inspectDataset(d('data'), { limit: 1 });
    expect(datasetReportHtml({ ...report, root: '<x>' })).toContain('Dataset report: &#60;x&#62;');
  });

  it('names bad arguments', async () => {
    let r = await cli(['inspect', '--data', d('data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --out FILE.html');
    r = await cli(['inspect', '--data', d('data'), '--out', d('r.html'), '--limit', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--limit' expects a value >= 1, got '0'");
  });
});
