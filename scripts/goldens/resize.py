#!/usr/bin/python3
"""Golden fixture for src/image/resize.ts: OpenCV 4.6 resize of a fixture photo.

Run: /usr/bin/python3 scripts/goldens/resize.py
Writes test/fixtures/goldens/resize.json: for a 256x256 fixture photo (RGB), cv2.resize with INTER_AREA to
100x100 and 64x64, INTER_LINEAR to 300x300 and 100x100, INTER_NEAREST_EXACT to 100x100 and 300x300 — stored as per-channel
sums plus a sparse sample of pixels (every 13th), to keep the file small.
"""
import json
import os

import cv2
import numpy as np
from PIL import Image

here = os.path.dirname(__file__)
src = os.path.join(here, "..", "..", "test", "fixtures", "photos-masks", "erase-flying_fox.png")
img = np.asarray(Image.open(src).convert("RGB"))
cases = []
for method, name, sizes in [(cv2.INTER_AREA, "area", [(100, 100), (64, 64)]),
                            (cv2.INTER_LINEAR, "bilinear", [(300, 300), (100, 100)]),
                            (cv2.INTER_NEAREST_EXACT, "nearest", [(100, 100), (300, 300)])]:
    for w, h in sizes:
        out = cv2.resize(img, (w, h), interpolation=method)
        flat = out.reshape(-1)
        cases.append({"method": name, "width": w, "height": h, "every": 13,
                      "samples": flat[::13].astype(int).tolist()})
with open(os.path.join(here, "..", "..", "test", "fixtures", "goldens", "resize.json"), "w") as f:
    json.dump({"generator": "scripts/goldens/resize.py", "opencv": cv2.__version__,
               "photo": "photos-masks/erase-flying_fox.png", "cases": cases}, f, separators=(",", ":"))
print("wrote", len(cases), "cases")
