#!/usr/bin/python3
"""Golden fixture for src/cluster/hdbscan.ts: HDBSCAN labels of small 2-D point sets.

Run: /usr/bin/python3 scripts/goldens/hdbscan.py
Writes test/fixtures/goldens/hdbscan.json.

No packaged HDBSCAN is installable here (Debian 12's scikit-learn is 1.2, before sklearn.cluster.HDBSCAN; there is
no python3-hdbscan), so this is a second, deliberately plain implementation written straight from the definitions
(Campello et al. 2013; the scikit-learn/hdbscan defaults: Euclidean, alpha 1, excess of mass, no single cluster):
dense pairwise distances, core distance = distance to the min_samples-th nearest point counting itself, dense
mutual reachability, SciPy's minimum spanning tree, a recursive condensed tree over explicit member sets and a
recursive excess-of-mass selection. It shares no code or structure with the TypeScript one (k-d tree Boruvka,
breadth-first condensing, iterative selection), so agreement checks both. Labels compare up to renumbering.
"""
import json
import os
import sys

import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist

sys.setrecursionlimit(10000)


def hdbscan(points, min_cluster_size, min_samples):
    n = len(points)
    d = cdist(points, points)
    core = np.sort(d, axis=1)[:, min_samples - 1]
    mr = np.maximum(d, np.maximum(core[:, None], core[None, :]))
    np.fill_diagonal(mr, 0)
    mst = minimum_spanning_tree(mr).tocoo()
    edges = sorted(zip(mst.data, mst.row, mst.col))
    # Single linkage: node id -> (left, right, distance, members).
    members = {i: [i] for i in range(n)}
    children = {}
    owner = list(range(n))  # point -> current top node
    nxt = n
    for w, a, b in edges:
        ta, tb = owner[a], owner[b]
        children[nxt] = (ta, tb, w)
        members[nxt] = members[ta] + members[tb]
        for p in members[nxt]:
            owner[p] = nxt
        nxt += 1
    root = nxt - 1
    clusters = {}  # id -> dict(birth, parent, points=[(p, lambda)], kids=[ids])

    def new_cluster(birth, parent):
        cid = len(clusters)
        clusters[cid] = {"birth": birth, "parent": parent, "points": [], "kids": []}
        if parent is not None:
            clusters[parent]["kids"].append(cid)
        return cid

    def descend(node, cid):
        left, right, w = children[node]
        lam = 1.0 / w if w > 0 else float("inf")
        big_l = len(members[left]) >= min_cluster_size
        big_r = len(members[right]) >= min_cluster_size
        if big_l and big_r:
            descend(left, new_cluster(lam, cid))
            descend(right, new_cluster(lam, cid))
            return
        for side, big in ((left, big_l), (right, big_r)):
            if big:
                descend(side, cid)
            else:
                clusters[cid]["points"] += [(p, lam) for p in members[side]]

    descend(root, new_cluster(0.0, None))

    def size(c):
        return len(clusters[c]["points"]) + sum(size(k) for k in clusters[c]["kids"])

    def stability(c):
        cl = clusters[c]
        s = sum(lam - cl["birth"] for _, lam in cl["points"])
        return s + sum((clusters[k]["birth"] - cl["birth"]) * size(k) for k in cl["kids"])

    def select(c):
        picks, total = [], 0.0
        for k in clusters[c]["kids"]:
            s, p = select(k)
            total += s
            picks += p
        if c == 0:
            return total, picks
        own = stability(c)
        return (total, picks) if total > own else (own, [c])

    def all_points(c):
        pts = [p for p, _ in clusters[c]["points"]]
        for k in clusters[c]["kids"]:
            pts += all_points(k)
        return pts

    labels = [-1] * n
    for label, c in enumerate(sorted(select(0)[1])):
        for p in all_points(c):
            labels[p] = label
    return labels


def main():
    rng = np.random.default_rng(13)
    cases = []

    def add(name, pts, mcs, ms=None):
        pts = np.round(pts, 6)
        labels = hdbscan(pts, mcs, ms or mcs)
        cases.append({"name": name, "minClusterSize": mcs, "minSamples": ms or mcs,
                      "points": pts.tolist(), "labels": labels})

    blobs = np.concatenate([rng.normal(c, s, (40, 2)) for c, s in [((0, 0), 0.3), ((4, 0), 0.5), ((2, 5), 0.8)]])
    add("three blobs", blobs, 5)
    noisy = np.concatenate([blobs, rng.uniform(-3, 8, (40, 2))])
    add("three blobs and uniform noise", noisy, 5)
    add("three blobs and uniform noise, min_samples 3", noisy, 8, 3)
    t = rng.uniform(0, np.pi, 100)
    moons = np.concatenate([np.stack([np.cos(t), np.sin(t)], 1), np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)])
    add("two moons", moons + rng.normal(0, 0.06, moons.shape), 10)
    bursts = np.concatenate([rng.normal(rng.uniform(0, 30, 2), 0.2, (rng.integers(4, 9), 2)) for _ in range(30)])
    add("bursts of 4-8 (UMAP-like)", bursts, 5)
    varied = np.concatenate([rng.normal((0, 0), 0.1, (30, 2)), rng.normal((3, 0), 1.0, (60, 2)),
                             rng.normal((0, 3), 0.4, (8, 2))])
    add("varied densities", varied, 5)
    out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "goldens", "hdbscan.json")
    with open(out, "w") as f:
        json.dump({"generator": "scripts/goldens/hdbscan.py", "cases": cases}, f, separators=(",", ":"))
    for c in cases:
        k = len(set(c["labels"]) - {-1})
        print(f'{c["name"]}: {len(c["points"])} points, {k} clusters, {c["labels"].count(-1)} noise')


main()
