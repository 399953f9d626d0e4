import { shuffled } from './shuffle.js';

export interface SplitOptions {
  /** Fraction of the records for validation, in (0, 1). Default 0.1. */
  valFraction?: number;
  /** Seed of the draw. Default 0. */
  seed?: number;
  /**
   * Records per group: consecutive records are kept on the same side. The competition's photos were shot in bursts,
   * so neighbours are near-duplicates and a per-record split would leak them into validation. Default 1.
   */
  groupSize?: number;
}

/**
 * Splits records into train and validation sides by whole groups of consecutive records, seeded. Both sides keep
 * the original order. The same seed gives the same split.
 *
 * ```ts
 * const { train, val } = splitTrainVal(records, { valFraction: 0.1, groupSize: 50, seed: 1 });
 * ```
 */
export function splitTrainVal<T>(
  records: readonly T[],
  options: SplitOptions = {},
): { train: T[]; val: T[] } {
  const { valFraction = 0.1, seed = 0, groupSize = 1 } = options;
  if (!(valFraction > 0 && valFraction < 1))
    throw new RangeError(`splitTrainVal: valFraction must be in (0, 1), got ${valFraction}`);
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new RangeError(`splitTrainVal: groupSize must be a positive integer, got ${groupSize}`);
  const groups = Math.ceil(records.length / groupSize);
  if (groups < 2)
    throw new RangeError(`splitTrainVal: need at least 2 groups, got ${groups} (${records.length} records)`);
  const nVal = Math.min(groups - 1, Math.max(1, Math.round(groups * valFraction)));
  const order = shuffled(
    Array.from({ length: groups }, (_, i) => i),
    seed,
  );
  const isVal = new Uint8Array(groups);
  for (let k = 0; k < nVal; k++) isVal[order[k]] = 1;
  const train: T[] = [];
  const val: T[] = [];
  records.forEach((r, i) => (isVal[Math.floor(i / groupSize)] ? val : train).push(r));
  return { train, val };
}

/** Options of {@link groupKFold}. */
export interface GroupKFoldOptions {
  /** Seed of the assignment of groups to folds and of the validation picks. Default 0. */
  seed?: number;
  /**
   * Images of each validation group to validate on: 1 (default: one image per place, as the reference recipe
   * did, so a place with many photos does not weigh more), a larger count, or `'all'`.
   */
  valPerGroup?: number | 'all';
}

/**
 * Group K-fold over place labels (e.g. from `clusterPlaces` or a `train_preproc.csv`): the groups (labels ≥ 0) are
 * shuffled with the seed and dealt round-robin into `k` folds, so folds differ by at most one group; fold `fold`
 * validates and the other folds train. Noise (label −1) is on neither side. Both sides hold record indices in
 * increasing order; no group is on both sides.
 *
 * ```ts
 * const { labels } = parsePlaceLabels(csvText); // train_preproc.csv, or clusterPlaces(...)
 * const { train, val } = groupKFold(labels, 5, 0, { seed: 42 }); // fold 0 of 5, one image per val place
 * ```
 */
export function groupKFold(
  labels: ArrayLike<number>,
  k: number,
  fold: number,
  options: GroupKFoldOptions = {},
): { train: number[]; val: number[] } {
  const { seed = 0, valPerGroup = 1 } = options;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`groupKFold: k must be an integer >= 2, got ${k}`);
  if (!Number.isInteger(fold) || fold < 0 || fold >= k)
    throw new RangeError(`groupKFold: fold must be an integer in 0..${k - 1}, got ${fold}`);
  if (valPerGroup !== 'all' && (!Number.isInteger(valPerGroup) || valPerGroup < 1))
    throw new RangeError(`groupKFold: valPerGroup must be a positive integer or 'all', got ${valPerGroup}`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < -1)
      throw new RangeError(`groupKFold: label ${i} is ${l}, expected an integer >= -1 (-1 = noise)`);
    if (l < 0) continue;
    const list = members.get(l);
    if (list) list.push(i);
    else members.set(l, [i]);
  }
  const groups = [...members.keys()].sort((a, b) => a - b);
  if (groups.length < k)
    throw new RangeError(`groupKFold: ${groups.length} group(s) (noise left out) cannot fill ${k} folds`);
  const order = shuffled(groups, seed);
  const train: number[] = [];
  const val: number[] = [];
  order.forEach((g, position) => {
    const idx = members.get(g)!;
    if (position % k !== fold) {
      train.push(...idx);
      return;
    }
    if (valPerGroup === 'all') val.push(...idx);
    else val.push(...shuffled(idx, (seed ^ Math.imul(g + 1, 0x9e3779b1)) >>> 0).slice(0, valPerGroup));
  });
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

/**
 * Plain K-fold over `n` records: the indices are shuffled with the seed and dealt round-robin into `k` folds (sizes
 * differ by at most one); fold `fold` validates, the others train. Both sides hold indices in increasing order. For
 * photos taken in bursts use {@link groupKFold} with place labels instead, so near-duplicates stay on one side.
 *
 * ```ts
 * const { train, val } = kFold(records.length, 5, 0, { seed: 42 });
 * ```
 */
export function kFold(
  n: number,
  k: number,
  fold: number,
  options: { seed?: number } = {},
): { train: number[]; val: number[] } {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`kFold: k must be an integer >= 2, got ${k}`);
  if (!Number.isInteger(fold) || fold < 0 || fold >= k)
    throw new RangeError(`kFold: fold must be an integer in 0..${k - 1}, got ${fold}`);
  if (!Number.isInteger(n) || n < k) throw new RangeError(`kFold: ${n} record(s) cannot fill ${k} folds`);
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    options.seed ?? 0,
  );
  const train: number[] = [];
  const val: number[] = [];
  order.forEach((i, position) => (position % k === fold ? val : train).push(i));
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}
