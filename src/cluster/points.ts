/** Rows of numbers packed into one array: `n` points of `dim` coordinates, row-major. */
export interface PackedPoints {
  data: Float64Array;
  n: number;
  dim: number;
}

/**
 * Packs rows into a Float64Array, checking that every row has the same length and only finite values. Errors
 * name the caller, the row and what is wrong.
 */
export function packPoints(rows: readonly ArrayLike<number>[], caller: string): PackedPoints {
  const n = rows.length;
  const dim = n > 0 ? rows[0].length : 0;
  if (n > 0 && dim === 0) throw new RangeError(`${caller}: point 0 has no coordinates`);
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r.length !== dim)
      throw new RangeError(`${caller}: point ${i} has ${r.length} coordinates, point 0 has ${dim}`);
    for (let j = 0; j < dim; j++) {
      const v = r[j];
      if (!Number.isFinite(v)) throw new RangeError(`${caller}: point ${i} coordinate ${j} is ${v}`);
      data[i * dim + j] = v;
    }
  }
  return { data, n, dim };
}

/**
 * Scales each row to unit Euclidean length (rows of zeros stay zero), returning new rows.
 *
 * ```ts
 * l2Normalize([[3, 4]]); // [[0.6, 0.8]]
 * ```
 */
export function l2Normalize(rows: readonly ArrayLike<number>[]): number[][] {
  return rows.map((r) => {
    let s = 0;
    for (let j = 0; j < r.length; j++) s += r[j] * r[j];
    const norm = Math.sqrt(s);
    return Array.from(r, (v) => (norm > 0 ? v / norm : 0));
  });
}

/**
 * Squared Euclidean distance between two packed points: the `dim` coordinates of `data` from offset `oi` and from
 * offset `oj` (a point's offset is its index times `dim`).
 *
 * ```ts
 * squaredDistance(Float64Array.of(0, 0, 3, 4), 0, 2, 2); // 25
 * ```
 */
export function squaredDistance(data: Float64Array, oi: number, oj: number, dim: number): number {
  if (dim === 2) {
    const dx = data[oi] - data[oj];
    const dy = data[oi + 1] - data[oj + 1];
    return dx * dx + dy * dy;
  }
  let d2 = 0;
  for (let a = 0; a < dim; a++) {
    const d = data[oi + a] - data[oj + a];
    d2 += d * d;
  }
  return d2;
}
