/**
 * U-Net and U-Net++ decoders in segmentation_models_pytorch's layout (module names `decoder.blocks.0.conv1.0`,
 * `decoder.blocks.x_0_0.conv1.0` ...), plus smp's segmentation head.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { concat, conv2d, conv2dReLU, upsample2x, type BuildContext, type Sym } from './layers.js';

/** smp's decoder block: nearest 2x upsampling, concatenation with the skip, twice conv3x3-BN-ReLU. */
function decoderBlock(ctx: BuildContext, x: Sym, skip: Sym | null, name: string, filters: number): Sym {
  x = upsample2x(x, `${name}.upsample`);
  if (skip) x = concat([x, skip], `${name}.concat`);
  x = conv2dReLU(ctx, x, `${name}.conv1`, filters);
  return conv2dReLU(ctx, x, `${name}.conv2`, filters);
}

/**
 * smp's `UnetDecoder` (no center block): the head feature goes up through one block per decoder channel,
 * each joined with the encoder feature of matching resolution (none for the last block).
 */
export function buildUnetDecoder(ctx: BuildContext, features: Sym[], decoderChannels: number[]): Sym {
  const feats = features.slice(1).reverse();
  checkDepth(feats.length, decoderChannels);
  let x = feats[0];
  const skips = feats.slice(1);
  decoderChannels.forEach((c, i) => {
    x = decoderBlock(ctx, x, skips[i] ?? null, `decoder.blocks.${i}`, c);
  });
  return x;
}

/**
 * smp's `UnetPlusPlusDecoder`: nested dense skip pathways. Node `x_{d}_{l}` upsamples `x_{d}_{l-1}` and joins
 * every `x_{i}_{l}` (i > d) plus encoder feature `l + 1`.
 */
export function buildUnetPlusPlusDecoder(ctx: BuildContext, features: Sym[], decoderChannels: number[]): Sym {
  const feats = features.slice(1).reverse();
  checkDepth(feats.length, decoderChannels);
  const skipChannels = [...feats.slice(1).map((f) => channelsOf(f)), 0];
  const depth = decoderChannels.length - 1;
  const dense = new Map<string, Sym>();
  const block = (d: number, l: number, x: Sym, skip: Sym | null, filters: number): void => {
    dense.set(`x_${d}_${l}`, decoderBlock(ctx, x, skip, `decoder.blocks.x_${d}_${l}`, filters));
  };
  for (let layer = 0; layer < depth; layer++) {
    for (let d = 0; d < depth - layer; d++) {
      const l = d + layer;
      // Node x_0_l outputs decoderChannels[l]; the deeper nodes of column l keep the skip's width.
      const filters = d === 0 ? decoderChannels[l] : skipChannels[l];
      if (layer === 0) {
        block(d, l, feats[d], feats[d + 1], filters);
      } else {
        const parts: Sym[] = [];
        for (let i = d + 1; i <= l; i++) parts.push(dense.get(`x_${i}_${l}`) as Sym);
        parts.push(feats[l + 1]);
        block(
          d,
          l,
          dense.get(`x_${d}_${l - 1}`) as Sym,
          concat(parts, `decoder.blocks.x_${d}_${l}.skips`),
          filters,
        );
      }
    }
  }
  block(0, depth, dense.get(`x_0_${depth - 1}`) as Sym, null, decoderChannels[depth]);
  return dense.get(`x_0_${depth}`) as Sym;
}

/** Activations the segmentation head accepts (smp's names; softmax is over channels). */
export const ACTIVATIONS = ['none', 'identity', 'sigmoid', 'tanh', 'softmax', 'softmax2d', 'relu'] as const;
export type HeadActivation = (typeof ACTIVATIONS)[number];

/** smp's `SegmentationHead`: conv3x3 with bias (`segmentation_head.0`) and an optional activation. */
export function segmentationHead(
  ctx: BuildContext,
  x: Sym,
  classes: number,
  activation: HeadActivation,
): Sym {
  x = conv2d(ctx, x, 'segmentation_head.0', { filters: classes, kernel: 3, padding: 1, bias: true });
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new Error(`unknown activation '${activation}': expected one of ${ACTIVATIONS.join(', ')}`);
  }
  if (activation === 'none' || activation === 'identity') return x;
  const fn = activation === 'softmax2d' ? 'softmax' : activation;
  return tfl.layers.activation({ activation: fn, name: 'segmentation_head.activation' }).apply(x) as Sym;
}

function channelsOf(x: Sym): number {
  return x.shape[x.shape.length - 1] as number;
}

function checkDepth(stages: number, decoderChannels: number[]): void {
  if (decoderChannels.length !== stages) {
    throw new Error(
      `decoderChannels: expected ${stages} numbers (one per encoder stage), got ${decoderChannels.length} ` +
        `([${decoderChannels.join(', ')}])`,
    );
  }
  if (decoderChannels.some((c) => !Number.isInteger(c) || c <= 0)) {
    throw new Error(`decoderChannels: expected positive integers, got [${decoderChannels.join(', ')}]`);
  }
}
