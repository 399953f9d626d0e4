/**
 * HDBSCAN (Campello, Moulavi and Sander 2013; McInnes and Healy 2017): density clustering with a minimum cluster
 * size, a hierarchy instead of one density threshold, and noise. Written from the published algorithm, with the
 * semantics of scikit-learn's `HDBSCAN` and the `hdbscan` package at their defaults (Euclidean metric, alpha 1,
 * excess-of-mass selection, no single cluster, no epsilon):
 *
 * 1. core distance of a point: the distance to its `minSamples`-th nearest point, counting the point itself;
 * 2. mutual reachability of a and b: `max(core(a), core(b), |a - b|)`;
 * 3. a minimum spanning tree of the mutual-reachability graph (Prim), sorted into a single-linkage hierarchy;
 * 4. the condensed tree: walking down from the root, a split whose both sides hold at least `minClusterSize`
 *    points starts two clusters; a side smaller than that is points "falling out" of the parent at
 *    λ = 1 / distance, and the parent lives on in the other side;
 * 5. stability of a cluster: Σ over its points and child clusters of (λ leaving − λ birth) × size;
 * 6. excess of mass: leaves up, a cluster is kept if its stability is at least the sum of its child clusters'
 *    (which then all go), else it passes that sum up; the root is never a cluster;
 * 7. a point takes the label of the kept cluster it belongs to, or −1 (noise).
 *
 * Labels are numbered 0, 1, … in the order the clusters appear in the condensed tree (the same numbering as
 * scikit-learn's up to ties in distances).
 */
import { disjointSets, mutualReachabilityMst, type Edges } from './mst.js';
import { packPoints, squaredDistance, type PackedPoints } from './points.js';

/** Options of {@link hdbscanLabels}. */
export interface HdbscanOptions {
  /** The smallest group of points called a cluster (an integer ≥ 2); default 5. */
  minClusterSize?: number;
  /** Points, counting the point itself, whose neighbourhood makes a core point; default `minClusterSize`. */
  minSamples?: number;
}

/**
 * Clusters points with HDBSCAN (see the module comment for the exact semantics) and returns one label per
 * point: 0, 1, … for clusters, −1 for noise. Deterministic: no randomness, ties broken by point order.
 *
 * Cost: core distances by a sweep along the widest axis, then a Borůvka minimum spanning tree over a k-d tree;
 * both fast in low dimensions (UMAP's 2-D output), slower in high ones.
 *
 * ```ts
 * const labels = hdbscanLabels(umapPoints, { minClusterSize: 5 }); // Int32Array, -1 = noise
 * ```
 */
export function hdbscanLabels(
  points: readonly ArrayLike<number>[],
  options: HdbscanOptions = {},
): Int32Array {
  const minClusterSize = options.minClusterSize ?? 5;
  const minSamples = options.minSamples ?? minClusterSize;
  if (!Number.isInteger(minClusterSize) || minClusterSize < 2)
    throw new RangeError(`hdbscanLabels: minClusterSize must be an integer >= 2, got ${minClusterSize}`);
  if (!Number.isInteger(minSamples) || minSamples < 1)
    throw new RangeError(`hdbscanLabels: minSamples must be a positive integer, got ${minSamples}`);
  const p = packPoints(points, 'hdbscanLabels');
  const { n } = p;
  // With fewer points than a core neighbourhood, no point is a core point: all noise (scikit-learn raises).
  if (n < 2 || n < minSamples) return new Int32Array(n).fill(-1);
  const core2 = coreDistancesSquared(p, minSamples - 1);
  const mst = mutualReachabilityMst(p, core2);
  const tree = singleLinkage(n, mst);
  return labelsFromHierarchy(tree, minClusterSize);
}

/**
 * Squared distance of every point to its `k`-th nearest other point (0 when k = 0). Points are swept in the order
 * of their widest coordinate; a scan stops once that coordinate alone is farther than the current k-th best.
 */
export function coreDistancesSquared(p: PackedPoints, k: number): Float64Array {
  const { data, n, dim } = p;
  const out = new Float64Array(n);
  if (k === 0) return out;
  // The axis of largest variance prunes best.
  let axis = 0;
  let bestVar = -1;
  for (let a = 0; a < dim; a++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * dim + a];
      s += v;
      s2 += v * v;
    }
    const variance = s2 / n - (s / n) ** 2;
    if (variance > bestVar) {
      bestVar = variance;
      axis = a;
    }
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => data[i * dim + axis] - data[j * dim + axis] || i - j,
  );
  const keys = new Float64Array(n);
  for (let r = 0; r < n; r++) keys[r] = data[order[r] * dim + axis];
  const best = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const i = order[r];
    best.fill(Infinity);
    const consider = (j: number): void => {
      const d2 = squaredDistance(data, i * dim, j * dim, dim);
      if (d2 >= best[k - 1]) return;
      let q = k - 1;
      while (q > 0 && best[q - 1] > d2) {
        best[q] = best[q - 1];
        q--;
      }
      best[q] = d2;
    };
    const x = keys[r];
    for (let q = r + 1; q < n; q++) {
      const dx = keys[q] - x;
      if (dx * dx >= best[k - 1]) break;
      consider(order[q]);
    }
    for (let q = r - 1; q >= 0; q--) {
      const dx = x - keys[q];
      if (dx * dx >= best[k - 1]) break;
      consider(order[q]);
    }
    out[i] = best[k - 1];
  }
  return out;
}

/**
 * Minimum spanning tree of the mutual-reachability graph by Prim's algorithm on the implicit complete graph:
 * O(n²·dim) time, O(n) memory. Weights compare squared; ties go to the earlier candidate. The plain reference
 * that {@link mutualReachabilityMst} must agree with (it is ~30x slower at 30,000 points).
 */
export function primMst(p: PackedPoints, core2: Float64Array): Edges {
  const { data, n, dim } = p;
  const best = new Float64Array(n).fill(Infinity);
  const from = new Int32Array(n);
  const remaining = Int32Array.from({ length: n - 1 }, (_, i) => i + 1);
  let nRem = n - 1;
  const edges: Edges = { a: new Int32Array(n - 1), b: new Int32Array(n - 1), w: new Float64Array(n - 1) };
  let cur = 0;
  for (let e = 0; e < n - 1; e++) {
    const cc = core2[cur];
    const off = cur * dim;
    let minW = Infinity;
    let minPos = 0;
    for (let r = 0; r < nRem; r++) {
      const j = remaining[r];
      const d2 = squaredDistance(data, off, j * dim, dim);
      let m = d2 > cc ? d2 : cc;
      if (core2[j] > m) m = core2[j];
      if (m < best[j]) {
        best[j] = m;
        from[j] = cur;
      }
      if (best[j] < minW) {
        minW = best[j];
        minPos = r;
      }
    }
    const next = remaining[minPos];
    edges.a[e] = from[next];
    edges.b[e] = next;
    edges.w[e] = Math.sqrt(minW);
    remaining[minPos] = remaining[--nRem];
    cur = next;
  }
  return edges;
}

/**
 * A single-linkage hierarchy in SciPy's layout: merge i makes node n + i from `left[i]` and `right[i]` (points
 * are 0..n−1) at `dist[i]`, holding `size[i]` points.
 */
export interface Hierarchy {
  n: number;
  left: Int32Array;
  right: Int32Array;
  dist: Float64Array;
  size: Int32Array;
}

/** Merges a spanning tree's edges in increasing weight (stable) into a single-linkage hierarchy. */
export function singleLinkage(n: number, edges: Edges): Hierarchy {
  const m = n - 1;
  const order = Int32Array.from({ length: m }, (_, i) => i).sort((i, j) => edges.w[i] - edges.w[j] || i - j);
  const { parent, find } = disjointSets(2 * n - 1);
  const h: Hierarchy = {
    n,
    left: new Int32Array(m),
    right: new Int32Array(m),
    dist: new Float64Array(m),
    size: new Int32Array(m),
  };
  const sizeOf = (node: number): number => (node < n ? 1 : h.size[node - n]);
  for (let k = 0; k < m; k++) {
    const e = order[k];
    const ra = find(edges.a[e]);
    const rb = find(edges.b[e]);
    h.left[k] = ra;
    h.right[k] = rb;
    h.dist[k] = edges.w[e];
    h.size[k] = sizeOf(ra) + sizeOf(rb);
    parent[ra] = n + k;
    parent[rb] = n + k;
  }
  return h;
}

/**
 * Condenses a single-linkage hierarchy with `minClusterSize`, selects clusters by excess of mass and labels the
 * points (−1 = noise). See the module comment.
 */
export function labelsFromHierarchy(h: Hierarchy, minClusterSize: number): Int32Array {
  const { n } = h;
  const root = 2 * n - 2;
  const sizeOf = (node: number): number => (node < n ? 1 : h.size[node - n]);
  // Condensed tree rows: (parent cluster, child point or cluster, lambda, size). Clusters are numbered n, n+1, …
  const rowParent: number[] = [];
  const rowChild: number[] = [];
  const rowLambda: number[] = [];
  const rowSize: number[] = [];
  const relabel = new Int32Array(2 * n - 1);
  relabel[root] = n;
  let nextLabel = n + 1;
  const ignore = new Uint8Array(2 * n - 1);
  const stack: number[] = [];
  const fallOut = (sub: number, cluster: number, lambda: number): void => {
    stack.push(sub);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node < n) {
        rowParent.push(cluster);
        rowChild.push(node);
        rowLambda.push(lambda);
        rowSize.push(1);
      } else {
        ignore[node] = 1;
        stack.push(h.right[node - n], h.left[node - n]);
      }
    }
  };
  // Breadth-first from the root, as the reference implementations walk it (so cluster ids come out alike).
  const queue = new Int32Array(2 * n - 1);
  let head = 0;
  let tail = 0;
  queue[tail++] = root;
  while (head < tail) {
    const node = queue[head++];
    if (node < n || ignore[node]) continue;
    const k = node - n;
    const left = h.left[k];
    const right = h.right[k];
    queue[tail++] = left;
    queue[tail++] = right;
    const lambda = h.dist[k] > 0 ? 1 / h.dist[k] : Infinity;
    const lc = sizeOf(left);
    const rc = sizeOf(right);
    const here = relabel[node];
    if (lc >= minClusterSize && rc >= minClusterSize) {
      for (const [child, count] of [
        [left, lc],
        [right, rc],
      ]) {
        relabel[child] = nextLabel++;
        rowParent.push(here);
        rowChild.push(relabel[child]);
        rowLambda.push(lambda);
        rowSize.push(count);
      }
    } else if (lc < minClusterSize && rc < minClusterSize) {
      fallOut(left, here, lambda);
      fallOut(right, here, lambda);
    } else if (lc < minClusterSize) {
      relabel[right] = here;
      fallOut(left, here, lambda);
    } else {
      relabel[left] = here;
      fallOut(right, here, lambda);
    }
  }

  // Stability of each cluster c (index c - n; 0 is the root).
  const nClusters = nextLabel - n;
  const birth = new Float64Array(nClusters);
  const clusterParent = new Int32Array(nClusters).fill(-1);
  for (let r = 0; r < rowChild.length; r++) {
    if (rowChild[r] >= n) {
      birth[rowChild[r] - n] = rowLambda[r];
      clusterParent[rowChild[r] - n] = rowParent[r] - n;
    }
  }
  const stability = new Float64Array(nClusters);
  for (let r = 0; r < rowParent.length; r++) {
    const c = rowParent[r] - n;
    stability[c] += (rowLambda[r] - birth[c]) * rowSize[r];
  }

  // Excess of mass, leaves up (a child's id is always larger than its parent's).
  const chosen = new Uint8Array(nClusters);
  const childSum = new Float64Array(nClusters);
  for (let c = nClusters - 1; c >= 1; c--) {
    if (childSum[c] > stability[c]) stability[c] = childSum[c];
    else chosen[c] = 1;
    childSum[clusterParent[c]] += stability[c];
  }
  // A chosen cluster takes all its descendants: top down, a cluster under a chosen one is not chosen itself.
  const labelOfCluster = new Int32Array(nClusters).fill(-1);
  let nextOut = 0;
  for (let c = 1; c < nClusters; c++) {
    const up = labelOfCluster[clusterParent[c]];
    if (up >= 0) labelOfCluster[c] = up;
    else if (chosen[c]) labelOfCluster[c] = nextOut++;
  }
  const labels = new Int32Array(n).fill(-1);
  for (let r = 0; r < rowChild.length; r++) {
    if (rowChild[r] < n) labels[rowChild[r]] = labelOfCluster[rowParent[r] - n];
  }
  return labels;
}
