#!/usr/bin/python3
"""OpenCV side of bench/inpaint.ts: cv2.inpaint(..., cv2.INPAINT_TELEA) on the raw cases the bench wrote.

Usage: /usr/bin/python3 bench/inpaint_opencv.py DIR RADIUS
DIR holds cases.json ([{"name", "width", "height", "channels"}]) and per case NAME.image (uint8, HWC) and
NAME.mask (uint8, HW); writes NAME.opencv (uint8, HWC). Prints one JSON line with the OpenCV version.
"""
import json
import os
import sys

import cv2
import numpy as np

folder, radius = sys.argv[1], float(sys.argv[2])
with open(os.path.join(folder, "cases.json")) as f:
    cases = json.load(f)
for c in cases:
    shape = (c["height"], c["width"], c["channels"]) if c["channels"] == 3 else (c["height"], c["width"])
    base = os.path.join(folder, c["name"])
    image = np.fromfile(base + ".image", np.uint8).reshape(shape)
    mask = np.fromfile(base + ".mask", np.uint8).reshape(c["height"], c["width"])
    cv2.inpaint(image, mask, radius, cv2.INPAINT_TELEA).tofile(base + ".opencv")
print(json.dumps({"opencv": cv2.__version__, "cases": len(cases)}))
