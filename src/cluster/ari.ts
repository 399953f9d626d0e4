/**
 * Adjusted Rand index of two labelings of the same items (Hubert and Arabie 1985): 1 for identical partitions
 * (whatever the label names), about 0 for independent ones, negative for worse than chance. Labels are compared
 * as they are: −1 (noise) is one more label; filter noise out first to score only the clustered items. Equals
 * scikit-learn's `adjusted_rand_score`, including its 1.0 when both labelings are one cluster or all singletons.
 *
 * ```ts
 * adjustedRandIndex([0, 0, 1, 1], [5, 5, 2, 2]); // 1
 * ```
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new RangeError(`adjustedRandIndex: labelings differ in length (${a.length} and ${b.length})`);
  const n = a.length;
  const pairs = (k: number): number => (k * (k - 1)) / 2;
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  // Identical trivial partitions (one cluster each, or singletons each): scikit-learn's special case.
  if (rows.size === cols.size && (rows.size === 1 || rows.size === n) && cells.size === rows.size) return 1;
  let index = 0;
  for (const v of cells.values()) index += pairs(v);
  let sumA = 0;
  for (const v of rows.values()) sumA += pairs(v);
  let sumB = 0;
  for (const v of cols.values()) sumB += pairs(v);
  const expected = (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
