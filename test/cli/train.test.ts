/** The train command (trainOnDataset) with a tiny pipeline at 32x32 on the cpu backend. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';
import { writePlaceLabels } from '../../src/node/index.js';
import { parseTrainOptions, readTrainLog } from '../../src/pipeline/node.js';

const PHOTOS = path.resolve(import.meta.dirname, '..', 'fixtures', 'photos-masks');
let root: string;
const d = (...p: string[]) => path.join(root, ...p);

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const TINY = [
  ...['--preset', 'reference', '--encoder', 'resnet18', '--encoder-width', '4'],
  ...['--decoder-channels', '16,8,8,4,4', '--size', '32', '--batch', '2', '--backend', 'cpu', '--seed', '1'],
];

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await fs.mkdtemp(path.join(tmpdir(), 'cli-train-'));
  const made = await cli(['damage', '--photos', PHOTOS, '--out', d('data'), '--count', '4', '--size', '64']);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('tfjs-restoration train', () => {
  it('parseTrainOptions: the options of trainOnDataset, and errors naming the option', () => {
    const { options, backend } = parseTrainOptions([
      '--data',
      'd',
      '--out',
      'o',
      '--folds',
      '5',
      '--lr',
      '0.01',
      '--ema',
      '0.95',
    ]);
    expect(options).toMatchObject({
      ema: 0.95,
      data: 'd',
      out: 'o',
      folds: 5,
      fold: 0,
      learningRate: 0.01,
      batchSize: 4,
    });
    expect(options.plateau).toBeUndefined();
    expect(backend).toEqual(['native', 'wasm']);
    expect(() => parseTrainOptions(['--data', 'd', '--out', 'o', '--size', '48'])).toThrow(
      /'--size' expects a multiple of 32, got 48/,
    );
    expect(() => parseTrainOptions(['--data', 'd', '--out', 'o', '--fold', '1'])).toThrow(
      /'--fold' needs --folds N/,
    );
  });

  it('trains, refuses a second run in --out, resumes with --resume, and its model predicts', async () => {
    const out = d('run');
    const first = await cli(['train', '--data', d('data'), '--out', out, '--epochs', '1', ...TINY]);
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(r1).toMatchObject({ model: path.join(out, 'best'), epochs: 1, bestEpoch: 0 });
    expect(typeof r1.bestScore).toBe('number');
    expect(first.stderr).toMatch(/3 training and 1 validation images, 2 steps per epoch/);
    const log = (await fs.readFile(path.join(out, 'log.jsonl'), 'utf8')).trim().split('\n');
    expect(log.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['step', 'step', 'epoch']);
    expect(JSON.parse(await fs.readFile(path.join(out, 'history.json'), 'utf8'))).toHaveLength(1);

    const again = await cli(['train', '--data', d('data'), '--out', out, '--epochs', '1', ...TINY]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/holds another run \(best, history\.json, last, log\.jsonl, run\.json\)/);
    const other = await cli([
      'train',
      '--data',
      d('data'),
      '--out',
      out,
      '--resume',
      ...TINY,
      '--lr',
      '0.01',
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/other options \(learningRate: 0\.0003 then, 0\.01 now\)/);

    const resumed = await cli([
      'train',
      '--data',
      d('data'),
      '--out',
      out,
      '--epochs',
      '2',
      '--resume',
      ...TINY,
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout), resumed.stdout + resumed.stderr).toMatchObject({ epochs: 2 });
    expect(resumed.stderr).toMatch(/resuming after epoch 1/);
    const types = (await fs.readFile(path.join(out, 'log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['step', 'step', 'epoch', 'resume', 'step', 'step', 'epoch']);
    const logged = await readTrainLog(out);
    expect(logged.steps).toHaveLength(4);
    expect(logged.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(logged.steps[0]).not.toHaveProperty('type');

    const pred = await cli([
      'predict',
      '--model',
      r1.model as string,
      '--input',
      d('data', 'train_input'),
      '--out',
      d('pred'),
      '--backend',
      'cpu',
    ]);
    expect(pred.code, pred.stderr).toBe(0);
    expect(JSON.parse(pred.stdout)).toMatchObject({ n: 4 });
  });

  it('group K-fold from train_preproc.csv (--force replaces the run); usage errors', async () => {
    const out = d('run');
    await writePlaceLabels(
      d('train_preproc.csv'),
      ['TRAIN_00000', 'TRAIN_00001', 'TRAIN_00002', 'TRAIN_00003'],
      [0, 0, 1, -1],
    );
    const r = await cli([
      ...['train', '--data', d('data'), '--out', out, '--epochs', '1', '--force'],
      ...['--folds', '2', '--fold', '1', '--groups', d('train_preproc.csv'), ...TINY],
    ]);
    expect(r.code, r.stderr).toBe(0);
    // one place trains (its images), the other validates on one image; noise is left out
    expect(r.stderr).toMatch(/(2 training and 1 validation|1 training and 1 validation) images/);
    expect(JSON.parse(await fs.readFile(path.join(out, 'history.json'), 'utf8'))).toHaveLength(1);
    const bad = await cli(['train', '--data', d('data'), '--out', out, '--fold', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--fold' needs --folds N/);
  });
});
