/**
 * Saving and loading models to directories in Node (`tfjs-restoration/models/node`): a subpath of its own so that
 * `tfjs-restoration/models` stays browser-safe and `tfjs-restoration/node` stays free of tfjs.
 * @module models/node
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readJsonNamed, writeFileAtomic } from '../node/files.js';
import { registerCustomLayers } from './layers.js';

/** model.json written by {@link directoryIO}: tfjs' format plus the weights' checksum. */
interface SavedModelJSON extends tf.io.ModelJSON {
  weightsSha256?: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A tfjs IO handler that saves a model to / loads it from a directory: `model.json` (topology + weights
 * manifest) and `weights.bin`. Each file is written atomically (temporary file + rename), weights first and
 * model.json last, and model.json records the weights' SHA-256 so a load never silently pairs a topology with
 * weights of another save (an interrupted overwrite gives a clear error instead). Loading also reads the usual
 * multi-shard layout of tfjs converters (`weightsManifest[].paths`).
 *
 * @example
 * await model.save(directoryIO('runs/unet'));
 * const again = await tf.loadLayersModel(directoryIO('runs/unet'));
 */
export function directoryIO(dir: string): tf.io.IOHandler {
  const jsonPath = path.join(dir, 'model.json');
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`${dir}: saving binary (graph) model topologies is not supported`);
      }
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData));
      const json: SavedModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-core v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        weightsSha256: sha256(weights),
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFileAtomic(path.join(dir, 'weights.bin'), weights);
      await writeFileAtomic(jsonPath, JSON.stringify(json));
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts),
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const json = (await readJsonNamed(jsonPath)) as SavedModelJSON;
      if (!json.modelTopology) throw new Error(`${jsonPath}: no modelTopology`);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = path.join(dir, p);
            try {
              buffers.push(await fs.readFile(file));
            } catch (err) {
              throw new Error(`${file}: cannot read weights (${(err as Error).message})`);
            }
          }
        }
        const total = buffers.reduce((n, b) => n + b.byteLength, 0);
        const all = new Uint8Array(total);
        let at = 0;
        for (const b of buffers) {
          all.set(b, at);
          at += b.byteLength;
        }
        if (json.weightsSha256 && sha256(all) !== json.weightsSha256) {
          throw new Error(
            `${dir}: weights.bin does not match model.json (checksum differs): re-save the model`,
          );
        }
        return [manifest.flatMap((g) => g.weights), all.buffer];
      });
    },
  };
}

/** Saves a layers model to a directory with {@link directoryIO}. */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(directoryIO(dir));
}

/** Loads a layers model saved by {@link saveModel} (custom layers of this library included). */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  registerCustomLayers();
  return tfl.loadLayersModel(directoryIO(dir));
}
