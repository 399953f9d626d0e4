/**
 * Training checkpoints on disk (Node; exported from `tfjs-restoration/pipeline/node`): the {@link Checkpointer} that
 * `trainPipeline` saves to after every epoch and resumes from.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '../models/optimizer.js';
import { readableDirectory, verifyDirectory, writeDirectoryAtomic } from '../node/directory.js';
import { loadPipeline, savePipeline } from './node.js';
import type { Checkpointer, LoadedCheckpoint, TrainCheckpoint, TrainState } from './train.js';

/** `trainer.json` of a checkpoint directory. */
interface TrainerFile {
  format: 'tfjs-restoration-checkpoint';
  version: 1;
  kind: 'last' | 'best';
  /** The epoch whose weights the directory holds (from 0). */
  epoch: number;
  /** Its validation score (`null`: none). */
  score: number | null;
  /** The trainer's state (`last` only). */
  state?: TrainState;
  /** `optimizer.bin`'s tensors: their names and tfjs weight specs (`last` only). */
  optimizer?: { names: string[]; specs: tf.io.WeightsManifestEntry[] };
}

const TRAINER = 'trainer.json';

/** JSON without `-Infinity`/`NaN` losses: those become `null` and come back from `revive`. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

function reviveState(state: TrainState): TrainState {
  const num = (v: number | null) => (v === null ? NaN : v);
  return {
    ...state,
    bestScore: state.bestScore === null ? -Infinity : state.bestScore,
    history: state.history.map((h) => ({
      ...h,
      valScore: num(h.valScore),
      inpaintLoss: num(h.inpaintLoss),
      colorizeLoss: num(h.colorizeLoss),
      loss: num(h.loss),
    })),
  };
}

async function readTrainer(dir: string): Promise<TrainerFile> {
  const file = path.join(dir, TRAINER);
  const json = JSON.parse(await fs.readFile(file, 'utf8')) as TrainerFile;
  if (json.format !== 'tfjs-restoration-checkpoint')
    throw new Error(`${file}: expected format 'tfjs-restoration-checkpoint', got '${String(json.format)}'`);
  return json;
}

async function pipelineWeights(dir: string): Promise<tf.Tensor[][]> {
  const p = await loadPipeline(dir);
  try {
    return [p.inpaint, p.colorize].map((m) => m.getWeights().map((w) => w.clone()));
  } finally {
    p.dispose();
  }
}

/** Copies the saved pipeline of one checkpoint directory (not its optimizer) into another, atomically. */
async function copyPipeline(from: string, to: string, trainer: TrainerFile): Promise<void> {
  await writeDirectoryAtomic(to, async (tmp) => {
    for (const rel of ['pipeline.json', 'inpaint', 'colorize'])
      await fs.cp(path.join(from, rel), path.join(tmp, rel), { recursive: true });
    await fs.writeFile(path.join(tmp, TRAINER), toJson(trainer));
  });
}

/**
 * A {@link Checkpointer} in a directory: `last/` after every epoch (the pipeline as `savePipeline` writes it, the
 * optimizer's moments in `optimizer.bin`, the trainer's state in `trainer.json`) and `best/` when the epoch is the
 * best so far (the pipeline and `trainer.json`). Each is written with `writeDirectoryAtomic` (a temporary
 * directory, a manifest of checksums written last, renames): a kill at any moment leaves each whole, and `best/`
 * is a saved pipeline that `loadPipeline` and `tfjs-restoration predict --model` read. `last/` is written before
 * `best/`; when a kill falls between the two, `load` rewrites `best/` from `last/`.
 *
 * ```ts
 * const checkpointer = directoryCheckpointer('runs/a');
 * await trainPipeline(pipeline, { train, val, checkpointer, resume: true });
 * const best = await loadPipeline('runs/a/best');
 * ```
 */
export function directoryCheckpointer(dir: string): Checkpointer {
  const lastDir = path.join(dir, 'last');
  const bestDir = path.join(dir, 'best');
  return {
    async save(c: TrainCheckpoint): Promise<void> {
      const epoch = c.state.epoch - 1;
      const score = c.state.history[c.state.history.length - 1]?.valScore ?? NaN;
      const named = c.optimizer.map((w, i) => ({ name: String(i), tensor: w.tensor }));
      const { data, specs } = await tf.io.encodeWeights(named);
      const buffer = new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
      await writeDirectoryAtomic(lastDir, async (tmp) => {
        await savePipeline(c.pipeline, tmp);
        await fs.writeFile(path.join(tmp, 'optimizer.bin'), buffer);
        const trainer: TrainerFile = {
          format: 'tfjs-restoration-checkpoint',
          version: 1,
          kind: 'last',
          epoch,
          score,
          state: c.state,
          optimizer: { names: c.optimizer.map((w) => w.name), specs },
        };
        await fs.writeFile(path.join(tmp, TRAINER), toJson(trainer));
      });
      if (c.best)
        await writeDirectoryAtomic(bestDir, async (tmp) => {
          await savePipeline(c.pipeline, tmp);
          const trainer: TrainerFile = {
            format: 'tfjs-restoration-checkpoint',
            version: 1,
            kind: 'best',
            epoch,
            score,
          };
          await fs.writeFile(path.join(tmp, TRAINER), toJson(trainer));
        });
    },

    async load(): Promise<LoadedCheckpoint | null> {
      const last = await readableDirectory(lastDir);
      if (last === null) return null;
      await verifyDirectory(last);
      const trainer = await readTrainer(last);
      if (trainer.kind !== 'last' || !trainer.state || !trainer.optimizer)
        throw new Error(`${path.join(last, TRAINER)}: not a 'last' checkpoint (no trainer state)`);
      const state = reviveState(trainer.state);
      const bytes = await fs.readFile(path.join(last, 'optimizer.bin'));
      const decoded = tf.io.decodeWeights(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        trainer.optimizer.specs,
      );
      const optimizer: NamedTensor[] = trainer.optimizer.names.map((name, i) => ({
        name,
        tensor: decoded[String(i)],
      }));
      const weights = await pipelineWeights(last);
      let best: tf.Tensor[][] | null = null;
      if (state.bestEpoch >= 0) {
        const found = await readableDirectory(bestDir);
        let bestTrainer: TrainerFile | null = null;
        if (found !== null) {
          await verifyDirectory(found);
          bestTrainer = await readTrainer(found);
        }
        if (state.bestEpoch === trainer.epoch) {
          // The best weights are the last epoch's; a kill between the two saves left best/ behind: rewrite it.
          if (bestTrainer?.epoch !== state.bestEpoch)
            await copyPipeline(last, bestDir, {
              ...trainer,
              kind: 'best',
              state: undefined,
              optimizer: undefined,
            });
        } else {
          if (found === null || bestTrainer?.epoch !== state.bestEpoch)
            throw new Error(
              `${bestDir}: expected the best checkpoint of epoch ${state.bestEpoch + 1}, found ` +
                `${found === null ? 'none' : `epoch ${(bestTrainer?.epoch ?? -2) + 1}`}`,
            );
          best = await pipelineWeights(found);
        }
      }
      return { state, weights, optimizer, best };
    },
  };
}

/**
 * Reads the state of a checkpoint directory written by {@link directoryCheckpointer} without loading tensors:
 * `null` when it holds no checkpoint. For a run's summary (epochs done, best score) and for refusing to mix runs.
 *
 * ```ts
 * const state = await readCheckpointState('runs/a');
 * if (state) console.log(state.epoch, state.bestScore);
 * ```
 */
export async function readCheckpointState(dir: string): Promise<TrainState | null> {
  const last = await readableDirectory(path.join(dir, 'last'));
  if (last === null) return null;
  const trainer = await readTrainer(last);
  if (!trainer.state) throw new Error(`${path.join(last, TRAINER)}: no trainer state`);
  return reviveState(trainer.state);
}
