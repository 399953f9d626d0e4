#!/usr/bin/python3
"""Golden fixture for src/masks/raster.ts: skimage.draw.polygon2mask and skimage.draw.ellipse.

Run: /usr/bin/python3 scripts/goldens/polygon2mask.py  (scikit-image 0.19.3)
Writes test/fixtures/goldens/polygon2mask.json: random polygons plus edge cases (vertices on pixel centers,
horizontal and vertical edges, self-intersecting, off-image vertices, degenerate), and ellipses. Masks are
run-length encoded: alternating runs of 0 and 1 over the row-major flattened mask, starting with a 0-run.
"""
import json
import os

import numpy as np
import skimage
from skimage.draw import ellipse, polygon2mask

assert skimage.__version__ == "0.19.3", skimage.__version__

rng = np.random.default_rng(20240611)


def rle(mask):
    flat = mask.astype(np.uint8).ravel()
    runs = []
    cur = 0
    n = 0
    for v in flat:
        if v == cur:
            n += 1
        else:
            runs.append(n)
            cur = v
            n = 1
    runs.append(n)
    return runs


cases = []


def add_polygon(name, h, w, rows, cols):
    poly = np.stack([np.asarray(rows, float), np.asarray(cols, float)], 1)
    mask = polygon2mask((h, w), poly)
    cases.append({"kind": "polygon", "name": name, "height": h, "width": w,
                  "rows": [float(v) for v in rows], "cols": [float(v) for v in cols],
                  "area": int(mask.sum()), "rle": rle(mask)})


# Hand-made edge cases.
add_polygon("triangle-integer", 20, 24, [2, 17, 17], [12, 2, 21])
add_polygon("square-on-centers", 16, 16, [3, 3, 12, 12], [3, 12, 12, 3])
add_polygon("square-half-pixels", 16, 16, [2.5, 2.5, 11.5, 11.5], [2.5, 11.5, 11.5, 2.5])
add_polygon("horizontal-edges", 20, 20, [5, 5, 10, 10, 15, 15], [2, 17, 12, 6, 3, 18])
add_polygon("bowtie-self-intersecting", 20, 20, [2, 17, 2, 17], [2, 17, 17, 2])
add_polygon("pentagram", 40, 40, [1, 38, 14, 14, 38], [20, 32, 1, 38, 7])
add_polygon("off-image", 24, 24, [-10, 30, 30], [12, -8, 35])
add_polygon("all-outside", 16, 16, [-5, -5, -1], [3, 10, 6])
add_polygon("beyond-bottom-right", 16, 16, [10, 10, 40, 40], [10, 40, 40, 10])
add_polygon("degenerate-line", 16, 16, [2, 8, 14], [2, 8, 14])
add_polygon("two-points", 16, 16, [3, 12], [4, 9])
add_polygon("single-point", 16, 16, [5], [7])
add_polygon("thin-sliver", 20, 20, [1, 18, 18.2], [3, 16, 16.1])
add_polygon("collinear-vertices", 20, 20, [2, 2, 2, 17, 17], [2, 9, 17, 17, 2])
add_polygon("negative-fractional", 16, 16, [-0.5, 10.3, 10.3], [-0.7, -0.7, 12.9])

for i in range(150):
    h = int(rng.integers(8, 48))
    w = int(rng.integers(8, 48))
    n = int(rng.integers(3, 21))
    mode = i % 5
    if mode == 0:  # random floats inside
        rows = rng.uniform(0, h - 1, n)
        cols = rng.uniform(0, w - 1, n)
    elif mode == 1:  # integer vertices: many on pixel centers, edges through centers
        rows = rng.integers(0, h, n).astype(float)
        cols = rng.integers(0, w, n).astype(float)
    elif mode == 2:  # half-integers
        rows = rng.integers(0, 2 * h, n) / 2.0
        cols = rng.integers(0, 2 * w, n) / 2.0
    elif mode == 3:  # off-image
        rows = rng.uniform(-h / 2, 1.5 * h, n)
        cols = rng.uniform(-w / 2, 1.5 * w, n)
    else:  # star-shaped around a center
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0.3, 1.0, n) * min(h, w) / 2
        rows = h / 2 + rad * np.sin(ang)
        cols = w / 2 + rad * np.cos(ang)
    add_polygon(f"random-{i}-mode{mode}", h, w, rows, cols)

for i in range(40):
    h = int(rng.integers(8, 48))
    w = int(rng.integers(8, 48))
    r = float(rng.uniform(-5, h + 5)) if i % 4 == 0 else float(rng.integers(0, h)) + (0.5 if i % 3 == 0 else 0.0)
    c = float(rng.uniform(-5, w + 5)) if i % 4 == 0 else float(rng.integers(0, w))
    rr = float(rng.uniform(1, h / 1.5)) if i % 2 else float(rng.integers(1, max(2, h // 2)))
    rc = float(rng.uniform(1, w / 1.5)) if i % 2 else float(rng.integers(1, max(2, w // 2)))
    rot = 0.0 if i % 3 != 2 else float(rng.uniform(-np.pi, np.pi))
    mask = np.zeros((h, w), bool)
    er, ec = ellipse(r, c, rr, rc, shape=(h, w), rotation=rot)
    mask[er, ec] = True
    cases.append({"kind": "ellipse", "name": f"ellipse-{i}", "height": h, "width": w, "row": r, "col": c,
                  "rRadius": rr, "cRadius": rc, "rotation": rot, "area": int(mask.sum()), "rle": rle(mask)})

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "goldens", "polygon2mask.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/goldens/polygon2mask.py", "skimage": skimage.__version__,
               "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
