import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  clusterPlaces,
  clusterScatter,
  hdbscanLabels,
  l2Normalize,
  umapCoordinates,
} from '../../src/cluster/index.js';
import { coreDistancesSquared, primMst } from '../../src/cluster/hdbscan.js';
import { mutualReachabilityMst } from '../../src/cluster/mst.js';
import { packPoints } from '../../src/cluster/points.js';
import { createRng } from '../../src/random/rng.js';

const golden = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'goldens', 'hdbscan.json'), 'utf8'),
) as {
  cases: { name: string; minClusterSize: number; minSamples: number; points: number[][]; labels: number[] }[];
};

const sum = (w: Float64Array) => w.reduce((s, x) => s + x, 0);

describe('hdbscanLabels', () => {
  for (const c of golden.cases) {
    it(`matches the plain reference implementation (scripts/goldens/hdbscan.py): ${c.name}`, () => {
      const labels = hdbscanLabels(c.points, { minClusterSize: c.minClusterSize, minSamples: c.minSamples });
      // Same noise points, same partition of the rest (label names may differ).
      expect([...labels].map((l) => l < 0)).toEqual(c.labels.map((l) => l < 0));
      expect(new Set(labels).size).toBe(new Set(c.labels).size);
      expect(adjustedRandIndex(labels, c.labels)).toBe(1);
    });
  }

  it('the k-d tree Borůvka tree weighs as much as the plain Prim tree (also with duplicates and ties)', () => {
    const rng = createRng(5);
    for (const [n, dim] of [
      [300, 2],
      [200, 3],
      [150, 8],
    ]) {
      const pts = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.int(0, 20) / 4));
      pts.push(pts[0].slice(), pts[1].slice());
      const p = packPoints(pts, 'test');
      for (const k of [0, 1, 4]) {
        const core = coreDistancesSquared(p, k);
        const fast = mutualReachabilityMst(p, core);
        const slow = primMst(p, core);
        expect(sum(fast.w)).toBeCloseTo(sum(slow.w), 9);
        // A spanning tree: n - 1 edges joining everything.
        const seen = new Set<number>([0]);
        const adj = new Map<number, number[]>();
        for (let e = 0; e < fast.a.length; e++) {
          adj.set(fast.a[e], [...(adj.get(fast.a[e]) ?? []), fast.b[e]]);
          adj.set(fast.b[e], [...(adj.get(fast.b[e]) ?? []), fast.a[e]]);
        }
        const todo = [0];
        while (todo.length > 0) {
          for (const m of adj.get(todo.pop()!) ?? []) {
            if (seen.has(m)) continue;
            seen.add(m);
            todo.push(m);
          }
        }
        expect(seen.size).toBe(pts.length);
      }
    }
  });

  it('core distances are the distance to the min_samples-th nearest point counting itself', () => {
    const p = packPoints([[0], [1], [3], [6], [10]], 'test');
    expect([...coreDistancesSquared(p, 2)]).toEqual([9, 4, 9, 16, 49]);
    expect([...coreDistancesSquared(p, 0)]).toEqual([0, 0, 0, 0, 0]);
  });

  it('is all noise below a core neighbourhood or without two clusters, and checks its input', () => {
    expect([
      ...hdbscanLabels([
        [0, 0],
        [1, 1],
        [2, 2],
      ]),
    ]).toEqual([-1, -1, -1]);
    expect([...hdbscanLabels([])]).toEqual([]);
    const line = Array.from({ length: 20 }, (_, i) => [i, 0]);
    expect([...hdbscanLabels(line)].every((l) => l === -1)).toBe(true);
    expect(() => hdbscanLabels(line, { minClusterSize: 1 })).toThrow(
      /minClusterSize must be an integer >= 2/,
    );
    expect(() => hdbscanLabels([[0, 0], [1]])).toThrow(/point 1 has 1 coordinates, point 0 has 2/);
    expect(() => hdbscanLabels([[0, NaN]])).toThrow(/point 0 coordinate 1 is NaN/);
  });
});

describe('adjustedRandIndex', () => {
  it('matches scikit-learn adjusted_rand_score', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.5714285714285715, 12);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
    expect(adjustedRandIndex([3, 3, 3], [1, 1, 1])).toBe(1);
    expect(() => adjustedRandIndex([0], [0, 1])).toThrow(/differ in length/);
  });
});

describe('umapCoordinates and clusterPlaces', () => {
  const rng = createRng(9);
  const centers = Array.from({ length: 8 }, () => Array.from({ length: 32 }, () => rng.normal()));
  const vectors = Array.from({ length: 96 }, (_, i) => centers[i % 8].map((v) => v + 0.15 * rng.normal()));
  const truth = vectors.map((_, i) => i % 8);

  it('is seeded: same seed, same coordinates; another seed, others', () => {
    const a = umapCoordinates(vectors, { seed: 3, nEpochs: 50 });
    const b = umapCoordinates(vectors, { seed: 3, nEpochs: 50 });
    const c = umapCoordinates(vectors, { seed: 4, nEpochs: 50 });
    expect(a).toHaveLength(96);
    expect(a[0]).toHaveLength(2);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(() => umapCoordinates(vectors.slice(0, 5))).toThrow(
      /need more vectors than nNeighbors \(5\), got 5/,
    );
  });

  it('recovers well-separated groups, the same labels for the same seed', () => {
    const steps: number[] = [];
    const first = clusterPlaces(vectors, { seed: 1, onProgress: (e) => steps.push(e) });
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(500);
    expect(adjustedRandIndex(first.labels, truth)).toBeGreaterThan(0.95);
    expect(clusterPlaces(vectors, { seed: 1 }).labels).toEqual(first.labels);
  });

  it('l2Normalize scales rows to unit length and keeps zero rows', () => {
    expect(
      l2Normalize([
        [3, 4],
        [0, 0],
      ]),
    ).toEqual([
      [0.6, 0.8],
      [0, 0],
    ]);
  });

  it('clusterScatter draws clusters in color and noise in gray', () => {
    const img = clusterScatter(
      [
        [0, 0],
        [1, 1],
        [0.5, 0.5],
      ],
      [0, 1, -1],
      { size: 40, margin: 4, radius: 1 },
    );
    expect([img.width, img.height, img.channels]).toEqual([40, 40, 3]);
    const at = (x: number, y: number) => [...img.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
    expect(at(20, 20)).toEqual([200, 200, 200]);
    expect(at(4, 35)).not.toEqual([255, 255, 255]);
    expect(at(0, 0)).toEqual([255, 255, 255]);
    expect(() => clusterScatter([[0, 0]], [])).toThrow(/1 points but 0 labels/);
  });
});
