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
