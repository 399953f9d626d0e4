import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import { Compose, horizontalFlip } from '../../src/data/index.js';
import { createRng } from '../../src/masks/index.js';
import { readableDirectory, verifyDirectory, writeDirectoryAtomic } from '../../src/node/index.js';
import {
  photoSource,
  trainPipeline,
  type EpochLog,
  type RestorationPipeline,
} from '../../src/pipeline/index.js';
import { directoryCheckpointer, loadPipeline, readCheckpointState } from '../../src/pipeline/node.js';
import { photo, PHOTOS, tinyPipeline } from '../helpers/pipeline.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'checkpoint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useFastBackend();
});

const photos = PHOTOS.map((name) => photo(name, 48));

async function weightsOf(p: RestorationPipeline): Promise<Float32Array[]> {
  const ws = [...p.inpaint.getWeights(), ...p.colorize.getWeights()];
  return Promise.all(ws.map(async (w) => (await w.data()) as Float32Array));
}

const withoutTime = (h: EpochLog[]) => h.map(({ elapsedSeconds: _t, ...rest }) => rest);

describe('trainPipeline checkpoints', () => {
  // Fake scores: epoch 0 is the best, epoch 1 does not improve (the plateau halves the rate), epoch 2 neither.
  const scores = [0.5, 0.3, 0.4];
  const run = async (dir: string, stopAfter: number | null, seed: number, ema = 0) => {
    const p = tinyPipeline(seed, 'reference');
    const train = photoSource(photos.length, async (i) => photos[i], p.config, { size: 32, seed: 5 });
    const result = await trainPipeline(p, {
      train,
      epochs: 3,
      batchSize: 4,
      seed: 7,
      patience: 5,
      learningRate: 1e-2,
      schedule: 'plateau',
      plateau: { patience: 1, factor: 0.5 },
      warmupSteps: 2, // one step an epoch: the warm-up spans the first kill and resume
      ema,
      augment: new Compose([horizontalFlip()]),
      validate: async (_p, epoch) => scores[epoch],
      checkpointer: directoryCheckpointer(dir),
      resume: stopAfter === null,
      onEpoch: (e) => {
        if (e.epoch === stopAfter) throw new Error('killed');
      },
    }).catch((err: unknown) => {
      p.dispose();
      throw err;
    });
    return { p, result };
  };

  it('resumes exactly: 3 epochs straight = 1 or 2 epochs, a kill, and a resume (weights bit for bit)', async () => {
    const before = tf.memory().numTensors;
    const straight = await run(path.join(tmp, 'straight'), -1, 3);
    const expected = await weightsOf(straight.p);
    const straightLast = await loadPipeline(path.join(tmp, 'straight/last'));
    const expectedLast = await weightsOf(straightLast);
    straightLast.dispose();
    straight.p.dispose();
    expect(straight.result.history.map((h) => h.learningRate)).toEqual([5e-3, 1e-2, 5e-3]);
    expect(straight.result.bestEpoch).toBe(0);
    for (const killAfter of [0, 1]) {
      const dir = path.join(tmp, `killed-${killAfter}`);
      await expect(run(dir, killAfter, 3)).rejects.toThrow('killed');
      expect((await readCheckpointState(dir))?.epoch).toBe(killAfter + 1);
      const resumed = await run(dir, null, 11); // other initial weights: the checkpoint's replace them
      expect(withoutTime(resumed.result.history)).toEqual(withoutTime(straight.result.history));
      expect(resumed.result.bestEpoch).toBe(0);
      expect(await weightsOf(resumed.p)).toEqual(expected); // the best weights (epoch 0), restored
      const last = await loadPipeline(path.join(dir, 'last'));
      expect(await weightsOf(last)).toEqual(expectedLast); // the last epoch's: training went on exactly
      last.dispose();
      resumed.p.dispose();
    }
    expect(expected).not.toEqual(expectedLast);
    expect(tf.memory().numTensors).toBe(before);
  }, 400_000);

  it('resumes exactly with ema: the checkpoint holds the averaged weights, the raw ones ride with the optimizer', async () => {
    const before = tf.memory().numTensors;
    const straight = await run(path.join(tmp, 'ema-straight'), -1, 3, 0.9);
    const expected = await weightsOf(straight.p);
    const straightLast = await loadPipeline(path.join(tmp, 'ema-straight/last'));
    const expectedLast = await weightsOf(straightLast);
    straightLast.dispose();
    straight.p.dispose();
    const plain = await run(path.join(tmp, 'ema-plain'), -1, 3);
    expect(await weightsOf(plain.p)).not.toEqual(expected); // the average is not the raw weights
    plain.p.dispose();
    const dir = path.join(tmp, 'ema-killed');
    await expect(run(dir, 1, 3, 0.9)).rejects.toThrow('killed');
    expect((await readCheckpointState(dir))?.emaUpdates).toBe(2);
    await expect(run(dir, null, 11)).rejects.toThrow(/saved with ema; resume it with ema/);
    const resumed = await run(dir, null, 11, 0.9);
    expect(await weightsOf(resumed.p)).toEqual(expected);
    const last = await loadPipeline(path.join(dir, 'last'));
    expect(await weightsOf(last)).toEqual(expectedLast);
    last.dispose();
    resumed.p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 400_000);

  it('a resume of a finished run changes nothing', async () => {
    const dir = path.join(tmp, 'straight');
    const again = await run(dir, null, 11);
    expect(again.result.stopReason).toBe('epochs');
    expect(again.result.history).toHaveLength(3);
    again.p.dispose();
  });
});

describe('writeDirectoryAtomic', () => {
  it('recovers from a kill at each point of the swap', async () => {
    const dir = path.join(tmp, 'swap', 'best');
    const write = (text: string) =>
      writeDirectoryAtomic(dir, async (t) => {
        await fs.mkdir(path.join(t, 'sub'));
        await fs.writeFile(path.join(t, 'sub/a.txt'), text);
      });
    const read = async () => {
      const found = await readableDirectory(dir);
      if (found === null) return null;
      await verifyDirectory(found);
      return fs.readFile(path.join(found, 'sub/a.txt'), 'utf8');
    };
    expect(await read()).toBe(null);
    await write('one');
    expect(await read()).toBe('one');
    // Killed while filling the temporary directory: the old one stands.
    await fs.mkdir(`${dir}.tmp/sub`, { recursive: true });
    await fs.writeFile(`${dir}.tmp/sub/a.txt`, 'tw');
    expect(await read()).toBe('one');
    // Killed between the renames: dir moved to dir.old, the new one complete in dir.tmp.
    const side = path.join(tmp, 'swap', 'side');
    await writeDirectoryAtomic(side, async (t) => {
      await fs.mkdir(path.join(t, 'sub'));
      await fs.writeFile(path.join(t, 'sub/a.txt'), 'two');
    });
    await fs.rm(`${dir}.tmp`, { recursive: true });
    await fs.rename(dir, `${dir}.old`);
    await fs.cp(side, `${dir}.tmp`, { recursive: true });
    expect(await read()).toBe('two');
    // ... or the new one incomplete: the old one.
    await fs.rm(path.join(`${dir}.tmp`, 'manifest.json'));
    expect(await read()).toBe('one');
    await write('three'); // puts the directory back in place first, removes the leftovers
    expect((await fs.readdir(path.dirname(dir))).sort()).toEqual(['best', 'side']);
    expect(await read()).toBe('three');
    // A file that differs from the manifest is named.
    await fs.writeFile(path.join(dir, 'sub/a.txt'), 'thre3');
    await expect(verifyDirectory(dir)).rejects.toThrow(/sub\/a\.txt does not match its checksum/);
  });

  it('a SIGKILL at random moments of a saving process never leaves a broken checkpoint', async () => {
    const dir = path.join(tmp, 'killed');
    const rng = createRng(1);
    let midSave = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'test/helpers/checkpoint-saver.ts'), dir],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Wait for two whole saves, then kill after a random delay (saves run back to back).
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if ((out.match(/^end /gm) ?? []).length >= 2) resolve();
        });
        child.on('exit', () => reject(new Error(`saver exited early: ${out}`)));
      });
      await new Promise((r) => setTimeout(r, rng.int(0, 400)));
      child.kill('SIGKILL');
      await exited;
      const lines = out.trim().split('\n');
      if (lines[lines.length - 1].startsWith('begin')) midSave++;
      // The last checkpoint loads whole and consistent: the state, the optimizer and the weights of one save.
      const loaded = await directoryCheckpointer(dir).load();
      expect(loaded).not.toBeNull();
      const { state, weights, optimizer, best } = loaded!;
      expect(Array.from(await optimizer[0].tensor.data())).toEqual([state.epoch]);
      expect(new Set(await weights[0][0].data())).toEqual(new Set([state.epoch]));
      if (state.bestEpoch === state.epoch - 1) expect(best).toBeNull();
      else expect(new Set(await best![0][0].data())).toEqual(new Set([state.bestEpoch + 1]));
      tf.dispose([...weights.flat(), ...(best ?? []).flat(), ...optimizer.map((o) => o.tensor)]);
      // best/ is a whole saved pipeline of the best epoch.
      const bestDir = (await readableDirectory(path.join(dir, 'best')))!;
      await verifyDirectory(bestDir);
      const p = await loadPipeline(bestDir);
      expect(new Set(await p.inpaint.getWeights()[0].data())).toEqual(new Set([state.bestEpoch + 1]));
      p.dispose();
    }
    expect(midSave).toBeGreaterThan(0);
  }, 120_000);
});
