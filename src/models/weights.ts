/**
 * PyTorch weight import/export. The builders name every layer after the PyTorch module it mirrors, so a
 * state_dict maps by name: `X.weight` of a conv -> layer `X` kernel (OIHW -> HWIO), batch norm `X.weight`,
 * `X.bias`, `X.running_mean`, `X.running_var` -> gamma, beta, moving_mean, moving_variance.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LAYER_PACKAGE } from './layers.js';
import type { StateDict, StateTensor } from './safetensors.js';

type Layer = tfl.LayersModel['layers'][number];

/** Layer classes with PyTorch conv layout (kernel OIHW / IOHW in PyTorch, HWIO / HWOI in tfjs). */
const CONV = new Set(['Conv2D', 'Conv2DTranspose', `${LAYER_PACKAGE}>GroupedConv2D`]);

/** PyTorch parameter suffixes per tfjs layer class, in the order of `layer.getWeights()`. */
function torchSuffixes(layer: Layer): string[] | null {
  const cls = layer.getClassName();
  const weights = layer.weights.map((w) => w.originalName.split('/').pop());
  if (CONV.has(cls) || cls === 'Dense' || cls === 'DepthwiseConv2D') {
    return weights.map((w) => (w === 'kernel' || w === 'depthwise_kernel' ? 'weight' : 'bias'));
  }
  if (cls === 'BatchNormalization') {
    const map: Record<string, string> = {
      gamma: 'weight',
      beta: 'bias',
      moving_mean: 'running_mean',
      moving_variance: 'running_var',
    };
    return weights.map((w) => map[w as string]);
  }
  return layer.weights.length ? null : [];
}

/**
 * A weight between PyTorch's layout and tfjs's (`to` says which way): OIHW (conv), IOHW (transposed conv) <->
 * HWIO / HWOI; [out, in] <-> [in, out] (dense); others unchanged.
 */
function convertWeight(layer: Layer, suffix: string, t: tf.Tensor, to: 'tfjs' | 'torch'): tf.Tensor {
  if (suffix !== 'weight') return t.clone();
  const cls = layer.getClassName();
  if (CONV.has(cls)) return tf.transpose(t, to === 'tfjs' ? [2, 3, 1, 0] : [3, 2, 0, 1]);
  // Depthwise: PyTorch [C, 1, kh, kw] <-> tfjs [kh, kw, C, 1] (the permutation is its own inverse).
  if (cls === 'DepthwiseConv2D') return tf.transpose(t, [2, 3, 0, 1]);
  if (cls === 'Dense') return tf.transpose(t);
  return t.clone();
}

/**
 * Adapts a pretrained first-conv kernel (HWIO, `from` input channels) to `to` input channels as smp's
 * `patch_first_conv`: 1 channel -> the sum over the input channels; otherwise channel i takes kernel
 * i mod `from`, all scaled by `from / to`.
 */
export function patchFirstConvKernel(kernel: tf.Tensor4D, to: number): tf.Tensor4D {
  return tf.tidy(() => {
    const from = kernel.shape[2];
    if (to === from) return kernel.clone();
    if (to === 1) return tf.sum(kernel, 2, true) as tf.Tensor4D;
    const idx = tf.tensor1d(
      Array.from({ length: to }, (_, i) => i % from),
      'int32',
    );
    return tf.mul(tf.gather(kernel, idx, 2), from / to) as tf.Tensor4D;
  });
}

/** Options of {@link loadStateDict}. */
export interface LoadStateDictOptions {
  /** Prepended to every state_dict key before matching (e.g. `encoder.` for a bare torchvision ResNet). */
  prefix?: string;
  /** Only model weights whose PyTorch name starts with this are expected (e.g. `encoder.`). */
  only?: string;
  /** Model weights missing from the dict keep their values instead of raising (default false). */
  allowMissing?: boolean;
  /** Dict entries matching no model weight are ignored instead of raising (default false). */
  allowUnexpected?: boolean;
  /**
   * Adapt a first conv whose dict kernel has a different input-channel count, as smp does for pretrained
   * weights (default true). The first conv is the model's first Conv2D layer.
   */
  patchFirstConv?: boolean;
  /** Names the source in errors. */
  source?: string;
}

/** What {@link loadStateDict} did. */
export interface LoadReport {
  loaded: string[];
  missing: string[];
  unexpected: string[];
  patched: string[];
}

/**
 * Loads a PyTorch state_dict (e.g. from {@link parseSafetensors}) into a model built by this library. Errors
 * name the tensor, the expected and the found shape. `num_batches_tracked` entries are ignored.
 *
 * @example
 * const model = createModel('unet', { encoder: 'resnet34', inChannels: 1, classes: 3 });
 * loadStateDict(model, parseSafetensors(bytes, 'unet.safetensors'));
 */
export function loadStateDict(
  model: tfl.LayersModel,
  dict: StateDict,
  o: LoadStateDictOptions = {},
): LoadReport {
  const source = o.source ?? 'state_dict';
  const prefix = o.prefix ?? '';
  const entries = new Map<string, StateTensor>();
  for (const [k, v] of dict) if (!k.endsWith('num_batches_tracked')) entries.set(prefix + k, v);
  const firstConv = model.layers.find((l) => l.getClassName() === 'Conv2D')?.name;
  const report: LoadReport = { loaded: [], missing: [], unexpected: [], patched: [] };
  const used = new Set<string>();

  for (const layer of model.layers) {
    if (o.only && !layer.name.startsWith(o.only)) continue;
    const suffixes = torchSuffixes(layer);
    if (suffixes == null)
      throw new Error(`${source}: layer '${layer.name}' (${layer.getClassName()}) has no PyTorch mapping`);
    if (suffixes.length === 0) continue;
    // getWeights() returns the variables themselves: never dispose them, only the new tensors.
    const current = layer.getWeights();
    const next: tf.Tensor[] = [];
    let changed = false;
    suffixes.forEach((suffix, i) => {
      const key = `${layer.name}.${suffix}`;
      const entry = entries.get(key);
      if (!entry) {
        report.missing.push(key);
        next.push(current[i]);
        return;
      }
      used.add(key);
      let value = tf.tidy(() => convertWeight(layer, suffix, tf.tensor(entry.data, entry.shape), 'tfjs'));
      const want = current[i].shape;
      const patchable =
        layer.name === firstConv && suffix === 'weight' && (o.patchFirstConv ?? true) && value.rank === 4;
      if (patchable && value.shape[2] !== want[2] && value.shape.every((d, j) => j === 2 || d === want[j])) {
        const patched = patchFirstConvKernel(value as tf.Tensor4D, want[2] as number);
        value.dispose();
        value = patched;
        report.patched.push(key);
      }
      if (!tf.util.arraysEqual(value.shape, want)) {
        const shapes = `PyTorch [${entry.shape.join(', ')}] -> tfjs [${value.shape.join(', ')}]`;
        tf.dispose([value, ...next.filter((t) => !current.includes(t))]);
        throw new Error(
          `${source}: '${key}' has shape ${shapes}, the model expects tfjs [${want.join(', ')}]`,
        );
      }
      next.push(value);
      changed = true;
      report.loaded.push(key);
    });
    if (changed) layer.setWeights(next);
    tf.dispose(next.filter((t) => !current.includes(t)));
  }
  for (const k of entries.keys()) {
    if (!used.has(k) && (!o.only || k.startsWith(o.only))) report.unexpected.push(k);
  }
  if (report.missing.length && !o.allowMissing) {
    throw new Error(
      `${source}: ${report.missing.length} model weight(s) missing from the state_dict, e.g. ${report.missing.slice(0, 5).join(', ')}`,
    );
  }
  if (report.unexpected.length && !o.allowUnexpected) {
    throw new Error(
      `${source}: ${report.unexpected.length} state_dict entr(ies) match no model weight, e.g. ` +
        `${report.unexpected.slice(0, 5).join(', ')} (pass allowUnexpected: true to ignore them)`,
    );
  }
  return report;
}

/**
 * The model's weights as a PyTorch state_dict (names and layouts of PyTorch; batch-norm
 * `num_batches_tracked` is not included: load it in PyTorch with `strict=False` or add it).
 * Encode it with {@link encodeSafetensors}.
 */
export function exportStateDict(
  model: tfl.LayersModel,
): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const layer of model.layers) {
    const suffixes = torchSuffixes(layer);
    if (!suffixes || suffixes.length === 0) continue;
    const ws = layer.getWeights();
    suffixes.forEach((suffix, i) => {
      const t = tf.tidy(() => convertWeight(layer, suffix, ws[i], 'torch'));
      out.set(`${layer.name}.${suffix}`, { shape: t.shape, data: t.dataSync() as Float32Array });
      t.dispose();
    });
  }
  return out;
}
