#!/usr/bin/python3
"""Golden fixtures for src/image/inpaint.ts: OpenCV 4.6 cv2.inpaint(..., cv2.INPAINT_TELEA).

Run: /usr/bin/python3 scripts/goldens/inpaint.py  (Debian python3-opencv 4.6, python3-pil, python3-skimage)
Writes two sets:
- test/fixtures/goldens/inpaint/<name>-{input,mask,telea}.png: a 128x128 gray crop (Pillow convert('L')), a mask
  (255 = lost: a rectangle, a circle or a polygon) with the lost pixels of the input set to a constant gray, and
  cv2.inpaint(input, mask, 5, cv2.INPAINT_TELEA); plus one RGB crop whose region touches the border (radius 3).
- test/fixtures/goldens/inpaint.json: more cases stored compactly. Each crops a fixture photo
  (test/fixtures/photos*/, gray by Pillow convert('L') as the library's toGray, or RGB), draws a competition-like
  lost region (rectangles, ellipses, polygons, strokes; some reaching the image's edges; one covering all), sets
  the lost pixels to a constant `fill` and stores the mask run-length encoded (alternating runs of 0 and 1 over the
  row-major mask, starting with a 0-run) and OpenCV's output at the lost pixels only (row-major, channels
  interleaved): the rest of the image is the input unchanged. Radii 1, 2.5 (OpenCV rounds it to 2), 3, 5, 10.
"""
import json
import os

import cv2
import numpy as np
from PIL import Image
from skimage.draw import ellipse, polygon2mask

assert cv2.__version__.startswith("4.6"), cv2.__version__

here = os.path.dirname(__file__)
fixtures = os.path.join(here, "..", "..", "test", "fixtures")
rng = np.random.default_rng(20240612)


def rle(mask):
    flat = mask.astype(np.uint8).ravel()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]])))
    runs = np.diff(np.concatenate([[0], edges])).tolist()
    return runs


def random_polygon(h, w, cy, cx, radius, vertices):
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    radii = radius * rng.uniform(0.5, 1.0, vertices)
    return np.stack([cy + radii * np.sin(angles), cx + radii * np.cos(angles)], axis=1)


def shape_mask(h, w, kind):
    m = np.zeros((h, w), bool)
    if kind == "rectangle":
        y0, x0 = rng.integers(0, h // 2), rng.integers(0, w // 2)
        m[y0 : y0 + rng.integers(h // 6, h // 3), x0 : x0 + rng.integers(w // 6, w // 3)] = True
    elif kind == "ellipse":
        rr, cc = ellipse(rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w, h / 6, w / 8,
                         shape=(h, w), rotation=rng.uniform(0, np.pi))
        m[rr, cc] = True
    elif kind == "polygon":
        m |= polygon2mask((h, w), random_polygon(h, w, h / 2, w / 2, min(h, w) / 4, 7))
    elif kind == "mixed":
        m |= shape_mask(h, w, "rectangle") | shape_mask(h, w, "ellipse")
    elif kind == "stroke":
        pts = rng.integers(0, min(h, w), (4, 2))
        canvas = np.zeros((h, w), np.uint8)
        cv2.polylines(canvas, [pts.reshape(-1, 1, 2).astype(np.int32)], False, 1, thickness=4)
        m |= canvas > 0
    elif kind == "edges":
        m[: h // 6, : w // 5] = True  # top-left corner
        m[h // 3 : h // 2, w - w // 8 :] = True  # right edge
        m[h - h // 7 :, w // 3 : w // 2] = True  # bottom edge
        m[h // 2 : h // 2 + 6, :3] = True  # left edge
    elif kind == "all":
        m[:] = True
    return m


def load(name, channels):
    im = Image.open(os.path.join(fixtures, name))
    return np.asarray(im.convert("L" if channels == 1 else "RGB"))


cases = []


def add(photo, channels, top, left, h, w, kind, radius, fill=None):
    img = load(photo, channels)[top : top + h, left : left + w].copy()
    mask = shape_mask(h, w, kind)
    fill = int(rng.integers(0, 87)) if fill is None else fill
    img[mask] = fill
    out = cv2.inpaint(img, mask.astype(np.uint8), radius, cv2.INPAINT_TELEA)
    expected = out[mask].reshape(-1)
    cases.append({"photo": photo, "channels": channels, "top": top, "left": left, "width": w,
                  "height": h, "kind": kind, "radius": radius, "fill": fill, "mask": rle(mask),
                  "lost": int(mask.sum()), "expected": expected.astype(int).tolist()})


add("photos/animal.png", 1, 120, 150, 128, 128, "polygon", 5)
add("photos/building.png", 1, 200, 40, 128, 128, "ellipse", 5)
add("photos/sea.png", 1, 300, 300, 128, 128, "rectangle", 5)
add("photos/flat.png", 1, 100, 200, 128, 128, "mixed", 5)
add("photos-masks/details-OperaSidney_background.png", 1, 60, 40, 100, 77, "stroke", 5)
add("photos-masks/explore_monuments-ajantaCave.png", 1, 0, 0, 96, 96, "edges", 5)
add("photos-masks/erase-flying_fox.png", 1, 64, 64, 96, 96, "polygon", 1)
add("photos-masks/erase-flying_fox.png", 1, 64, 64, 96, 96, "polygon", 2.5)
add("photos-masks/explore_farm_animals-duck.png", 1, 100, 100, 96, 96, "mixed", 10)
add("photos-masks/explore_world_music-ireland.png", 3, 80, 80, 96, 96, "ellipse", 5)
add("photos/building.png", 3, 0, 400, 64, 112, "edges", 3)
add("photos/sea.png", 1, 0, 0, 12, 16, "all", 5, fill=40)

with open(os.path.join(fixtures, "goldens", "inpaint.json"), "w") as f:
    json.dump({"generator": "scripts/goldens/inpaint.py", "opencv": cv2.__version__,
               "call": "cv2.inpaint(image, mask, radius, cv2.INPAINT_TELEA)", "cases": cases},
              f, separators=(",", ":"))
print("wrote", len(cases), "cases", [c["lost"] for c in cases])


# The PNG set.
OUT = os.path.join(fixtures, "goldens", "inpaint")
CASES = [
    ("sea", "photos/sea.png", (200, 150), "rect", 40),
    ("building", "photos/building.png", (180, 250), "circle", 70),
    ("animal", "photos/animal.png", (240, 200), "poly", 10),
    ("duck", "photos-masks/explore_farm_animals-duck.png", (60, 80), "rect", 86),
]


def png_cases():
    os.makedirs(OUT, exist_ok=True)
    for name, path, (top, left), shape, fill in CASES:
        gray = np.array(Image.open(os.path.join(fixtures, path)).convert("RGB").convert("L"))
        crop = gray[top : top + 128, left : left + 128].copy()
        mask = np.zeros((128, 128), np.uint8)
        if shape == "rect":
            mask[40:85, 30:100] = 255
        elif shape == "circle":
            cv2.circle(mask, (64, 60), 28, 255, -1)
        else:
            cv2.fillPoly(mask, [np.array([[20, 30], [100, 45], [90, 110], [40, 95]], np.int32)], 255)
        crop[mask > 0] = fill
        out = cv2.inpaint(crop, mask, 5, cv2.INPAINT_TELEA)
        for suffix, im in (("input", crop), ("mask", mask), ("telea", out)):
            Image.fromarray(im).save(os.path.join(OUT, f"{name}-{suffix}.png"), optimize=True)
        print(name, int((mask > 0).sum()), "lost pixels")
    # One RGB case (OpenCV fills the three channels with shared weights) and one region touching the image border.
    rgb = np.array(Image.open(os.path.join(fixtures, "photos/animal.png")).convert("RGB"))[100:196, 300:396].copy()
    mask = np.zeros((96, 96), np.uint8)
    cv2.circle(mask, (10, 80), 30, 255, -1)
    rgb[mask > 0] = 0
    out = cv2.inpaint(rgb, mask, 3, cv2.INPAINT_TELEA)
    for suffix, im in (("input", rgb), ("mask", mask), ("telea", out)):
        Image.fromarray(im).save(os.path.join(OUT, f"rgb-edge-{suffix}.png"), optimize=True)
    print("rgb-edge", int((mask > 0).sum()), "lost pixels (radius 3)")


png_cases()
