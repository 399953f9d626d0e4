import type { Sample } from '../../image/types.js';
import { createRng, type Rng } from '../../random/rng.js';
import { probability, checkSample, type Params, type ReplayEntry, type Transform } from './types.js';

/** The result of a pipeline call: the transformed sample and the record to replay it. */
export interface Augmented {
  sample: Sample;
  replay: ReplayEntry[];
}

/**
 * Applies transforms in order, each with its own probability `p`, drawing everything from a seeded generator
 * owned by the pipeline: the same seed and the same sequence of calls give the same results. Like
 * albumentations' `ReplayCompose`, each call returns the drawn parameters, and {@link Compose.replay}
 * re-applies them exactly to another sample (e.g. the same crop and flip to a second view).
 *
 * ```ts
 * const aug = new Compose([horizontalFlip({ p: 0.5 }), randomResizedCrop({ size: 256 })], { seed: 1 });
 * const { sample, replay } = aug.call({ input, gt, mask });
 * const same = Compose.replay(replay, { input, gt, mask }, aug.transforms);
 * ```
 * Runs on plain images.
 */
export class Compose implements Transform {
  readonly name = 'Compose';
  readonly runsOn = 'plain' as const;
  readonly targets = ['input', 'gt', 'mask'] as const;
  readonly p: number;
  private readonly rng: Rng;

  constructor(
    readonly transforms: readonly Transform[],
    options: { seed?: number; p?: number } = {},
  ) {
    this.p = probability('Compose', options.p, 1);
    this.rng = createRng(options.seed ?? 0);
  }

  /** Transforms one sample with the pipeline's own generator. */
  call(sample: Sample): Augmented {
    checkSample('Compose', sample);
    const entry = this.run(this.rng, sample);
    return { sample: entry.sample, replay: entry.entries };
  }

  private run(rng: Rng, sample: Sample): { sample: Sample; entries: ReplayEntry[] } {
    const entries: ReplayEntry[] = [];
    let s = sample;
    for (const t of this.transforms) {
      const r = runTransform(t, rng, s);
      s = r.sample;
      entries.push(r.entry);
    }
    return { sample: s, entries };
  }

  sampleParams(rng: Rng, sample: Sample): Params {
    // Nested use: draw the children's parameters by running them on the sample.
    return { entries: this.run(rng, sample).entries };
  }

  apply(sample: Sample, params: Params): Sample {
    return Compose.replay(params.entries as ReplayEntry[], sample, this.transforms);
  }

  /**
   * Re-applies a replay record to a sample with the same transforms (matched by position and name).
   * Throws when the record does not match the transforms.
   */
  static replay(record: readonly ReplayEntry[], sample: Sample, transforms: readonly Transform[]): Sample {
    if (record.length !== transforms.length)
      throw new RangeError(
        `Compose.replay: record has ${record.length} entries, pipeline has ${transforms.length}`,
      );
    let s = sample;
    record.forEach((entry, i) => {
      s = replayEntry(entry, transforms[i], s);
    });
    return s;
  }
}

function replayEntry(entry: ReplayEntry, t: Transform, s: Sample): Sample {
  if (entry.name !== t.name)
    throw new RangeError(`Compose.replay: record has '${entry.name}' where the pipeline has '${t.name}'`);
  if (!entry.applied) return s;
  if (t instanceof OneOf) {
    const child = entry.child as { index: number; entry: ReplayEntry };
    return replayEntry(child.entry, t.transforms[child.index], s);
  }
  return t.apply(s, entry.params ?? {});
}

function runTransform(t: Transform, rng: Rng, s: Sample): { sample: Sample; entry: ReplayEntry } {
  // Always draw the coin, so later draws do not depend on the outcome's parameter count.
  const applied = rng.float() < t.p;
  if (!applied) return { sample: s, entry: { name: t.name, applied: false } };
  if (t instanceof OneOf) {
    const index = t.pick(rng);
    const child = t.transforms[index];
    const params = child.sampleParams(rng, s);
    return {
      sample: child.apply(s, params),
      entry: {
        name: t.name,
        applied: true,
        child: { index, entry: { name: child.name, applied: true, params } },
      },
    };
  }
  const params = t.sampleParams(rng, s);
  return { sample: t.apply(s, params), entry: { name: t.name, applied: true, params } };
}

/**
 * Applies exactly one of its transforms (when it fires, with probability `p`), chosen with probability
 * proportional to the children's own `p` (as albumentations' `OneOf`); the chosen child then always runs.
 * Runs on plain images.
 */
export class OneOf implements Transform {
  readonly name = 'OneOf';
  readonly runsOn = 'plain' as const;
  readonly targets = ['input', 'gt', 'mask'] as const;
  readonly p: number;

  constructor(
    readonly transforms: readonly Transform[],
    options: { p?: number } = {},
  ) {
    this.p = probability('OneOf', options.p, 0.5);
    if (transforms.length === 0) throw new RangeError('OneOf: needs at least one transform');
    if (!transforms.some((t) => t.p > 0)) throw new RangeError('OneOf: at least one child needs p > 0');
  }

  /** Index of the child to run. */
  pick(rng: Rng): number {
    const total = this.transforms.reduce((a, t) => a + t.p, 0);
    let u = rng.float() * total;
    for (let i = 0; i < this.transforms.length; i++) {
      if (u < this.transforms[i].p) return i;
      u -= this.transforms[i].p;
    }
    return this.transforms.length - 1;
  }

  sampleParams(rng: Rng, sample: Sample): Params {
    const index = this.pick(rng);
    return { index, params: this.transforms[index].sampleParams(rng, sample) };
  }

  apply(sample: Sample, params: Params): Sample {
    return this.transforms[params.index as number].apply(sample, params.params as Params);
  }
}
