/**
 * Minimum spanning tree of the mutual-reachability graph `max(core(a), core(b), |a - b|)` (weights compared
 * squared), without building the graph: Borůvka's rounds over a k-d tree. Each round, every component finds its
 * lightest edge to another component with a nearest-neighbour search that skips tree nodes lying entirely in the
 * component and nodes whose lower bound `max(core(a), min core in node, box distance)` cannot beat the
 * component's best edge so far. Edges are totally ordered by (weight, smaller end, larger end), so the tree is
 * unique and the same on every run.
 */
import { squaredDistance, type PackedPoints } from './points.js';

const LEAF_SIZE = 16;

/** A tree's edges: endpoints and (not squared) weights, n − 1 of each. */
export interface Edges {
  a: Int32Array;
  b: Int32Array;
  w: Float64Array;
}

/**
 * Disjoint sets over 0..size−1 (union-find): each starts alone; `find` returns a set's root, compressing the path
 * it walks; join two roots by linking one under the other (`parent[ra] = rb`).
 */
export function disjointSets(size: number): { parent: Int32Array; find: (x: number) => number } {
  const parent = Int32Array.from({ length: size }, (_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r];
    while (parent[x] !== r) {
      const nx = parent[x];
      parent[x] = r;
      x = nx;
    }
    return r;
  };
  return { parent, find };
}

interface KdTree {
  /** Point indices, permuted so every node holds a contiguous run. */
  idx: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** Children (−1 for a leaf). */
  left: Int32Array;
  right: Int32Array;
  /** Bounding boxes, `dim` values per node. */
  lo: Float64Array;
  hi: Float64Array;
  /** Smallest squared core distance in the node. */
  minCore: Float64Array;
  count: number;
}

function buildKdTree(p: PackedPoints, core2: Float64Array): KdTree {
  const { data, n, dim } = p;
  const maxNodes = 2 * Math.ceil(n / (LEAF_SIZE / 2)) + 1;
  const t: KdTree = {
    idx: Int32Array.from({ length: n }, (_, i) => i),
    start: new Int32Array(maxNodes),
    end: new Int32Array(maxNodes),
    left: new Int32Array(maxNodes).fill(-1),
    right: new Int32Array(maxNodes).fill(-1),
    lo: new Float64Array(maxNodes * dim),
    hi: new Float64Array(maxNodes * dim),
    minCore: new Float64Array(maxNodes),
    count: 0,
  };
  const build = (s: number, e: number): number => {
    const node = t.count++;
    t.start[node] = s;
    t.end[node] = e;
    let mc = Infinity;
    for (let a = 0; a < dim; a++) {
      t.lo[node * dim + a] = Infinity;
      t.hi[node * dim + a] = -Infinity;
    }
    for (let r = s; r < e; r++) {
      const i = t.idx[r];
      if (core2[i] < mc) mc = core2[i];
      for (let a = 0; a < dim; a++) {
        const v = data[i * dim + a];
        if (v < t.lo[node * dim + a]) t.lo[node * dim + a] = v;
        if (v > t.hi[node * dim + a]) t.hi[node * dim + a] = v;
      }
    }
    t.minCore[node] = mc;
    if (e - s <= LEAF_SIZE) return node;
    let axis = 0;
    for (let a = 1; a < dim; a++) {
      if (t.hi[node * dim + a] - t.lo[node * dim + a] > t.hi[node * dim + axis] - t.lo[node * dim + axis])
        axis = a;
    }
    const run = t.idx.subarray(s, e);
    run.sort((i, j) => data[i * dim + axis] - data[j * dim + axis] || i - j);
    const mid = (s + e) >> 1;
    t.left[node] = build(s, mid);
    t.right[node] = build(mid, e);
    return node;
  };
  build(0, n);
  return t;
}

/**
 * The mutual-reachability minimum spanning tree of `p` given squared core distances (see the module comment).
 * O(n log n) rounds of searches in low dimensions; in high dimensions the box bounds prune little and it tends to
 * O(n²·dim) like Prim.
 */
export function mutualReachabilityMst(p: PackedPoints, core2: Float64Array): Edges {
  const { n } = p;
  const edges: Edges = { a: new Int32Array(n - 1), b: new Int32Array(n - 1), w: new Float64Array(n - 1) };
  if (n < 2) return edges;
  const t = buildKdTree(p, core2);
  const { parent, find } = disjointSets(n);
  const comp = new Int32Array(n);
  const nodeComp = new Int32Array(t.count);
  const bestW = new Float64Array(n);
  const bestA = new Int32Array(n);
  const bestB = new Int32Array(n);
  const stack = new Int32Array(t.count + 64);
  let nEdges = 0;
  while (nEdges < n - 1) {
    for (let i = 0; i < n; i++) comp[i] = find(i);
    // A node's component, or −1 if it holds several (children come after their parent in node order).
    for (let node = t.count - 1; node >= 0; node--) {
      if (t.left[node] < 0) {
        let c = comp[t.idx[t.start[node]]];
        for (let r = t.start[node] + 1; r < t.end[node] && c >= 0; r++) if (comp[t.idx[r]] !== c) c = -1;
        nodeComp[node] = c;
      } else {
        const c = nodeComp[t.left[node]];
        nodeComp[node] = c >= 0 && c === nodeComp[t.right[node]] ? c : -1;
      }
    }
    bestW.fill(Infinity);
    bestA.fill(-1);
    bestB.fill(-1);
    searchRound(p, core2, t, comp, nodeComp, bestW, bestA, bestB, stack);
    for (let c = 0; c < n; c++) {
      if (comp[c] !== c || bestA[c] < 0) continue;
      const a = bestA[c];
      const b = bestB[c];
      const ra = find(a);
      const rb = find(b);
      if (ra === rb) continue;
      parent[ra] = rb;
      edges.a[nEdges] = a;
      edges.b[nEdges] = b;
      edges.w[nEdges] = Math.sqrt(bestW[c]);
      nEdges++;
    }
  }
  return edges;
}

/** Squared distance from point offset `oi` to a node's bounding box. */
function boxDistance(
  data: Float64Array,
  oi: number,
  lo: Float64Array,
  hi: Float64Array,
  node: number,
  dim: number,
): number {
  let box = 0;
  for (let a = 0; a < dim; a++) {
    const v = data[oi + a];
    const l = lo[node * dim + a];
    const h = hi[node * dim + a];
    const d = v < l ? l - v : v > h ? v - h : 0;
    box += d * d;
  }
  return box;
}

/** Whether edge (a, b) of squared weight w is lighter than component c's best: weight, smaller end, larger end. */
function lighter(w: number, a: number, b: number, bw: number, ba: number, bb: number): boolean {
  if (w !== bw) return w < bw;
  const lo = Math.min(a, b);
  const loBest = Math.min(ba, bb);
  if (lo !== loBest) return lo < loBest;
  return Math.max(a, b) < Math.max(ba, bb);
}

/** One Borůvka round: for every component, its lightest edge to another component (in bestW/bestA/bestB). */
function searchRound(
  p: PackedPoints,
  core2: Float64Array,
  t: KdTree,
  comp: Int32Array,
  nodeComp: Int32Array,
  bestW: Float64Array,
  bestA: Int32Array,
  bestB: Int32Array,
  stack: Int32Array,
): void {
  const { data, n, dim } = p;
  const { lo, hi, left, right, start, end, idx, minCore } = t;
  for (let r = 0; r < n; r++) {
    const i = idx[r];
    const c = comp[i];
    const ci = core2[i];
    if (ci > bestW[c]) continue; // every edge of i weighs at least core(i)
    const oi = i * dim;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp];
      if (nodeComp[node] === c) continue;
      // Lower bound of any mutual reachability from i into this node.
      let bound = boxDistance(data, oi, lo, hi, node, dim);
      if (ci > bound) bound = ci;
      if (minCore[node] > bound) bound = minCore[node];
      if (bound > bestW[c]) continue;
      const l = left[node];
      if (l < 0) {
        for (let q = start[node]; q < end[node]; q++) {
          const j = idx[q];
          if (comp[j] === c) continue;
          const d2 = squaredDistance(data, oi, j * dim, dim);
          let w = d2 > ci ? d2 : ci;
          if (core2[j] > w) w = core2[j];
          if (w <= bestW[c] && lighter(w, i, j, bestW[c], bestA[c], bestB[c])) {
            bestW[c] = w;
            bestA[c] = i;
            bestB[c] = j;
          }
        }
      } else {
        // Push the farther child first so the nearer one is searched first.
        const rr = right[node];
        if (boxDistance(data, oi, lo, hi, l, dim) <= boxDistance(data, oi, lo, hi, rr, dim)) {
          stack[sp++] = rr;
          stack[sp++] = l;
        } else {
          stack[sp++] = l;
          stack[sp++] = rr;
        }
      }
    }
  }
}
